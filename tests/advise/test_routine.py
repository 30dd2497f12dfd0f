"""Routine rules as properties over many generated profiles, plus analysis and product matching."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from porescope.advise.knowledge import knowledge
from porescope.advise.knowledge.language import FORBIDDEN_PROMISES as FORBIDDEN
from porescope.advise.profile import Profile, load_profile
from porescope.advise.routine import (
    build_routine,
    cause_signals,
    example_catalog,
    load_catalog,
)
from porescope.errors import PorescopeError
from porescope.results import Analysis

CONCERNS = ["visible_pores", "blackheads", "oiliness", "texture", "firmness", "sun_damage"]
NAMES = ["salicylic acid", "retinol", "niacinamide", "azelaic acid", "lactic acid", "AHA", "bha", "fragrance", "unknownium"]
LABELS = [
    "Aqua, Glycerin",
    "Active ingredient: Benzoyl Peroxide 5%. Inactive ingredients: water, glycerin",
    "Aqua, Retinol, Glycolic Acid",
    "Aqua, Salicylic Acid 2%, Niacinamide",
    "Aqua, Adapalene 0.1%",
]

profiles = st.builds(
    Profile,
    age=st.one_of(st.none(), st.integers(1, 90)),
    skin_type=st.sampled_from(["oily", "dry", "combination", "normal"]),
    sensitive=st.one_of(st.none(), st.booleans()),
    concerns=st.lists(st.sampled_from(CONCERNS), unique=True, max_size=6),
    pregnant_or_breastfeeding=st.booleans(),
    allergies=st.lists(st.sampled_from(NAMES), unique=True, max_size=3),
    current_products=st.lists(
        st.builds(dict, name=st.sampled_from(["A", "B", "C"]), ingredients=st.sampled_from(LABELS)), max_size=3
    ),
    prescriptions=st.lists(st.sampled_from(["tretinoin", "adapalene", "clindamycin"]), unique=True, max_size=2),
    sun_exposure=st.sampled_from(["low", "moderate", "high"]),
)

STRONG_PM = {"bha", "aha", "retinoid"}


def _catalog():
    return example_catalog()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles, st.booleans())
def test_routine_rules_hold(profile, with_catalog):
    kb = knowledge()
    r = build_routine(profile, catalog=_catalog() if with_catalog else None)
    steps = r.am + r.pm
    # SPF 30+ every morning
    sun = [s for s in r.am if s.step == "sunscreen"]
    assert len(sun) == 1 and re.search(r"SPF (\d+)", sun[0].product_type)
    assert int(re.search(r"SPF (\d+)", sun[0].product_type).group(1)) >= 30
    # no retinoid when pregnant or breastfeeding; azelaic/niacinamide offered instead
    cats = {c for s in steps for c in s.categories}
    if profile.pregnant_or_breastfeeding:
        assert "retinoid" not in cats
        if profile.age is None or profile.age >= 12:
            assert {"azelaic_acid", "niacinamide"} & cats or profile.allergies
        for s in steps:
            for p in s.products:
                assert "retinol" not in p.name.lower()
    # current products: pregnancy-unsafe retinoids and listed allergies are called out
    for prod in profile.current_products:
        if profile.pregnant_or_breastfeeding and any(x in prod.ingredients for x in ("Retinol", "Adapalene")):
            assert any(prod.name in w and "pregnancy" in w for w in r.warnings)
    # at most one strong exfoliant in the evening, and never one when on a prescription retinoid
    strong_pm = [s for s in r.pm if set(s.categories) & STRONG_PM]
    assert len(strong_pm) <= 1
    if any(x in profile.prescriptions for x in ("tretinoin", "adapalene")):
        assert not strong_pm and "retinoid" not in cats
    # benzoyl peroxide never placed with tretinoin; prescription items never steps
    for s in steps:
        assert "benzoyl_peroxide" not in s.categories
        for a in s.actives:
            assert kb.get(a).cautions.prescription != "everywhere"
    # sensitive (or unstated) -> lower strengths, slower ramps, patch test
    if profile.treat_as_sensitive:
        assert any("Patch test" in w for w in r.warnings)
        for s in steps:
            if s.actives:
                assert s.patch_test
            if s.ramp:
                assert s.ramp[0].nights_per_week <= 3
    # allergies never recommended
    allergic = {e for e in profile.allergies}
    for s in steps:
        for a in s.actives:
            ing = kb.get(a)
            assert ing.inci.lower() not in {x.lower() for x in allergic}
            assert ing.category not in {x.lower() for x in allergic}
    # ramps go forward and never exceed 7 nights
    for s in r.pm:
        weeks = [p.from_week for p in s.ramp]
        assert weeks == sorted(weeks)
        assert all(len(p.days) == p.nights_per_week <= 7 for p in s.ramp)
    # children: no actives at all (salicylic acid not under 3, retinoids not under 18)
    if profile.age is not None and profile.age < 18:
        assert "retinoid" not in cats
    if profile.age is not None and profile.age < 12:
        assert all(not s.actives for s in steps)
    # every step explains itself and either cites a shipped reference or says what it rests on
    # (basic care such as cleansing has no trial: its evidence says "expert opinion")
    assert all(s.reason and (s.citation or s.evidence) for s in steps)
    assert all(len(s.sources) == (s.citation.count(" | ") + 1 if s.citation else 0) for s in steps)
    assert r.timeline_weeks == (4, 12) and r.see_a_dermatologist
    # health language
    assert not FORBIDDEN.search(r.model_dump_json())


def test_sensitive_gets_lower_strength_and_slower_ramp():
    base = dict(concerns=["blackheads", "firmness"], age=40)
    normal = build_routine(Profile(sensitive=False, **base))
    sens = build_routine(Profile(sensitive=True, **base))
    ret_n = next(s for s in normal.pm if s.step == "retinoid")
    ret_s = next(s for s in sens.pm if s.step == "retinoid")
    assert ret_s.strength_pct[1] < ret_n.strength_pct[1]
    assert ret_s.ramp[-1].from_week > ret_n.ramp[-1].from_week
    assert ret_n.ramp[0].nights_per_week == 2 and ret_n.ramp[-1].nights_per_week == 7


def test_pregnancy_swaps_to_azelaic_and_niacinamide():
    r = build_routine(Profile(pregnant_or_breastfeeding=True, concerns=["blackheads", "firmness"], sensitive=False))
    steps = {s.step for s in r.am + r.pm}
    assert "retinoid" not in steps and "bha_leave_on" not in steps
    assert {"azelaic_acid", "niacinamide_serum"} <= steps
    assert any("no retinoid" in w for w in r.warnings)


def test_allergy_removes_step():
    r = build_routine(Profile(concerns=["blackheads"], allergies=["Salicylic Acid"], sensitive=False))
    assert all("salicylic_acid" not in s.actives for s in r.am + r.pm)
    assert any("allergy" in n for n in r.notes)


def test_conflicts_between_products_and_prescriptions():
    r = build_routine(
        Profile(
            prescriptions=["tretinoin"],
            current_products=[{"name": "Spot wash", "ingredients": "Active ingredient: Benzoyl Peroxide 5%"}],
        )
    )
    c = [c for c in r.conflicts if "tretinoin" in " ".join(c.ingredients).lower()]
    assert c and c[0].severity == "warning" and "Spot wash" in c[0].between
    assert any("tretinoin" in d for d in r.see_a_dermatologist)


def test_conflict_between_two_current_products():
    r = build_routine(
        Profile(current_products=[
            {"name": "Night cream", "ingredients": "Aqua, Retinol, Glycerin"},
            {"name": "Peel pads", "ingredients": "Aqua, Glycolic Acid 10%"},
        ])
    )
    assert any(set(c.between) == {"Night cream", "Peel pads"} for c in r.conflicts)


def _analysis(causes=(), dark=0.1, elong=1.2, meaningful=True):
    data = {
        "porescope_version": "0.1.0",
        "source": {"width_px": 100, "height_px": 100},
        "scale": {},
        "quality": {"sharpness": 1, "noise_sigma": 1, "mean_luminance": 50, "clipped_fraction": 0,
                    "glare_fraction": 0, "measurable": True},
        "regions": [{"name": "frame", "label": 1, "area_px": 10000, "pore_count": 40, "density_per_mpx": 4000,
                     "coverage_pct": 3, "large_pore_share": 0.1, "mean_elongation": elong, "dark_share": dark,
                     "visibility_score": 40, "counts_meaningful": meaningful}],
        "pores": [],
        "causes": [{"cause": c, "strength": s} for c, s in causes],
        "settings": {"min_diameter_px": 2, "max_diameter_px": 30, "detector": "dog", "sensitivity": 0.5},
    }
    return Analysis.model_validate_json(json.dumps(data))


def test_analysis_causes_shift_routine():
    prof = Profile(concerns=[], sensitive=False, age=30)
    plain = build_routine(prof)
    clog = build_routine(prof, _analysis(causes=[("clogging", 0.9)]))
    lax = build_routine(prof, _analysis(causes=[("laxity", 0.8)]))
    assert clog.focus[0] == "clogging"
    assert any("bha" in s.categories for s in clog.am + clog.pm)
    assert not any("bha" in s.categories for s in plain.am + plain.pm)
    assert lax.focus[0] == "laxity"
    assert any(s.step == "retinoid" for s in lax.pm)
    assert not any(s.step == "retinoid" for s in plain.pm)


def test_regions_fallback_thresholds():
    sig, src = cause_signals(_analysis(dark=0.7, elong=2.2))
    assert sig["clogging"] == pytest.approx(1.0) and sig["laxity"] == pytest.approx(1.0)
    sig, _ = cause_signals(_analysis(dark=0.1, elong=1.2))
    assert sig["clogging"] == 0 and sig["laxity"] == 0
    sig, _ = cause_signals(_analysis(dark=0.5, elong=1.85))
    assert 0 < sig["clogging"] < 1 and 0 < sig["laxity"] < 1
    # causes win over regions
    sig, _ = cause_signals(_analysis(causes=[("photoaging", 0.4)], dark=0.9))
    assert sig == {"photoaging": 0.4}
    # a photo too coarse to resolve pores has no shape or dark share to read
    sig, src = cause_signals(_analysis(dark=0.7, elong=2.2, meaningful=False))
    assert sig == {} and "too coarse" in src[0]


def test_product_matching_ranks_with_reasons():
    r = build_routine(Profile(concerns=["blackheads"], sensitive=False), catalog=_catalog())
    bha = next(s for s in r.am + r.pm if s.step == "bha_leave_on")
    names = [p.name for p in bha.products]
    assert names and "cleansing gel" not in names[0].lower()
    assert all(p.reasons for p in bha.products)
    sun = next(s for s in r.am if s.step == "sunscreen")
    assert sun.products and all("SPF 15" not in p.name for p in sun.products)
    moist = next(s for s in r.pm if s.step == "moisturizer")
    assert moist.products and all("SPF" not in p.name and "acid" not in p.name.lower() for p in moist.products)


def test_catalog_csv_and_errors():
    cat = load_catalog("name,ingredients\nA,\"Aqua, Niacinamide 5%\"\n", fmt="csv")
    assert cat[0].name == "A"
    with pytest.raises(PorescopeError):
        load_catalog("foo,bar\n1,2\n", fmt="csv")
    with pytest.raises(PorescopeError):
        load_catalog("{not json")


@pytest.mark.parametrize(
    "data,needle",
    [
        ({"skin_typ": "oily"}, "unknown key 'skin_typ'"),
        ({"skin_type": "greasy"}, "skin_type"),
        ({"age": -3}, "age"),
        ({"concerns": ["wrinkles"]}, "concerns"),
        ({"sensitive": "maybe"}, "sensitive"),
        ("[1, 2]", "JSON object"),
        ("{oops", "not valid JSON"),
    ],
)
def test_profile_errors_are_one_line(data, needle):
    with pytest.raises(PorescopeError) as exc:
        load_profile(data if isinstance(data, str) else json.dumps(data))
    msg = str(exc.value)
    assert needle in msg and "\n" not in msg


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["age", "skin_type", "sensitive", "concerns", "allergies", "prescriptions", "sun_exposure",
                     "current_products", "pregnant_or_breastfeeding", "bogus"]),
    st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.text(max_size=8),
              st.lists(st.text(max_size=8), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)),
))
def test_profile_loader_either_loads_or_says_one_line(data):
    try:
        p = load_profile(json.dumps(data))
    except PorescopeError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("profile:")
    else:
        assert isinstance(p, Profile)
        build_routine(p)  # and a valid profile always yields a routine


def test_photo_cause_named_in_reason_and_spf50_for_photoaging():
    r = build_routine(Profile(concerns=[], sensitive=False, age=30), _analysis(causes=[("photoaging", 0.9)]))
    sun = next(s for s in r.am if s.step == "sunscreen")
    assert "SPF 50" in sun.product_type and "sun damage (strength 0.90 of 1)" in sun.reason


def test_category_allergy_plural():
    r = build_routine(Profile(concerns=["firmness", "texture"], allergies=["Retinoids", "AHAs"], sensitive=False, age=40))
    cats = {c for s in r.am + r.pm for c in s.categories}
    assert "retinoid" not in cats and "aha" not in cats


def test_profile_defaults_are_safe():
    p = load_profile("{}")
    assert p.treat_as_sensitive and p.concerns == ["visible_pores"] and p.sun_exposure == "moderate"


def test_current_product_with_allergen_is_warned():
    r = build_routine(
        Profile(allergies=["niacinamide"], current_products=[{"name": "Serum X", "ingredients": "Aqua, Niacinamide 5%"}])
    )
    assert any("Serum X" in w and "allergy" in w for w in r.warnings)
    assert all("niacinamide" not in s.actives for s in r.am + r.pm)


# --- profile-true text: no sentence recommends or describes what the profile excludes ---------------

#: Words that mark a sentence as saying what is left out, not recommending it.
_EXCLUSION = re.compile(r"\b(no|not|avoid\w*|left out|without|instead|never|except|allerg\w*)\b", re.IGNORECASE)
_RETINOID_WORDS = ("retinoid", "retinol", "retinal", "tretinoin", "tazarotene", "adapalene")


def _routine_sentences(r) -> list[str]:
    texts = [r.timeline, r.disclaimer, *r.warnings, *r.notes, *r.see_a_dermatologist]
    texts += [c.message for c in r.conflicts]
    for s in r.am + r.pm:
        texts += [s.product_type, s.strength, s.frequency, s.reason, s.evidence]
        for p in s.products:
            texts += [p.name, *p.reasons]
    out = []
    for t in texts:
        out += [x for x in re.split(r"(?<=[.;!?])\s+", t) if x.strip()]
    return out


def _offending(r, words) -> list[str]:
    return [
        s for s in _routine_sentences(r)
        if any(re.search(rf"\b{re.escape(w)}", s, re.IGNORECASE) for w in words) and not _EXCLUSION.search(s)
    ]


@pytest.mark.parametrize("photo", [False, True])
def test_pregnancy_text_never_recommends_retinoids(photo):
    prof = Profile(pregnant_or_breastfeeding=True, concerns=["visible_pores", "firmness", "sun_damage", "blackheads"],
                   age=45, sun_exposure="high", sensitive=False)
    analysis = _analysis(causes=[("laxity", 0.8), ("photoaging", 0.7), ("clogging", 0.8)]) if photo else None
    r = build_routine(prof, analysis, example_catalog())
    assert not _offending(r, _RETINOID_WORDS), _offending(r, _RETINOID_WORDS)
    # salicylic acid has limited data in pregnancy: left out, and no product carrying it is offered
    assert not _offending(r, ("salicylic",)), _offending(r, ("salicylic",))
    assert "12 weeks or more" not in r.timeline
    assert not any("tretinoin" in d or "tazarotene" in d for d in r.see_a_dermatologist)
    # what is offered instead is named only when it is in the routine
    offered = next(w for w in r.warnings if w.startswith("Pregnant"))
    steps = {s.step for s in r.am + r.pm}
    assert ("azelaic acid" in offered) == ("azelaic_acid" in steps)
    assert ("niacinamide" in offered) == ("niacinamide_serum" in steps)


@pytest.mark.parametrize("allergy,words", [
    ("niacinamide", ("niacinamide",)),
    ("salicylic acid", ("salicylic",)),
    ("azelaic acid", ("azelaic",)),
    ("retinoids", _RETINOID_WORDS),
])
def test_allergy_text_never_recommends_the_allergen(allergy, words):
    prof = Profile(allergies=[allergy], concerns=["visible_pores", "blackheads", "oiliness", "firmness"], age=40,
                   sensitive=False)
    r = build_routine(prof, _analysis(causes=[("clogging", 0.8), ("laxity", 0.6)]), example_catalog())
    bad = _offending(r, words)
    assert not bad, bad


def test_sensitive_text_stays_within_sensitive_strengths():
    r = build_routine(Profile(sensitive=True, concerns=["visible_pores", "blackheads", "firmness"], age=40),
                      _analysis(causes=[("clogging", 0.8), ("laxity", 0.6)]), example_catalog())
    rules_by_id = {s.id: s for s in __import__("porescope.advise.knowledge.rules", fromlist=["rules"]).rules().steps}
    for s in r.am + r.pm:
        rule = rules_by_id[s.step]
        if rule.strength is not None and s.strength_pct is not None:
            assert tuple(s.strength_pct) == tuple(rule.strength.sensitive), s.step
        if s.actives:
            assert s.patch_test
    assert any("Patch test" in w for w in r.warnings)
    # no product stronger than the sensitive range is offered
    from porescope.advise.ingredients import analyze_label

    cat = {p.name: p for p in example_catalog()}
    for s in r.am + r.pm:
        if s.strength_pct is None:
            continue
        for m in s.products:
            for a in analyze_label(cat[m.name].ingredients).actives:
                if a.id in s.actives:
                    assert a.min_pct <= s.strength_pct[1] + 1e-9, (s.step, m.name, a.min_pct)
    bha = [s for s in r.am + r.pm if "salicylic_acid" in s.actives]
    assert bha and all("Example 2% BHA liquid" not in [m.name for m in s.products] for s in bha)


def test_no_retinoid_means_no_retinoid_words_in_sunscreen_or_timeline():
    r = build_routine(Profile(concerns=["oiliness"], sensitive=False, age=25))
    assert not any(s.step == "retinoid" for s in r.am + r.pm)
    sun = next(s for s in r.am if s.step == "sunscreen")
    assert "retinoid" not in sun.reason and "retinoid" not in r.timeline.lower()


# --- products that fit the step ---------------------------------------------------------------------

def test_rinse_off_cleanser_never_fills_a_leave_on_step():
    prof = Profile(concerns=["blackheads", "visible_pores"], sensitive=False, age=30)
    r = build_routine(prof, _analysis(causes=[("clogging", 0.9)]), example_catalog())
    from porescope.advise.routine import product_form

    forms = {p.name: product_form(p) for p in example_catalog()}
    assert forms["Bioelements Pore Thing Daily Cleansing Gel"] == "rinse_off"
    for s in r.am + r.pm:
        for m in s.products:
            rinse = forms[m.name] == "rinse_off"
            assert rinse == (s.step in ("gentle_cleanser", "bha_cleanser")), (s.step, m.name)
    bha = next(s for s in r.am + r.pm if s.step == "bha_leave_on")
    assert bha.products and "Pore Thing" not in " ".join(m.name for m in bha.products)


def test_products_follow_the_routines_conflict_rules():
    prof = Profile(concerns=["firmness", "visible_pores", "texture"], sensitive=False, age=45)
    r = build_routine(prof, _analysis(causes=[("laxity", 0.9), ("clogging", 0.6)]), example_catalog())
    ret = next(s for s in r.pm if s.step == "retinoid")
    names = [m.name for m in ret.products]
    assert names and "Example retinol and glycolic night cream" not in names
    kb = knowledge()
    from porescope.advise.ingredients import analyze_label

    cat = {p.name: p for p in example_catalog()}
    # no product brings a strong exfoliant that its step does not hold
    for s in r.am + r.pm:
        for m in s.products:
            for a in analyze_label(cat[m.name].ingredients).actives:
                if kb.get(a.id).strong_exfoliant:
                    assert a.category in s.categories, (s.step, m.name, a.id)
