"""Honest change: verdicts with noise intervals, registration, capture-change noise; no post-hoc correction."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import numpy as np
import pytest
from history_helpers import BASE, worse_spec

from porescope.errors import PorescopeError
from porescope.measure import register
from porescope.measure.pipeline import run
from porescope.measure.recapture import CAPTURE_CHANGES, rotate_scale
from porescope.testing.synth import render, with_
from porescope.track import change


def _visit(i, day, **kw):
    return SimpleNamespace(id=i, taken_at=datetime(2026, 1, day), **kw)


def _compare(rgb_a, rgb_b, px_per_mm=10.0, **kw):
    """Two close-ups with a known scale (a ruler sticker or --px-per-mm), as a careful user takes them."""
    ra, rb = run(rgb_a, mode="closeup", px_per_mm=px_per_mm), run(rgb_b, mode="closeup", px_per_mm=px_per_mm)
    na = change.perturbation_noise(rgb_a, ra.analysis)
    nb = change.perturbation_noise(rgb_b, rb.analysis)
    return change.compare_visits(
        "t",
        change.Side(visit=_visit(1, 1), analysis=ra.analysis, noise=na, photo=rgb_a),
        change.Side(visit=_visit(2, 20), analysis=rb.analysis, noise=nb, photo=rgb_b),
        **kw,
    )


@pytest.fixture(scope="module")
def base_rgb():
    return render(BASE).rgb


def test_real_change_is_worse(base_rgb):
    c = _compare(base_rgb, render(worse_spec()).rgb)
    r = c.region("frame")
    assert r.verdict == "worse"
    by = {m.metric: m for m in r.metrics}
    assert by["pore_count"].verdict == "worse" and by["pore_count"].low > 0


def test_reexposure_is_no_detectable_change(base_rgb):
    c = _compare(base_rgb, render(with_(BASE, exposure=1.10)).rgb)
    r = c.region("frame")
    assert r.verdict == "no_detectable_change"
    assert c.alignment.startswith(("orb", "ecc"))
    for m in r.metrics:
        assert m.low <= 0 <= m.high, m


def test_fewer_pores_is_improved(base_rgb):
    fewer = with_(BASE, pore_density_per_mpx=BASE.pore_density_per_mpx * 0.6, pore_contrast=(0.08, 0.15))
    c = _compare(base_rgb, render(fewer).rgb)
    assert c.region("frame").verdict == "improved"


def test_interval_and_verdict_rules():
    assert change.interval(1.0, 0.0, 0.0) == (1.0, 1.0)
    lo, hi = change.interval(0.0, 3.0, 4.0)
    assert hi == pytest.approx(1.96 * 5) and lo == pytest.approx(-1.96 * 5)
    assert change.verdict(-3, -1) == "improved"
    assert change.verdict(1, 3) == "worse"
    assert change.verdict(-1, 1) == "no_detectable_change"
    assert change.verdict(0, 0) == "no_detectable_change"
    m = change.metric_change("frame", "visibility_score", 50, 40, 1, 1)
    assert m.delta == -10 and m.verdict == "improved" and m.high < 0


def test_noise_floor_and_repeats(base_rgb):
    a = run(base_rgb, mode="closeup").analysis
    n = change.noise_from_repeats([a, a])  # identical captures: the floor still applies
    vs = a.regions[0].visibility_score
    assert n.source == "repeat_capture"
    assert n.sd["frame"]["visibility_score"] == pytest.approx(max(0.02 * vs, 0.5), rel=1e-3)
    assert n.get("frame", "pore_count", 500) >= 10
    assert n.get("nose", "visibility_score", 40) == pytest.approx(0.8)  # unsampled region: floor
    with pytest.raises(PorescopeError):
        change.noise_from_repeats([a])


def test_perturbation_noise_reports_sd_per_metric(base_rgb):
    a = run(base_rgb, mode="closeup").analysis
    n = change.perturbation_noise(base_rgb, a, n=4)
    assert n.source == "perturbation" and n.samples >= 3
    assert set(n.perturbations) <= set(CAPTURE_CHANGES) and len(n.perturbations) == n.samples - 1
    assert set(n.sd["frame"]) == {"pore_count", "density", "visibility_score", "coverage_pct", "mean_elongation", "dark_share"}
    assert all(v > 0 for v in n.sd["frame"].values())


def test_align_recovers_rotation_and_scale(base_rgb):
    moved, _ = rotate_scale(base_rgb, None, angle_deg=2.5, scale=1.02)
    al = register.align(moved, base_rgb)
    assert al.ok and al.correlation > 0.8
    # moving -> fixed undoes the warp: scale 1/1.02, rotation -2.5 deg.
    s = float(np.hypot(al.matrix[0, 0], al.matrix[1, 0]))
    ang = np.degrees(np.arctan2(al.matrix[1, 0], al.matrix[0, 0]))
    assert s == pytest.approx(1 / 1.02, abs=0.005)
    assert abs(abs(ang) - 2.5) < 0.3


def test_align_refuses_unrelated_skin(base_rgb):
    al = register.align(render(with_(BASE, seed=777)).rgb, base_rgb)
    assert not al.ok and al.method.startswith("none")
    assert np.allclose(al.matrix, np.eye(2, 3))


def test_darker_pores_are_never_called_improved(base_rgb):
    """Darkening the pores (a real change for the worse) with the exposure lowered too:
    no post-hoc colour matching can turn that into 'improved'."""
    darker = render(with_(BASE, pore_contrast=(BASE.pore_contrast[0] * 1.4, BASE.pore_contrast[1] * 1.4), exposure=0.9)).rgb
    c = _compare(base_rgb, darker)
    r = c.region("frame")
    assert r.verdict == "worse"
    assert all(m.verdict != "improved" for m in r.metrics if m.metric in ("visibility_score", "coverage_pct", "density"))


def test_compared_numbers_are_the_stored_ones(base_rgb):
    """Every shell compares the same stored, capture-invariant numbers (no re-analysis inside compare)."""
    b = render(with_(BASE, exposure=1.1)).rgb
    c = _compare(base_rgb, b)
    ra, rb = run(base_rgb, mode="closeup", px_per_mm=10.0).analysis, run(b, mode="closeup", px_per_mm=10.0).analysis
    vis = {m.metric: m for m in c.region("frame").metrics}["visibility_score"]
    assert vis.baseline == pytest.approx(ra.regions[0].visibility_score) and vis.latest == pytest.approx(rb.regions[0].visibility_score)


def test_failed_registration_says_what_was_compared(base_rgb):
    other = render(with_(BASE, seed=777, height=BASE.height - 40)).rgb
    c = _compare(base_rgb, other)
    assert c.alignment.startswith("none") and "whole-frame metrics compared" in c.alignment
    assert any("could not be registered" in n and "differ in size" in n for n in c.notes)


def test_four_degree_rotation_registers(base_rgb):
    moved, _ = rotate_scale(base_rgb, None, angle_deg=4.0)
    al = register.align(moved, base_rgb)
    assert al.ok, al.method


def test_face_without_landmarks_falls_back_to_stored_metrics(base_rgb):
    a = run(base_rgb, mode="closeup").analysis
    fa = a.model_copy(update={"settings": a.settings.model_copy(update={"mode": "face"})})
    n = change.noise_from_repeats([a, a])
    c = change.compare_visits(
        "t",
        change.Side(visit=_visit(1, 1), analysis=fa, noise=n, photo=base_rgb),
        change.Side(visit=_visit(2, 2), analysis=fa, noise=n, photo=base_rgb),
    )
    assert c.alignment.startswith("face regions")
    assert c.region("frame").verdict == "no_detectable_change"


def test_condition_differences_are_noted(base_rgb):
    a = run(base_rgb, mode="closeup").analysis
    n = change.noise_from_repeats([a, a])
    c = change.compare_visits(
        "t",
        change.Side(visit=_visit(1, 1, condition={"makeup": "no"}, device="A", lighting=None), analysis=a, noise=n),
        change.Side(visit=_visit(2, 2, condition={"makeup": "yes"}, device="B", lighting=None), analysis=a, noise=n),
    )
    assert any("makeup: no vs yes" in x for x in c.notes) and any("device" in x for x in c.notes)


def test_without_a_scale_camera_distance_is_part_of_the_noise(base_rgb):
    """With no px/mm, a re-take from 15% farther changes the pixel size of every pore: the count's noise says so."""
    a = run(base_rgb, mode="closeup").analysis
    scaled = run(base_rgb, mode="closeup", px_per_mm=10.0).analysis
    n_free = change.perturbation_noise(base_rgb, a)
    n_scaled = change.perturbation_noise(base_rgb, scaled)
    assert "distance x0.85" in n_free.perturbations and "distance x0.85" in n_scaled.perturbations
    rel = lambda n, an: n.sd["frame"]["pore_count"] / an.regions[0].pore_count  # noqa: E731
    assert rel(n_free, a) > 2 * rel(n_scaled, scaled)


def test_visit_from_an_older_engine_is_remeasured(base_rgb):
    """A stored visit whose numbers came from an older detector (other definitions) is re-measured from its
    photo before comparing, and the comparison says so."""
    a = run(base_rgb, mode="closeup", px_per_mm=10.0).analysis
    old = a.model_copy(update={
        "settings": a.settings.model_copy(update={"detector": "scale-adaptive-darkness-hysteresis"}),
        "regions": [a.regions[0].model_copy(update={"visibility_score": a.regions[0].visibility_score * 0.5})],
    })
    n = change.noise_from_repeats([a, a])
    c = change.compare_visits(
        "t",
        change.Side(visit=_visit(1, 1), analysis=old, noise=n, photo=base_rgb),
        change.Side(visit=_visit(2, 2), analysis=a, noise=n, photo=base_rgb),
    )
    assert c.region("frame").verdict == "no_detectable_change"
    assert any("older porescope" in x and "re-measured" in x for x in c.notes)


def test_unmeasurable_baseline_gives_no_verdict(base_rgb):
    a = run(base_rgb, mode="closeup", px_per_mm=10.0).analysis
    bad = a.model_copy(update={"quality": a.quality.model_copy(update={"measurable": False})})
    n = change.noise_from_repeats([a, a])
    c = change.compare_visits(
        "t",
        change.Side(visit=_visit(1, 1), analysis=bad, noise=n),
        change.Side(visit=_visit(2, 2), analysis=a, noise=n),
    )
    assert c.regions == [] and any("visit 1's photo is not measurable" in x for x in c.notes)
    assert c.summary.startswith("No region could be compared")


def test_shared_skin_is_measured_after_registration(base_rgb):
    """The later photo shows only the left 60% of the first one: registration finds it, and the comparison
    says how much of the first visit's skin the two share."""
    part = np.ascontiguousarray(base_rgb[:, : int(base_rgb.shape[1] * 0.6)])
    c = _compare(base_rgb, part)
    assert c.alignment.startswith(("orb", "ecc")), c.alignment
    pct = int(c.alignment.split("share ")[1].split("%")[0])
    assert 55 <= pct <= 62, c.alignment


def test_photos_that_do_not_resolve_pores_get_no_verdict():
    """A real face at about 1.3 px/mm (the astronaut's head at 800 x 600) and the same 5% brighter: what it shows as
    pores are spots a few pixels wide, so no change is judged (it read 'worse' in one cheek before), and it says why."""
    import cv2
    from skimage.data import astronaut

    from porescope.measure.quality import unresolved_pores
    from porescope.track.change import Noise, Side, compare_visits

    f = 2.0
    face = cv2.warpAffine(astronaut(), np.array([[f, 0, -75 * f], [0, f, -20 * f]]), (800, 600), flags=cv2.INTER_LINEAR)
    brighter = np.clip(face.astype(np.float32) * 1.05, 0, 255).astype(np.uint8)
    a, b = (run(x, mode="face").analysis for x in (face, brighter))
    assert a.quality.measurable and a.scale.px_per_mm < 8
    assert "px/mm on the skin" in unresolved_pores(a)
    none = Noise(source="none", samples=1)
    cmp = compare_visits("s", Side(SimpleNamespace(id=1, taken_at=datetime(2026, 1, 1)), a, none),
                         Side(SimpleNamespace(id=2, taken_at=datetime(2026, 2, 1)), b, none), align=False)
    assert cmp.regions == []
    assert any("not resolve pores" in n and "1.3 px/mm" in n for n in cmp.notes), cmp.notes


def test_different_areas_note_gives_three_significant_figures():
    """Issue 22: no raw decimals in what people read ('8.94778 vs 8.0417 cm²' before)."""
    from history_helpers import BASE

    from porescope.testing.synth import render
    from porescope.track.change import _drop_counts_of_different_areas, key_metrics

    rgb = render(BASE).rgb
    roi = np.zeros(rgb.shape[:2], bool)
    roi[:, : int(rgb.shape[1] * 0.77)] = True
    a = run(rgb, px_per_mm=9.7, mode="closeup").analysis
    b = run(rgb, roi=roi, px_per_mm=9.7, mode="closeup").analysis
    notes = _drop_counts_of_different_areas(a, b, key_metrics(a), key_metrics(b))
    assert len(notes) == 1, notes
    area = a.regions[0].area_cm2
    assert f"({area:.3g} vs " in notes[0] and " cm²)" in notes[0] and str(round(area, 5)) not in notes[0], notes[0]
