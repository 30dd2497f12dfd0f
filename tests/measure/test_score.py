"""Per-pore measurements on shapes with known geometry; the visibility score's properties."""

from __future__ import annotations

import math

import numpy as np
import pytest

from porescope.measure.pipeline import run
from porescope.measure.pores.measure import DARK_CORE_CONTRAST, contrast_pct, delta_lstar, measure
from porescope.measure.pores.score import visibility_score
from porescope.results import Analysis, json_schema
from porescope.testing.synth import SkinSpec, render


def ellipse_labels(a: float, b: float, angle_deg: float, size: int = 101) -> np.ndarray:
    """Pixels whose centre lies inside an ellipse (semi-axes a, b; angle counter-clockwise from +x)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    dx, dy = xx - size // 2, -(yy - size // 2)  # y up, so the angle is counter-clockwise on screen
    t = math.radians(angle_deg)
    u = dx * math.cos(t) + dy * math.sin(t)
    v = -dx * math.sin(t) + dy * math.cos(t)
    return ((u / a) ** 2 + (v / b) ** 2 <= 1.0).astype(np.int32)


@pytest.mark.parametrize("a,b,angle", [(20, 10, 0), (20, 10, 30), (24, 8, -60), (15, 15, 0)])
def test_ellipse_geometry(a, b, angle):
    lab = ellipse_labels(a, b, angle)
    t = measure(lab, 1, np.full(lab.shape, 0.1, np.float32), np.zeros(lab.shape, np.float32))
    assert t.area_px[0] == pytest.approx(math.pi * a * b, rel=0.03)
    assert t.major_axis_px[0] == pytest.approx(2 * a, rel=0.04)
    assert t.minor_axis_px[0] == pytest.approx(2 * b, rel=0.06)
    assert t.elongation[0] == pytest.approx(a / b, rel=0.08)
    if a != b:
        diff = (t.orientation_deg[0] - angle + 90) % 180 - 90
        assert abs(diff) < 2.0
    assert t.x_px[0] == pytest.approx(50, abs=0.3) and t.y_px[0] == pytest.approx(50, abs=0.3)


def test_contrast_and_kind():
    lab = np.zeros((40, 80), np.int32)
    lab[10:20, 10:20] = 1
    lab[10:20, 50:60] = 2
    dark = np.zeros(lab.shape, np.float32)
    dark[lab == 1] = 0.1
    dark[lab == 2] = DARK_CORE_CONTRAST + 0.1
    background = np.full(lab.shape, math.log(0.34), np.float32)  # linear luminance of skin at L* 65
    t = measure(lab, 2, dark, background)
    assert t.contrast[0] == pytest.approx(0.1, abs=1e-6)
    # 0.1 ln units is 9.5% less light; on L* 65 skin that is about 3.0 ΔL*.
    assert contrast_pct(t.contrast)[0] == pytest.approx(9.516, abs=0.01)
    assert t.contrast_dl[0] == pytest.approx(float(delta_lstar(np.log(0.34), 0.1)), abs=1e-6)
    assert 2.5 < t.contrast_dl[0] < 3.5
    assert list(t.dark) == [False, True]


def test_relative_contrast_is_exposure_free_but_delta_lstar_is_not():
    # The same pore (10% less light) on skin twice as bright: same relative contrast, larger ΔL*.
    dim, bright = delta_lstar(np.log(0.2), 0.1), delta_lstar(np.log(0.4), 0.1)
    assert bright > dim * 1.15


def test_score_rises_with_count_size_contrast():
    base = visibility_score(np.full(100, 30.0), np.full(100, 0.1), 1e5)
    more = visibility_score(np.full(200, 30.0), np.full(200, 0.1), 1e5)
    bigger = visibility_score(np.full(100, 60.0), np.full(100, 0.1), 1e5)
    darker = visibility_score(np.full(100, 30.0), np.full(100, 0.2), 1e5)
    assert 0 < base < more <= 100 and base < bigger and base < darker
    assert visibility_score(np.array([]), np.array([]), 1e5) == 0.0


def test_score_is_scale_free():
    # Same skin, same pores, twice the pixel scale: areas x4 and skin area x4.
    a = visibility_score(np.full(50, 20.0), np.full(50, 0.15), 4e4)
    b = visibility_score(np.full(50, 80.0), np.full(50, 0.15), 16e4)
    assert a == pytest.approx(b)


def test_score_orders_synthetic_photos():
    faint = render(SkinSpec(seed=2, pore_contrast=(0.08, 0.12), dark_fraction=0.0))
    strong = render(SkinSpec(seed=2, pore_contrast=(0.25, 0.35), dark_fraction=0.0))
    sparse = render(SkinSpec(seed=2, pore_density_per_mpx=1200))
    s_faint = run(faint.rgb, mode="closeup").analysis.regions[0].visibility_score
    s_strong = run(strong.rgb, mode="closeup").analysis.regions[0].visibility_score
    s_sparse = run(sparse.rgb, mode="closeup").analysis.regions[0].visibility_score
    s_dense = run(render(SkinSpec(seed=2)).rgb, mode="closeup").analysis.regions[0].visibility_score
    assert s_faint < s_strong and s_sparse < s_dense


def test_region_metrics_consistent(skin):
    a = run(skin.rgb, px_per_mm=20.0, mode="closeup").analysis
    r = a.regions[0]
    clear = [p for p in a.pores if p.clear]
    # The headline numbers count the clear pores; the faint ones are listed beside them.
    assert r.pore_count == len(clear) and r.pore_count + r.faint_pore_count == len(a.pores)
    assert a.settings.analysis_px_per_mm == 10.0  # 20 px/mm photo analysed at the fixed 10 px/mm
    assert r.area_cm2 == pytest.approx(skin.rgb.shape[0] * skin.rgb.shape[1] / 400 / 100, rel=1e-3)
    assert r.density_per_cm2 == pytest.approx(r.pore_count / r.area_cm2, rel=1e-3)
    # Pore areas come from the 10 px/mm analysis, x4 back to photo pixels, and are rounded to whole pixels in the records.
    assert r.coverage_pct == pytest.approx(100 * sum(p.area_px for p in clear) / r.area_px, rel=1e-2)
    assert 0 <= r.dark_share <= 1 and 0 <= r.large_pore_share <= 1
    assert all(p.area_mm2 == pytest.approx(p.area_px / 400, rel=1e-3) for p in a.pores[:50])


def test_elongated_aligned_pores_show_coherence():
    aligned = render(SkinSpec(seed=3, elongation=(2.0, 2.6), orientation_deg=30.0))
    random = render(SkinSpec(seed=3, elongation=(2.0, 2.6)))
    ra = run(aligned.rgb, mode="closeup").analysis.regions[0]
    rr = run(random.rgb, mode="closeup").analysis.regions[0]
    assert ra.mean_elongation > 1.6
    assert ra.orientation_coherence > 0.7 > rr.orientation_coherence
    assert abs((ra.dominant_orientation_deg - 30 + 90) % 180 - 90) < 10


def test_result_round_trips_through_json(skin):
    a = run(skin.rgb, mode="closeup").analysis
    back = Analysis.model_validate_json(a.model_dump_json())
    assert back == a
    assert json_schema()["title"] == "Analysis"
