"""The capture-quality gate."""

from __future__ import annotations

import cv2
import numpy as np

from porescope.measure.pipeline import run
from porescope.testing.synth import SkinSpec, render


def codes(rgb, **kw):
    q = run(rgb, mode="closeup", **kw).analysis.quality
    return {p.code: p.severity for p in q.problems}, q


def test_clean_photo_has_no_blocking_problem(skin):
    c, q = codes(skin.rgb)
    assert q.measurable and "too_blurry" not in c and "underexposed" not in c


def test_blur_detected():
    blurred = render(SkinSpec(seed=1, blur_sigma=2.5, noise_sigma=0.5))
    c, q = codes(blurred.rgb)
    assert c.get("too_blurry") == "blocking" and not q.measurable


def test_dark_photo_detected(skin):
    c, q = codes((skin.rgb * 0.04).astype(np.uint8))
    assert c.get("underexposed") == "blocking" and not q.measurable
    c2, q2 = codes((skin.rgb * 0.3).astype(np.uint8))
    assert "underexposed" in c2


def test_clipped_and_glare_detected():
    rgb = render(SkinSpec(seed=1)).rgb.astype(np.float32)
    # An oily shine patch: a soft, bright, colourless blob over ~8% of the skin.
    shine = np.zeros(rgb.shape[:2], np.float32)
    cv2.circle(shine, (300, 250), 90, 1.0, -1)
    shine = cv2.GaussianBlur(shine, (0, 0), 12)[..., None]
    shiny = np.clip(rgb * (1 - shine) + 252 * shine, 0, 255).astype(np.uint8)
    c, q = codes(shiny)
    assert "glare" in c and q.glare_fraction > 0.03
    blown = np.clip(render(SkinSpec(seed=1)).rgb.astype(int) * 3, 0, 255).astype(np.uint8)
    c2, q2 = codes(blown)
    assert c2.get("clipped_highlights") == "blocking" and not q2.measurable


def test_noise_detected():
    noisy = render(SkinSpec(seed=1, noise_sigma=9.0))
    c, _ = codes(noisy.rgb)
    assert "noisy" in c


def test_coarse_scale_flagged_and_counts_marked(skin):
    small = cv2.resize(skin.rgb, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    a = run(small, px_per_mm=5.0, mode="closeup").analysis
    assert "pores_too_small_to_resolve" in {p.code for p in a.quality.problems}
    assert a.scale.resolves_pores is False and not a.regions[0].counts_meaningful
