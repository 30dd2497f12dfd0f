"""Likely causes from region measurements (no photo needed: Analysis records)."""

from __future__ import annotations

import pytest

from porescope.measure.causes import likely_causes
from porescope.results import Analysis, Quality, RegionMetrics, Scale, Settings, SourceImage


def reg(name, label=1, *, n=200, vis=50.0, dark=0.1, elong=1.3, coh=0.1, area=1_000_000, meaningful=True):
    return RegionMetrics(
        name=name, label=label, area_px=area, pore_count=n, density_per_mpx=n, coverage_pct=3.0, large_pore_share=0.2,
        mean_elongation=elong, orientation_coherence=coh, dark_share=dark, visibility_score=vis, counts_meaningful=meaningful,
    )


def analysis(regions, *, mode="closeup", glare=0.0, px_per_mm=12.0):
    return Analysis(
        porescope_version="test", source=SourceImage(width_px=1000, height_px=1000),
        scale=Scale(px_per_mm=px_per_mm, source="user", resolves_pores=px_per_mm >= 8),
        quality=Quality(sharpness=1, noise_sigma=1, mean_luminance=60, clipped_fraction=0, glare_fraction=glare, measurable=True),
        regions=regions, pores=[], settings=Settings(mode=mode, min_diameter_px=2, max_diameter_px=20, detector="t", sensitivity=1),
    )


def face(**kw):
    tz = kw.pop("tz", {})
    ch = kw.pop("ch", {})
    rs = [reg("forehead", 1, **tz), reg("nose", 2, **tz), reg("left_cheek", 3, **ch), reg("right_cheek", 4, **ch), reg("chin", 5, **tz)]
    rs.append(reg("face", 0))
    return analysis(rs, mode="face", **kw)


def by(causes):
    return {c.cause: c for c in causes}


def test_clogging_from_dark_pores_tzone_and_shine():
    c = by(likely_causes(face(tz=dict(vis=80, dark=0.45), ch=dict(vis=30, dark=0.1), glare=0.05)))
    assert c["clogging"].strength > 0.6 > c["laxity"].strength
    assert any("T-zone" in e for e in c["clogging"].evidence)
    assert "salicylic" in c["clogging"].care


def test_laxity_from_elongated_aligned_cheek_pores():
    c = by(likely_causes(face(tz=dict(vis=30), ch=dict(vis=70, elong=2.1, coh=0.7))))
    assert c["laxity"].strength > 0.7 > c["clogging"].strength
    assert any("one direction" in e for e in c["laxity"].evidence)


def test_photoaging_needs_a_profile():
    a = face(ch=dict(elong=2.0, coh=0.6))
    without = by(likely_causes(a))["photoaging"]
    assert without.strength <= 0.2
    assert any("cannot be judged from the photo alone" in e for e in without.evidence)
    older_sunny = by(likely_causes(a, profile={"age": 62, "sun_exposure": "high"}))["photoaging"]
    young_shady = by(likely_causes(a, profile={"age": 22, "sun_exposure": "low"}))["photoaging"]
    assert older_sunny.strength > 0.6 > young_shady.strength

    class Profile:
        age = 62
        sun_exposure = 0.9

    assert by(likely_causes(a, profile=Profile()))["photoaging"].strength > 0.6


def test_closeup_frame_region_works():
    c = likely_causes(analysis([reg("frame", dark=0.4, elong=1.3)]))
    assert [x.cause for x in c][0] == "clogging" and all(0 <= x.strength <= 1 for x in c)


def test_coarse_scale_caps_strengths_and_says_why():
    c = likely_causes(face(px_per_mm=4.0, tz=dict(dark=0.5, vis=80), ch=dict(vis=20)))
    assert all(x.strength <= 0.35 for x in c)
    assert any("too coarse" in e for e in by(c)["clogging"].evidence)


@pytest.mark.parametrize("profile", [None, {"age": 45, "sun_exposure": "moderate"}])
def test_never_a_diagnosis_or_a_promise(profile):
    for x in likely_causes(face(tz=dict(dark=0.4), ch=dict(elong=2.0, coh=0.7)), profile=profile):
        text = (x.care + " ".join(x.evidence)).lower()
        assert "will shrink" not in text and "diagnos" not in text and "you have" not in text


def test_pipeline_fills_causes_for_a_closeup():
    from porescope.measure.pipeline import analyze
    from porescope.testing.synth import SkinSpec, render

    a = analyze(render(SkinSpec(height=384, width=384, seed=2)).rgb, px_per_mm=12.0, mode="closeup")
    assert {c.cause for c in a.causes} == {"clogging", "laxity", "photoaging"}


# --- words: plain, ordered by strength, never "likely" under the threshold, no contradictions -------

def test_a_weak_cause_is_never_called_likely():
    from porescope.measure.causes import LIKELY_MIN, POSSIBLE_MIN, cause_line
    from porescope.output.explain import summary_lines

    a = analysis([reg("frame", dark=0.05, elong=1.2, coh=0.1)])
    a.causes = likely_causes(a)
    lines = [ln for ln in summary_lines(a) if "cause" in ln.lower() or ln.startswith("Not indicated")]
    assert len(lines) == 3
    for c, line in zip(sorted(a.causes, key=lambda c: -c.strength), lines, strict=True):
        assert line == cause_line(c)
        if c.strength < LIKELY_MIN:
            assert not line.lower().startswith("likely")
        if c.strength < POSSIBLE_MIN:
            assert line.startswith("Not indicated by this photo")
        assert "_" not in line.split(".")[0]  # plain words, no internal ids
    strengths = [float(ln.split("strength ")[1].split(" ")[0]) for ln in lines]
    assert strengths == sorted(strengths, reverse=True)


def test_sentences_are_separated_and_plain():
    from porescope.measure.causes import cause_line

    c = by(likely_causes(face(tz=dict(vis=80, dark=0.45), ch=dict(vis=30, dark=0.1), glare=0.05)))["clogging"]
    line = cause_line(c)
    assert line.startswith("Likely cause: clogged pores") and ". " in line and line.endswith(".")
    sun = by(likely_causes(face(ch=dict(elong=2.0, coh=0.6))))["photoaging"]
    text = cause_line(sun)
    assert "looks the same as loss of firmness" in text and "(it looks like" not in text


@pytest.mark.parametrize("elong", [1.3, 1.55, 1.6, 1.62, 1.7, 2.1])
def test_region_summary_and_cause_text_agree_on_shape(elong):
    from porescope.output.explain import region_line

    a = analysis([reg("frame", elong=elong, coh=0.7, n=200)])
    lax = by(likely_causes(a))["laxity"]
    shape_in_cause = "stretched" if any("are stretched" in e for e in lax.evidence) else "mostly round"
    assert any(f"are {shape_in_cause}" for e in lax.evidence)
    line = region_line(a.regions[0])
    assert f"pores {shape_in_cause}" in line, (line, lax.evidence)
    other = "mostly round" if shape_in_cause == "stretched" else "stretched"
    assert other not in line and not any(f"are {other}" in e for e in lax.evidence)
