"""The drawn pores of a pored face are known: ``pore_truth`` names every pore ``pore_shade`` draws, and only those."""

from __future__ import annotations

import cv2
import numpy as np

from porescope.testing.synth import FACE_PORES, pore_shade, pore_truth, pored_face, pored_face_truth

H, W, PX_PER_MM, SEED, DEPTH = 300, 400, 10.0, 7, 0.3


def test_truth_matches_the_shade_at_every_centre():
    shade = pore_shade(H, W, PX_PER_MM, SEED, depth=DEPTH)
    t = pore_truth(H, W, PX_PER_MM, SEED, depth=DEPTH)
    expected = sum(int(share * H * W / PX_PER_MM**2) for _, share in FACE_PORES)
    assert t.count == expected  # about one per mm²
    rows, cols = t.y_px.astype(int), t.x_px.astype(int)
    assert np.allclose(1.0 - shade[rows, cols], t.darkening, atol=1e-6)
    assert set(np.unique(t.diameter_px)) == {2 * s * PX_PER_MM for s, _ in FACE_PORES}


def test_no_pore_is_drawn_where_the_truth_has_none():
    shade = pore_shade(H, W, PX_PER_MM, SEED, depth=DEPTH)
    t = pore_truth(H, W, PX_PER_MM, SEED, depth=DEPTH)
    far = np.ones((H, W), np.uint8)
    far[t.y_px.astype(int), t.x_px.astype(int)] = 0
    dist = cv2.distanceTransform(far, cv2.DIST_L2, 5)
    # Beyond 4 sigma of the larger pores a Gaussian has fallen to exp(-8) of its peak: no pore is drawn there.
    outside = dist > 4 * max(s for s, _ in FACE_PORES) * PX_PER_MM
    assert outside.sum() > 0.02 * H * W
    assert (1.0 - shade[outside]).max() < 0.01 * DEPTH


def test_pored_face_truth_is_in_its_output_pixels():
    src = np.full((60, 80, 3), 200, np.uint8)
    img = pored_face(src, (0.0, 0.0, 80.0), (W, H), PX_PER_MM, SEED)
    t = pored_face_truth((W, H), PX_PER_MM, SEED)
    assert img.shape == (H, W, 3)
    grey = img[..., 1].astype(float)
    at = grey[t.y_px.astype(int), t.x_px.astype(int)]
    assert np.allclose(at, np.floor(200 * (1.0 - t.darkening)), atol=1.0)
