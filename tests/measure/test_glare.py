"""Glare (shine) is judged against the skin's own light, so a capture change cannot create it (issue 22)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from porescope.measure.imaging import GLARE_LIFT, glare_pixels
from porescope.measure.pipeline import run
from porescope.measure.recapture import COOLER, exposure, white_balance
from porescope.testing.synth import SkinSpec, render


def shiny_skin() -> np.ndarray:
    """Synthetic skin with an oily shine patch: a soft, bright, colourless blob over ~8% of it (as test_quality's)."""
    rgb = render(SkinSpec(seed=1)).rgb.astype(np.float32)
    shine = np.zeros(rgb.shape[:2], np.float32)
    cv2.circle(shine, (300, 250), 90, 1.0, -1)
    shine = cv2.GaussianBlur(shine, (0, 0), 12)[..., None]
    return np.clip(rgb * (1 - shine) + 252 * shine, 0, 255).astype(np.uint8)


def test_bright_pale_skin_is_not_glare_but_a_highlight_on_it_is():
    skin = np.full((40, 40, 3), (236, 238, 240), np.uint8)  # bright, colourless skin: the skin's own level, not above it
    assert not glare_pixels(skin).any()
    lifted = np.full((40, 40, 3), (150, 120, 100), np.uint8)  # ordinary skin with a white glint
    lifted[:8, :8] = 250
    g = glare_pixels(lifted)
    assert g[:8, :8].all() and g.sum() == 64


def test_glare_needs_the_lift_over_the_skin():
    # A near-white patch only a little brighter than the skin around it (1.2x in linear light, under GLARE_LIFT) is no glare.
    base = 215.0
    skin = np.full((40, 40, 3), base, np.float32)
    patch = base * (1.2 ** (1 / 2.2))
    assert 1.2 < GLARE_LIFT
    skin[:10] = patch
    assert not glare_pixels(np.clip(skin, 0, 255).astype(np.uint8)).any()


@pytest.mark.parametrize("change", ["exposure x1.05", "cooler light", "x1.05 and cooler"])
def test_shine_patch_reads_the_same_under_exposure_and_white_balance(change):
    # (A darker exposure can take a highlight under the near-white level, GLINT_LEVEL, as before: only what a
    # brighter or cooler re-take could create is checked.)
    rgb = shiny_skin()
    changed = {"exposure x1.05": lambda im: exposure(im, 1.05),
               "cooler light": lambda im: white_balance(im, COOLER),
               "x1.05 and cooler": lambda im: white_balance(exposure(im, 1.05), COOLER)}[change](rgb)
    g0 = run(rgb, mode="closeup").analysis.quality.glare_fraction
    g1 = run(changed, mode="closeup").analysis.quality.glare_fraction
    assert g0 > 0.03
    # Within 1.5 points of skin (the patch's soft rim crosses the near-white level at a slightly different radius).
    assert g1 == pytest.approx(g0, abs=0.015)


def test_brighter_cooler_retake_of_a_face_reads_no_more_glare():
    skdata = pytest.importorskip("skimage.data")
    face = cv2.resize(skdata.astronaut(), (1536, 1536), interpolation=cv2.INTER_CUBIC)  # as benchmarks/bench_causes.py
    shot = run(face, mode="face").analysis
    retake = run(white_balance(exposure(face, 1.05), COOLER), mode="face").analysis
    # Before glare was judged against the skin's own light, the re-take read 10% glare (its clipped red channel, then a
    # cooler light, left bright skin pale), a 'glare' warning, and clogging 'possible'.
    assert retake.quality.glare_fraction <= shot.quality.glare_fraction + 0.005
    assert not {"glare", "region_glare"} & {p.code for p in retake.quality.problems}
