"""Issue 22 item 8: raising --sensitivity finds fainter pores without merging neighbours, so the count never falls.

Before, the grow threshold (which draws each pore's outline) was divided by the sensitivity too: pores grew into
each other and merged, and the real cheek's count fell 451 -> 399 -> 275 at 1, 2, 4 while coverage rose.
"""

from __future__ import annotations

import numpy as np
import pytest

from porescope.measure.pipeline import run
from porescope.measure.pores.detect import detect
from porescope.measure.pores.params import DetectorParams
from porescope.testing.synth import SkinSpec, render

LEVELS = (0.5, 1.0, 2.0, 4.0)


def _counts(rgb, roi, px_per_mm):
    out = []
    for s in LEVELS:
        g = run(rgb, roi=roi, px_per_mm=px_per_mm, mode="closeup", sensitivity=s).analysis.regions[0]
        out.append((g.pore_count, g.pore_count + g.faint_pore_count))
    return out


def _assert_monotonic(counts):
    clear = [c for c, _ in counts]
    found = [f for _, f in counts]
    assert clear == sorted(clear), f"counted pores fell as sensitivity rose: {dict(zip(LEVELS, clear))}"
    assert found == sorted(found), f"found pores fell as sensitivity rose: {dict(zip(LEVELS, found))}"
    assert clear[-1] > clear[1], "sensitivity 4 found no fainter pore than 1"


@pytest.mark.parametrize("name", ["cheek_imgleft", "glabella"])
@pytest.mark.parametrize("px_per_mm", [10.0, None])
def test_count_never_falls_on_real_crops(real_crops, name, px_per_mm):
    rgb, _, roi = real_crops[name]
    _assert_monotonic(_counts(rgb, roi, px_per_mm))


@pytest.mark.parametrize("seed", [7, 11])
def test_count_never_falls_on_synthetic_skin(seed):
    sk = render(SkinSpec(height=384, width=384, pore_diameter_px=(5.0, 9.0), pore_density_per_mpx=3000, seed=seed))
    _assert_monotonic(_counts(sk.rgb, None, None))


def _pores(det):
    """Each pore as the frozenset of its pixels, and which are clear."""
    order = np.argsort(det.pixel_label, kind="stable")
    groups = np.split(det.pixel_index[order], np.cumsum(np.bincount(det.pixel_label, minlength=det.count + 1)[1:])[:-1])
    return [frozenset(g.tolist()) for g in groups], det.clear


def test_higher_sensitivity_keeps_every_pore_with_its_outline(real_crops):
    """Every pore found (and every clear pore) at sensitivity 1 is found (clear) at 2 with exactly the same pixels:
    no merging, no growing; the new ones are extra."""
    rgb, _, roi = real_crops["cheek_imgleft"]
    low, low_clear = _pores(detect(rgb, roi, min_diameter_px=0.8, max_diameter_px=12.0, px_per_mm=10.0, params=DetectorParams(sensitivity=1.0)))
    high, high_clear = _pores(detect(rgb, roi, min_diameter_px=0.8, max_diameter_px=12.0, px_per_mm=10.0, params=DetectorParams(sensitivity=2.0)))
    high_set = set(high)
    high_clear_set = {p for p, c in zip(high, high_clear) if c}
    assert all(p in high_set for p in low)
    assert all(p in high_clear_set for p, c in zip(low, low_clear) if c)
    assert len(high) > len(low)

