"""Issue 22 item 3, the routine: its words follow what it did.

"Adjusted to your photo" only when the analysis changed a step (and which, and why); no raw keys; no step printed
twice; pregnancy words only for pregnant or breastfeeding profiles; every source with authors, year and a journal or
regulator.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner
from web_helpers import PageClient

from porescope.advise.knowledge.references import parse_citation, references
from porescope.advise.knowledge.rules import rules
from porescope.advise.profile import load_profile
from porescope.advise.routine import build_routine
from porescope.measure.causes import likely_causes
from porescope.results import Analysis, Quality, RegionMetrics, Scale, Settings, SourceImage


def _analysis(*, dark, elong, coh, n=200):
    """A close-up's analysis record with these pore shapes (no photo needed), its causes scored."""
    region = RegionMetrics(name="frame", label=6, area_px=1_000_000, pore_count=n, density_per_mpx=n, coverage_pct=3.0,
                           large_pore_share=0.2, mean_elongation=elong, orientation_coherence=coh, dark_share=dark, visibility_score=50.0)
    a = Analysis(porescope_version="test", source=SourceImage(width_px=1000, height_px=1000),
                 scale=Scale(px_per_mm=12.0, source="user", resolves_pores=True),
                 quality=Quality(sharpness=1, noise_sigma=1, mean_luminance=60, clipped_fraction=0, glare_fraction=0.0, measurable=True),
                 regions=[region], pores=[], settings=Settings(mode="closeup", min_diameter_px=2, max_diameter_px=20, detector="t", sensitivity=1))
    a.causes = likely_causes(a)
    return a


QUIET = dict(dark=0.05, elong=1.3, coh=0.1)  # a photo that points to nothing
STRETCHED = dict(dark=0.05, elong=2.1, coh=0.7)  # a photo that points to loss of firmness


def _texts(r) -> str:
    return " ".join([*(s.reason for s in r.am + r.pm), *r.warnings, *r.notes, *r.see_a_dermatologist, *r.signal_sources,
                     *r.photo_changes, r.timeline])


def test_a_photo_that_changes_nothing_is_not_said_to_adjust_anything():
    prof = load_profile({"skin_type": "normal", "sensitive": False, "age": 30})
    r = build_routine(prof, _analysis(**QUIET))
    base = build_routine(prof)
    assert r.photo_given and r.photo_changes == []
    assert [(s.slot, s.step) for s in r.am + r.pm] == [(s.slot, s.step) for s in base.am + base.pm]
    assert "your photo points" not in _texts(r).lower()


def test_a_photo_that_changes_a_step_says_which_and_why():
    prof = load_profile({"skin_type": "normal", "sensitive": False, "age": 30, "concerns": ["visible_pores"]})
    base = build_routine(prof)
    r = build_routine(prof, _analysis(**STRETCHED))
    added = {(s.slot, s.step) for s in r.am + r.pm} - {(s.slot, s.step) for s in base.am + base.pm}
    assert added, "the stretched photo should add a step (the test would say nothing otherwise)"
    assert r.photo_changes
    for slot, step in added:
        s = next(x for x in r.am + r.pm if (x.slot, x.step) == (slot, step))
        assert any(s.product_type in c and "loss of firmness" in c for c in r.photo_changes), r.photo_changes
    # Steps the photo did not touch carry no photo sentence.
    before = {(s.slot, s.step): s for s in base.am + base.pm}
    for s in r.am + r.pm:
        if (s.slot, s.step) in before and not any(before[(s.slot, s.step)].product_type in c for c in r.photo_changes):
            assert "Your photo" not in s.reason, s.step


def test_no_raw_keys_in_what_the_person_reads():
    prof = load_profile({"concerns": ["visible_pores", "sun_damage"], "skin_type": "combination"})
    r = build_routine(prof, _analysis(**STRETCHED))
    text = _texts(r)
    assert "concern:" not in text and not re.search(r"\b[a-z]+_[a-z_]+\b", text), text


@pytest.mark.parametrize("extra", [{}, {"allergies": ["salicylic acid"]}, {"age": 55, "sun_exposure": "high"}, {"skin_type": "oily"}])
def test_pregnancy_words_only_for_pregnant_or_breastfeeding(extra):
    for photo in (None, _analysis(**STRETCHED)):
        r = build_routine(load_profile({**extra, "pregnant_or_breastfeeding": False}), photo)
        assert "pregnan" not in _texts(r).lower(), extra
        assert "breastfeed" not in _texts(r).lower(), extra
    pregnant = build_routine(load_profile({**extra, "pregnant_or_breastfeeding": True}))
    assert "pregnan" in _texts(pregnant).lower()


def test_every_source_a_routine_can_show_has_authors_year_and_journal_or_regulator():
    refs = references()
    cited = {rid for item in (*rules().steps, *rules().combinations) for rid, _ in parse_citation(item.citation)}
    assert len(cited) >= 10
    for cid in sorted(cited):
        ref = refs[cid]
        assert ref.authors.strip() and ref.year, cid
        assert (ref.journal or ref.document).strip(), cid
        assert ref.authors in ref.text() and str(ref.year) in ref.text(), cid


def _repeat_profile(tmp_path):
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"skin_type": "oily", "concerns": ["visible_pores", "blackheads"], "sensitive": False, "age": 35}))
    return p


def test_cli_prints_a_repeated_step_once(tmp_path):
    from porescope.cli import app

    r = CliRunner().invoke(app, ["routine", "--profile", str(_repeat_profile(tmp_path))])
    assert r.exit_code == 0, r.output
    assert r.output.count("Removes oil, sunscreen and debris") == 1  # the cleanser's reason, once
    assert "gentle cleanser: as in the morning" in r.output


def test_cli_says_the_photo_changed_nothing_when_it_did_not(tmp_path):
    from porescope.cli import app

    a = tmp_path / "a.json"
    a.write_text(_analysis(**QUIET).model_dump_json())
    r = CliRunner().invoke(app, ["routine", "--profile", str(_repeat_profile(tmp_path)), "--analysis", str(a)])
    assert r.exit_code == 0, r.output
    assert "changed no step" in r.output and "Adjusted to your photo" not in r.output


def test_web_routine_shows_a_repeated_step_once():
    from porescope.web import create_app

    with PageClient(create_app(store=None, db_url="sqlite:///:memory:")) as client:
        html = client.post("/routine", data={"skin_type": "oily", "sensitive": "no", "age": "35",
                                             "concerns": ["visible_pores", "blackheads"]}).text
    assert html.count("Removes oil, sunscreen and debris") == 1
    assert "as in the morning" in html and "concern:" not in html
