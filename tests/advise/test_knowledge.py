"""The knowledge files meet their schema and agree with each other."""

import json
from importlib import resources

import pytest

from porescope.advise.knowledge import eu_annex_refs, knowledge, load_file
from porescope.advise.knowledge.language import FORBIDDEN_PROMISES, forbidden_phrases
from porescope.advise.knowledge.rules import Rules, rules
from porescope.advise.knowledge.schema import Ingredient, KnowledgeFile

FORBIDDEN = FORBIDDEN_PROMISES


def _files():
    root = resources.files("porescope.advise.knowledge")
    return {name: json.loads(root.joinpath(name).read_text(encoding="utf-8")) for name in ("actives.json", "base.json", "rules.json")}


def test_ingredient_files_validate():
    for name in ("actives.json", "base.json"):
        kf = load_file(name)
        assert isinstance(kf, KnowledgeFile) and kf.ingredients


def test_rules_file_validates():
    assert isinstance(rules(), Rules)
    Rules.model_validate(_files()["rules.json"])


def test_schema_rejects_bad_entries():
    with pytest.raises(ValueError):
        Ingredient.model_validate({"id": "x", "inci": "X", "category": "not_a_category", "role": "r"})
    with pytest.raises(ValueError):  # active without its evidence fields
        Ingredient.model_validate({"id": "x", "inci": "X", "category": "bha", "role": "r", "active": True})
    with pytest.raises(ValueError):
        Ingredient.model_validate({"id": "Bad-Id", "inci": "X", "category": "other", "role": "r"})


def test_required_actives_present_with_categories():
    kb = knowledge()
    expected = {
        "salicylic_acid": "bha", "glycolic_acid": "aha", "lactic_acid": "aha", "mandelic_acid": "aha",
        "gluconolactone": "pha", "azelaic_acid": "azelaic_acid", "retinol": "retinoid", "retinal": "retinoid",
        "retinyl_palmitate": "retinoid", "adapalene": "retinoid", "tretinoin": "retinoid", "tazarotene": "retinoid",
        "niacinamide": "niacinamide", "benzoyl_peroxide": "benzoyl_peroxide", "zinc_pca": "zinc",
        "zinc_gluconate": "zinc", "zinc_oxide": "sunscreen", "kaolin": "clay", "palmitoyl_tripeptide_1": "peptide",
        "titanium_dioxide": "sunscreen", "avobenzone": "sunscreen", "bemotrizinol": "sunscreen",
        "thyme_extract": "botanical",
    }
    for ing_id, cat in expected.items():
        ing = kb.get(ing_id)
        assert ing.active and ing.category == cat, ing_id
    filters = [i for i in kb.actives if i.category == "sunscreen"]
    assert {i.filter_type for i in filters} == {"mineral", "organic"}
    # both EU-only and US-approved filters are covered
    assert any(i.limits.us.status == "not_approved" for i in filters)
    assert any(i.limits.us.status == "otc_drug" for i in filters)


def test_every_active_cites_evidence_or_says_low():
    for ing in knowledge().actives:
        if not ing.evidence:
            assert ing.evidence_level == "low", ing.id
        for ev in ing.evidence:
            assert ev.citation.strip() and ev.outcome.strip()


def test_retinoids_avoided_in_pregnancy_and_azelaic_ok():
    kb = knowledge()
    for ing in kb.actives:
        if ing.category == "retinoid":
            assert ing.cautions.pregnancy == "avoid", ing.id
    assert kb.get("azelaic_acid").cautions.pregnancy == "ok"
    assert kb.get("niacinamide").cautions.pregnancy == "ok"


def test_cross_references_exist():
    kb = knowledge()
    for ing in kb.by_id.values():
        for other in ing.not_to_confuse:
            assert other in kb.by_id, (ing.id, other)
    r = rules()
    for step in r.steps:
        for a in step.actives:
            assert a in kb.by_id, (step.id, a)
    for combo in r.combinations:
        for a in combo.a.ids + combo.b.ids:
            assert a in kb.by_id, (combo.id, a)


def test_lookalikes_are_not_the_actives():
    kb = knowledge()
    for ing_id in ("benzyl_salicylate", "methyl_salicylate", "niacin", "sodium_lactate", "lactobacillus_ferment", "willow_bark_extract"):
        ing = kb.get(ing_id)
        assert not ing.active, ing_id
        assert ing.category not in ("bha", "aha", "niacinamide"), ing_id
    assert kb.get("ethylhexyl_salicylate").category == "sunscreen"


def test_names_index_unique_targets():
    kb = knowledge()
    # every INCI name resolves to its own entry (no synonym of another entry shadows it)
    for ing in kb.by_id.values():
        from porescope.advise.knowledge import fold

        assert kb.names[fold(ing.inci)][0] == ing.id, ing.inci


def test_comedogenicity_is_labelled_weak():
    rated = [i for i in knowledge().by_id.values() if i.comedogenicity]
    assert len(rated) >= 15
    from porescope.advise.knowledge.references import render

    # every rating's source is a shipped reference by Fulton (rabbit ear) or Kligman
    assert all(("Fulton" in render(i.comedogenicity.source)) or ("Kligman" in render(i.comedogenicity.source)) for i in rated)
    assert "weak signal" in _files()["base.json"]["about"]


def test_eu_annex_status_from_on_the_list():
    assert "Annex III/98" in eu_annex_refs("Salicylic Acid")
    assert eu_annex_refs("retinoic acid") == ("Annex II/375",)
    assert any(r.startswith("Annex VI/") for r in eu_annex_refs("Zinc Oxide"))
    assert eu_annex_refs("Niacinamide") == ()


def test_no_forbidden_promises_in_data():
    root = resources.files("porescope")
    texts = [
        root.joinpath("advise", "knowledge", n).read_text(encoding="utf-8") for n in ("actives.json", "base.json", "rules.json")
    ]
    texts.append(root.joinpath("data", "example_catalog.json").read_text(encoding="utf-8"))
    for t in texts:
        assert not FORBIDDEN.search(t), FORBIDDEN.search(t).group(0)


def test_forbidden_pattern_catches_promises():
    for bad in ("shrinks pores", "will eliminate pores", "a cure for", "get rid of pores", "pores disappear",
                "closes your pores", "guaranteed results"):
        assert forbidden_phrases(bad), bad
    for fine in ("reduce how visible pores look", "secure", "curated", "disclosed", "not a diagnosis"):
        assert not forbidden_phrases(fine), fine


def test_example_catalog_marks_real_and_illustrative():
    data = json.loads(resources.files("porescope").joinpath("data", "example_catalog.json").read_text())
    real = [p for p in data["products"] if not p["illustrative"]]
    assert {p["name"] for p in real} == {"Bioelements Pore Thing Daily Cleansing Gel", "Bioelements Daily Meds"}
    assert all("actives only" in p["note"] for p in real)
    assert all("Illustrative example" in p["note"] for p in data["products"] if p["illustrative"])


def test_cosing_index_cache_matches_the_register_and_survives_a_bad_file(tmp_path, monkeypatch):
    import json

    import porescope.advise.knowledge as k

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    k._annex_index.cache_clear()
    k.eu_annex_refs.cache_clear()
    try:
        built = k._annex_index()
        path = k._index_cache_path(k._register_files())
        assert path.is_relative_to(tmp_path) and json.loads(path.read_text()) == built
        for folded, _entries in list(k._register().by_name.items())[:200]:
            assert built[folded] and all(r.startswith("Annex ") for r in built[folded]), folded
        path.write_text("{not json")  # a damaged cache is ignored and rebuilt, never trusted
        k._annex_index.cache_clear()
        assert k._annex_index() == built
        assert json.loads(path.read_text()) == built
    finally:
        k._annex_index.cache_clear()
        k.eu_annex_refs.cache_clear()
