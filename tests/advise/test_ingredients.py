"""Label reading: realistic labels, look-alike traps, bounds, flags, robustness."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from porescope.advise.ingredients import analyze_label, match_name
from porescope.advise.knowledge.language import FORBIDDEN_PROMISES as FORBIDDEN

# (label, {active id: (min_pct, max_pct)}) -- bounds worked out by hand from the
# label-order rules: descending above 1%, anything after a <=1% marker is <=1%,
# position i (1-based) is at most 100/i, stated percentages are exact.
LABELS = [
    # 1. EU serum, stated niacinamide, phenoxyethanol marker
    ("Ingredients: Aqua, Niacinamide 10%, Pentylene Glycol, Zinc PCA 1%, Phenoxyethanol",
     {"niacinamide": (10, 10), "zinc_pca": (1, 1)}),
    # 2. US drug facts, acne wash
    ("Drug Facts\nActive ingredient    Purpose\nSalicylic acid 2% ........ Acne treatment\n"
     "Uses for the treatment of acne\nWarnings For external use only\n"
     "Inactive ingredients water, sodium laureth sulfate, cocamidopropyl betaine, glycerin, fragrance",
     {"salicylic_acid": (2, 2)}),
    # 3. BHA after phenoxyethanol -> <= 1%
    ("Water, Glycerin, Butylene Glycol, Phenoxyethanol, Salicylic Acid, Xanthan Gum",
     {"salicylic_acid": (0, 1)}),
    # 4. glycolic 3rd of 6, nothing known after -> at most 100/3
    ("Aqua, Glycolic Acid, Sodium Hydroxide, Glycerin, Xanthan Gum, Disodium EDTA",
     {"glycolic_acid": (0, 50)}),
    # 5. retinol capsule: stated retinol 0.3%, everything after <= 1% (listed after a stated 0.3%)
    ("INGREDIENTS: Caprylic/Capric Triglyceride, Squalane, Retinol 0.3%, Tocopherol, Bisabolol",
     {"retinol": (0.3, 0.3)}),
    # 6. mineral sunscreen, US drug facts with two stated filters
    ("Active Ingredients: Zinc Oxide 12%, Titanium Dioxide 3%\nPurpose: Sunscreen\n"
     "Inactive Ingredients: Water, Caprylic/Capric Triglyceride, Glycerin, Dimethicone, Phenoxyethanol",
     {"zinc_oxide": (12, 12), "titanium_dioxide": (3, 3)}),
    # 7. azelaic cream; azelaic 2nd of 5 -> <= 50
    ("Aqua (Water), Azelaic Acid, Cetearyl Alcohol, Glycerin, Phenoxyethanol",
     {"azelaic_acid": (0, 50)}),
    # 8. Daily-Meds-like actives with stated SA; glycolic is before a stated 2% so >= 2, and
    #    at most (100 - 2)/2 since the stated 2% must fit beside two larger entries
    ("Aqua/Water/Eau, Glycolic Acid, Salicylic Acid 2%, Lactic Acid, Niacinamide, Phenoxyethanol",
     {"salicylic_acid": (2, 2), "glycolic_acid": (2, (100 - 2) / 2), "lactic_acid": (0, 2), "niacinamide": (0, 2)}),
    # 9. adapalene OTC gel
    ("Active ingredient: Adapalene 0.1%\nPurpose: Acne treatment\nInactive ingredients: carbomer, edetate disodium, "
     "methylparaben, poloxamer 182, propylene glycol, purified water, sodium hydroxide",
     {"adapalene": (0.1, 0.1)}),
    # 10. benzoyl peroxide wash, drug facts
    ("Active ingredient Benzoyl peroxide 5%  Acne medication\nInactive ingredients water, cocamidopropyl betaine, glycerin",
     {"benzoyl_peroxide": (5, 5)}),
    # 11. PHA toner, gluconolactone 2nd of 4 with a <=1 marker 4th
    ("Aqua, Gluconolactone, Glycerin, Sodium Benzoate",
     {"gluconolactone": (0, 50)}),
    # 12. clay mask: phenoxyethanol (5th) is <= 1%, so the first four hold >= 99% and kaolin,
    #     the largest, at least 99/4
    ("Kaolin, Aqua, Bentonite, Glycerin, Phenoxyethanol",
     {"kaolin": (99 / 4, 100), "bentonite": (0, 100 / 3)}),
    # 13. peptide cream, peptides after phenoxyethanol
    ("Aqua, Glycerin, Cetearyl Alcohol, Phenoxyethanol, Palmitoyl Tripeptide-1, Palmitoyl Tetrapeptide-7",
     {"palmitoyl_tripeptide_1": (0, 1), "palmitoyl_tetrapeptide_7": (0, 1)}),
    # 14. EU chemical sunscreen, filters in order. Label order alone gives 50 / 33 / 25; the legal
    #     maxima bound them further (market not given: the larger of the EU and US maxima, where both
    #     set one): homosalate EU 7.34 / US 15 -> 15; octisalate 5 / 5 -> 5; avobenzone EU 5 / US 3 -> 5.
    ("Ingredients: Aqua, Homosalate, Ethylhexyl Salicylate, Butyl Methoxydibenzoylmethane, Alcohol Denat., Parfum",
     {"homosalate": (0, 15), "ethylhexyl_salicylate": (0, 5), "avobenzone": (0, 5)}),
    # 15. mandelic serum with decimal comma and asterisk footnote
    ("Aqua, Mandelic Acid 5,5%, Propanediol*, Thymus Vulgaris (Thyme) Extract*, Phenoxyethanol. *Organic",
     {"mandelic_acid": (5.5, 5.5), "thyme_extract": (0, 5.5)}),
    # 16. retinal eye cream with trademark marks and odd spaces
    ("Ingredients\u00a0: Aqua, Dimethicone\u2122, Retinal\u00ae, Ceramide NP, Phenoxyethanol",
     {"retinal": (0, 100 / 3)}),
    # 17. marketing text around the list; tea tree 4th, after a stated 2% niacinamide -> <= 2
    ("NEW! Clear skin in a bottle. Ingredients: Aqua, Witch Hazel, Niacinamide 2%, Melaleuca Alternifolia (Tea Tree) Leaf Oil, "
     "Limonene. Directions: apply twice daily.",
     {"niacinamide": (2, 2), "tea_tree_oil": (0, 2)}),
]


@pytest.mark.parametrize("label,expected", LABELS, ids=[f"label{i + 1}" for i in range(len(LABELS))])
def test_label_table(label, expected):
    rep = analyze_label(label)
    got = {a.id: (a.min_pct, a.max_pct) for a in rep.actives}
    assert set(got) == set(expected), (got, rep.unknown)
    for ing_id, (lo, hi) in expected.items():
        assert got[ing_id][0] == pytest.approx(lo, abs=0.01), ing_id
        assert got[ing_id][1] == pytest.approx(hi, abs=0.01), ing_id
    for e in rep.entries:
        assert 0 <= e.min_pct <= e.max_pct <= 100
        assert e.bounds_basis


def test_legal_maxima_bound_the_estimate_per_market():
    label = "Ingredients: Aqua, Homosalate, Ethylhexyl Salicylate, Butyl Methoxydibenzoylmethane, Alcohol Denat., Parfum"
    eu = {a.id: a.max_pct for a in analyze_label(label, market="eu").actives}
    us = {a.id: a.max_pct for a in analyze_label(label, market="us").actives}
    assert eu["homosalate"] == pytest.approx(7.34) and us["homosalate"] == pytest.approx(15)
    assert eu["avobenzone"] == pytest.approx(5) and us["avobenzone"] == pytest.approx(3)
    basis = next(a.bounds_basis for a in analyze_label(label, market="eu").actives if a.id == "homosalate")
    assert "EU legal maximum" in basis and "Regulation (EC) No 1223/2009" in basis


def test_salicylic_acid_estimate_uses_the_legal_maximum_and_everything_after_it():
    # The case: "Salicylic Acid 0-33.333%" shown next to "EU limit 2%, US limit 2%".
    rep = analyze_label("Aqua, Glycerin, Salicylic Acid, Niacinamide, Azelaic Acid, Thymus Vulgaris Extract, Phenoxyethanol")
    sa = next(a for a in rep.actives if a.id == "salicylic_acid")
    assert sa.max_pct == pytest.approx(2.0) and sa.estimate == "0-2%"
    assert "legal maximum" in sa.bounds_basis
    # anything listed after an entry of at most 2% is itself at most 2% (descending order down to 1%)
    for a in rep.actives:
        if a.id != "salicylic_acid":
            assert a.max_pct <= 2.0 + 1e-9, a.id
    for a in rep.actives:
        assert "may or may not" not in a.assessment
        assert "_" not in a.assessment and "_" not in a.kind, (a.assessment, a.kind)  # no internal ids


def test_estimates_have_two_significant_figures():
    from porescope.advise.ingredients import pct_text, range_text

    assert pct_text(33.3333, up=True) == "34" and pct_text(12.375) == "12" and pct_text(0.025) == "0.025"
    assert pct_text(100, up=True) == "100" and pct_text(1.05, up=True) == "1.1" and range_text(0.5, 2) == "0.5-2%"
    rep = analyze_label("Aqua, Glycolic Acid, Sodium Hydroxide, Glycerin, Xanthan Gum, Disodium EDTA")
    for e in rep.entries:
        for num in e.estimate.rstrip("%").split("-"):
            assert num == "100" or len(num.replace(".", "").lstrip("0")) <= 2, e.estimate


def test_comedogenic_footer_only_with_a_comedogenic_flag():
    plain = analyze_label("Aqua, Glycerin, Niacinamide, Phenoxyethanol")
    assert "rabbit" not in plain.disclaimer
    oily = analyze_label("Aqua, Isopropyl Myristate, Glycerin, Phenoxyethanol")
    assert any(f.kind == "comedogenic" for f in oily.flags)
    assert "rabbit" in oily.disclaimer


def test_labels_table_is_large_enough():
    assert len(LABELS) >= 15


@pytest.mark.parametrize(
    "name,not_id",
    [
        ("Benzyl Salicylate", "salicylic_acid"),
        ("Ethylhexyl Salicylate", "salicylic_acid"),
        ("Octisalate", "salicylic_acid"),
        ("Methyl Salicylate", "salicylic_acid"),
        ("Butyloctyl Salicylate", "salicylic_acid"),
        ("Phenyl Salicylate", "salicylic_acid"),
        ("Salix Alba (Willow) Bark Extract", "salicylic_acid"),
        ("Niacin", "niacinamide"),
        ("Sodium Lactate", "lactic_acid"),
        ("Lactobacillus Ferment", "lactic_acid"),
        ("Lactobacillus/Soybean Ferment Extract", "lactic_acid"),
        ("Sodium Salicylate", "salicylic_acid"),
        ("Retinyl Palmitate", "retinol"),
    ],
)
def test_lookalikes_never_become_the_active(name, not_id):
    ing_id, kind, conf, _ = match_name(name)
    assert ing_id != not_id
    rep = analyze_label(f"Aqua, {name}, Glycerin")
    assert not_id not in {a.id for a in rep.actives}


@pytest.mark.parametrize(
    "name,wrong",
    [("Ethyl Salicylate", "methyl_salicylate"), ("Salicylic Aldehyde", "salicylic_acid"),
     ("Retinyl Linoleate", "retinyl_acetate"), ("Glycolic Amide", "glycolic_acid")],
)
def test_fuzzy_never_maps_a_different_word(name, wrong):
    assert match_name(name)[0] != wrong


@pytest.mark.parametrize(
    "typo,right",
    [("Niacinamde", "niacinamide"), ("Salicylic Acd", "salicylic_acid"), ("Phenoxyethanoll", "phenoxyethanol"),
     ("Glycerine", "glycerin")],
)
def test_fuzzy_accepts_typos(typo, right):
    assert match_name(typo)[0] == right


def test_lookalike_label_finds_no_exfoliant():
    rep = analyze_label(
        "Aqua, Ethylhexyl Salicylate, Benzyl Salicylate, Methyl Salicylate, Niacin, Sodium Lactate, "
        "Lactobacillus Ferment, Salix Alba Bark Extract"
    )
    cats = {a.category for a in rep.actives}
    assert cats == {"sunscreen"}  # octisalate is a UV filter, nothing else is an active


def test_match_kinds_and_confidence():
    assert match_name("Salicylic Acid")[:2] == ("salicylic_acid", "exact")
    assert match_name("Nicotinamide")[:2] == ("niacinamide", "synonym")
    fid, kind, conf, _ = match_name("Niacinamde")
    assert (fid, kind) == ("niacinamide", "fuzzy") and 0.5 < conf < 0.95
    assert match_name("Glycyrrhiza Glabra Root Extract")[1] == "unknown"
    assert match_name("CI 15985")[1] == "pattern"


def test_unknown_entries_stay_visible():
    rep = analyze_label("Aqua, Frobnicated Moonbeam Oil, Glycerin")
    assert "Frobnicated Moonbeam Oil" in rep.unknown
    assert [e.raw for e in rep.entries] == ["Aqua", "Frobnicated Moonbeam Oil", "Glycerin"]


def test_slashes_parens_ci_and_may_contain():
    rep = analyze_label(
        "Aqua/Water/Eau, Butyrospermum Parkii (Shea) Butter, 1,2-Hexanediol, Titanium Dioxide (CI 77891) "
        "[+/- CI 77491, CI 77492, Mica]"
    )
    ids = [e.id for e in rep.entries]
    assert ids[:4] == ["water", "shea_butter", "hexanediol", "titanium_dioxide"]
    mc = [e for e in rep.entries if e.section == "may_contain"]
    assert [e.id for e in mc] == ["iron_oxide_red", "iron_oxide_yellow", "mica"]
    assert all(e.min_pct == 0 for e in mc)


def test_may_contain_words():
    rep = analyze_label("Talc, Mica, Dimethicone. May contain: CI 77891, CI 77491")
    assert [e.section for e in rep.entries][-2:] == ["may_contain", "may_contain"]
    assert "titanium_dioxide" not in {a.id for a in rep.actives}


def test_flags_name_their_trigger():
    rep = analyze_label("Aqua, Isopropyl Myristate, Retinol, Glycolic Acid, Parfum, Linalool, Benzoyl Peroxide")
    kinds = {f.kind for f in rep.flags}
    assert {"comedogenic", "fragrance", "fragrance_allergen", "irritating_combination", "pregnancy"} <= kinds
    for f in rep.flags:
        assert f.ingredients and all(n for n in f.ingredients), f
    como = next(f for f in rep.flags if f.kind == "comedogenic")
    assert como.ingredients == ["Isopropyl Myristate"] and "weak signal" in como.message
    preg = [f for f in rep.flags if f.kind == "pregnancy" and f.severity == "warning"]
    assert [f.ingredients for f in preg] == [["Retinol"]]
    combo = [f for f in rep.flags if f.kind == "irritating_combination"]
    assert any(set(f.ingredients) == {"Retinol", "Glycolic Acid"} for f in combo)


def test_benzoyl_peroxide_with_tretinoin_flagged():
    rep = analyze_label("Active ingredients: Tretinoin 0.025%, Benzoyl Peroxide 2.5%")
    f = [f for f in rep.flags if f.kind == "irritating_combination" and "tretinoin" in f.ids]
    assert f and f[0].severity == "warning" and "benzoyl_peroxide" in f[0].ids
    assert any(fl.kind == "eu_prohibited" and fl.ingredients == ["Tretinoin"] for fl in rep.flags)
    assert any(fl.kind == "prescription" for fl in rep.flags)


def test_above_legal_limit_flag():
    rep = analyze_label("Aqua, Salicylic Acid 5%, Glycerin")
    assert any(f.kind == "above_legal_limit" and f.ingredients == ["Salicylic Acid"] for f in rep.flags)
    ok = analyze_label("Aqua, Salicylic Acid 2%, Glycerin")
    assert not any(f.kind == "above_legal_limit" for f in ok.flags)


def test_effective_range_assessment():
    low = analyze_label("Aqua, Glycerin, Phenoxyethanol, Niacinamide")
    assert "below" in low.actives[0].assessment
    good = analyze_label("Aqua, Niacinamide 4%, Glycerin")
    assert "within" in good.actives[0].assessment


def test_eu_annex_on_entries():
    rep = analyze_label("Aqua, Salicylic Acid, Phenoxyethanol")
    by = {e.id: e.eu_annex for e in rep.entries}
    assert "Annex III/98" in by["salicylic_acid"] and by["phenoxyethanol"] == ["Annex V/29"]
    assert by["water"] == []


def test_marketing_text_not_read_as_ingredients():
    rep = analyze_label(
        "Our dermatologist-approved formula gently refines the look of pores for smoother looking skin overnight.\n"
        "Ingredients: Aqua, Glycerin, Niacinamide\nDistributed by Example Co., Somewhere"
    )
    assert [e.id for e in rep.entries] == ["water", "glycerin", "niacinamide"]
    assert rep.ignored_text


def test_bounds_sum_consistency():
    rep = analyze_label("Aqua, Glycerin, Niacinamide 5%, Squalane, Phenoxyethanol, Xanthan Gum")
    ordered = [e for e in rep.entries if e.section == "ingredients"]
    assert sum(e.min_pct for e in ordered) <= 100 + 1e-6
    # before a stated 5%: at least 5; after it (not a marker): at most 5
    assert ordered[0].min_pct >= 5 and ordered[1].min_pct >= 5
    assert ordered[3].max_pct <= 5
    assert ordered[5].max_pct <= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_on_any_text(text):
    rep = analyze_label(text)
    for e in rep.entries:
        assert 0 <= e.min_pct <= e.max_pct <= 100


_pieces = st.sampled_from(
    ["Aqua", "Salicylic Acid", "2%", "(", ")", "[", "]", ",", ";", "\n", "/", "*", "+/-", "may contain", "CI 77891",
     "Ingredients:", "Active ingredient", "Inactive ingredients:", "Warnings", "™", "®", "\u200b", "1,2-Hexanediol",
     "Niacinamide", "Parfum", "..."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40).map(" ".join))
def test_never_crashes_on_label_like_text(text):
    rep = analyze_label(text)
    assert all(f.ingredients for f in rep.flags)


def test_label_reports_make_no_forbidden_promises():
    for label, _ in LABELS:
        text = analyze_label(label).model_dump_json()
        assert not FORBIDDEN.search(text), FORBIDDEN.search(text).group(0)


def test_inci_outside_brackets_is_exact():
    assert match_name("Aqua (Water)")[:2] == ("water", "exact")
    assert match_name("Butyrospermum Parkii (Shea) Butter")[:2] == ("shea_butter", "exact")
    assert match_name("Water (Aqua)")[0] == "water"


def test_footnote_tails_and_stray_brackets():
    rep = analyze_label("Zinc Oxide (25%), Water, Tocopherol\u00b9 \u00b9Natural vitamin E")
    assert [e.id for e in rep.entries] == ["zinc_oxide", "water", "tocopherol"]
    assert any("Natural vitamin E" in t for t in rep.ignored_text)
    rep = analyze_label("((((Salicylic acid, glycerin")
    assert rep.entries[0].id == "salicylic_acid"
