"""Beards and moustaches of any colour are left out of the face regions (issue 21), not only dark ones.

A chin beard and moustache of short strokes is painted onto the astronaut (enlarged 3x, so the strokes span several
pixels as real hairs do in a phone photo) in four colours: dark brown, grey, white and blond. The regions found in the
painted photo may not lie on the strokes, and must leave out nearly all of the beard's area that the unpainted
photo's regions covered.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from porescope.measure.regions import find_regions

SCALE = 3
#: (low, high) grey level of the strokes and their tint (R, G, B factors).
COLOURS = {
    "dark": (25, 70, (1.0, 0.8, 0.6)),
    "grey": (120, 170, (1.0, 1.0, 1.0)),
    "white": (200, 240, (1.0, 1.0, 1.0)),
    "blond": (150, 200, (1.0, 0.85, 0.55)),
}


def _beard(base: np.ndarray, colour: str, seed: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(painted photo, the beard's area) on the astronaut enlarged SCALE x: chin, jaw and above the upper lip."""
    lo, hi, tint = COLOURS[colour]
    out = base.copy()
    rng = np.random.default_rng(seed)
    area = np.zeros(base.shape[:2], np.uint8)
    cv2.ellipse(area, (224 * SCALE, 162 * SCALE), (40 * SCALE, 22 * SCALE), 0, 0, 180, 255, -1)
    cv2.ellipse(area, (226 * SCALE, 139 * SCALE), (18 * SCALE, 4 * SCALE), 0, 180, 360, 255, -1)
    ys, xs = np.nonzero(area)
    for i in rng.choice(len(ys), 2500):
        y, x = int(ys[i]), int(xs[i])
        c = tuple(int(v) for v in rng.integers(lo, hi, 3) * np.array(tint))
        cv2.line(out, (x, y), (x + int(rng.integers(-5, 6)), y + int(rng.integers(3, 10))), c, 2)
    return out, area > 0


@pytest.fixture(scope="module")
def big_astronaut(astronaut):
    img = cv2.resize(astronaut, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_CUBIC)
    return img, find_regions(img, mode="face").label_image()


@pytest.mark.parametrize("colour", sorted(COLOURS))
def test_beard_and_moustache_are_left_out(big_astronaut, colour):
    plain, plain_labels = big_astronaut
    img, area = _beard(plain, colour)
    strokes = np.any(img != plain, axis=2)
    regions = find_regions(img, mode="face")
    labels = regions.label_image()
    covered_before = np.count_nonzero((plain_labels > 0) & area)
    assert covered_before > 2000  # the unpainted chin, lip and jaw skin lies in the regions
    on_strokes = np.count_nonzero((labels > 0) & strokes)
    assert on_strokes <= 0.002 * np.count_nonzero(labels > 0), f"{on_strokes} region px on the {colour} beard"
    assert np.count_nonzero((labels > 0) & area) <= 0.1 * covered_before
    assert {"forehead", "nose", "left_cheek", "right_cheek"} <= {r.name for r in regions.regions}  # the rest of the face stays
