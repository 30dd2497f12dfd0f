"""Real framings of a real face photo, made at test time (nothing stored).

The face is ``skimage.data.astronaut()``: NASA's portrait of astronaut
Eileen Collins, public domain (scikit-image ships it; see its docstring).
The one other real, openly licensed face found in the installed packages is
matplotlib's sample ``grace_hopper.jpg`` (U.S. Navy portrait, public domain;
used as it is in ``tests/measure/test_face_coverage.py``); scikit-image's ``camera``
shows a face hidden by a camera, its ``lfw_subset`` faces are 25x25 px, and
OpenCV, Pillow and imageio ship no portrait.

Each variant is made by crop, pad, rotate, rescale, darken or cover, as
people really frame selfies and skin captures. ``variants()`` returns
name -> (image, transform); :func:`map_points` carries the hand-placed points
of ``tests/data/astronaut_face_points.json`` into a variant.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

POINTS_FILE = Path(__file__).parent / "data" / "astronaut_face_points.json"


def hand_points() -> dict[str, tuple[float, float]]:
    return {k: tuple(v) for k, v in json.loads(POINTS_FILE.read_text())["points"].items()}


def _warp(img, m, size, border=(128, 128, 128)):
    return cv2.warpAffine(img, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=border)


def crop_scale(x0, y0, x1, y1, out_w):
    """Affine matrix and output size for the crop (x0, y0)-(x1, y1) of the
    512 px astronaut scaled to ``out_w`` px wide (a crop may reach past the
    photo: that part is a grey border)."""
    f = out_w / (x1 - x0)
    return np.array([[f, 0, -x0 * f], [0, f, -y0 * f]]), (int(round(out_w)), int(round((y1 - y0) * f)))


def _cover_eyes(m, colour=(22, 22, 26)):
    """Dark lenses over both eyes (sunglasses)."""
    pts = hand_points()

    def f(im):
        im = im.copy()
        for p in (pts["right_pupil"], pts["left_pupil"]):
            q = m @ np.array([p[0], p[1], 1.0])
            r = 14 * m[0, 0]
            cv2.ellipse(im, (int(q[0]), int(q[1])), (int(r), int(r * 0.75)), 0, 0, 360, colour, -1)
        return im
    return f


def _close_eyes(img_src):
    """Eyes closed: each eye replaced by the skin just below it (lid-coloured, no iris)."""
    a = img_src.copy()
    for cx, cy in ((205, 102), (247, 103)):
        patch = a[cy + 8 : cy + 16, cx - 12 : cx + 12]
        a[cy - 5 : cy + 3, cx - 12 : cx + 12] = patch
    return a


def _beard(img_src, seed=5):
    """A dark chin beard and moustache (short dark strokes, hair-like)."""
    a = img_src.copy()
    rng = np.random.default_rng(seed)
    mask = np.zeros(a.shape[:2], np.uint8)
    cv2.ellipse(mask, (224, 162), (40, 22), 0, 0, 180, 255, -1)  # lower half-ellipse: jaw and chin
    cv2.ellipse(mask, (226, 139), (18, 4), 0, 180, 360, 255, -1)  # moustache above the upper lip
    ys, xs = np.nonzero(mask)
    for i in rng.choice(len(ys), 900):
        y, x = int(ys[i]), int(xs[i])
        c = tuple(int(v) for v in rng.integers(25, 70, 3) * np.array([1.0, 0.8, 0.6]))
        cv2.line(a, (x, y), (x + int(rng.integers(-2, 3)), y + int(rng.integers(1, 4))), c, 1)
    return a


def _dim(gamma, gain, seed):
    rng = np.random.default_rng(seed)
    return lambda im: np.clip(255 * (im / 255.0) ** gamma * gain + rng.normal(0, 2.5, im.shape), 0, 255).astype(np.uint8)


def variants(a: np.ndarray) -> dict[str, tuple[np.ndarray, object]]:
    """name -> (RGB image, transform for :func:`map_points`)."""
    out: dict[str, tuple[np.ndarray, object]] = {}

    def add(name, m_size, post=None, src=None, border=(128, 128, 128)):
        m, size = m_size
        img = _warp(a if src is None else src, m, size, border)
        out[name] = (post(img) if post else img, m)

    def add_rot(name, m_size, k, src=None):
        m, size = m_size
        out[name] = (np.ascontiguousarray(np.rot90(_warp(a if src is None else src, m, size), k)), ("rot", k, m, size))

    selfie = crop_scale(75, 20, 475, 320, 1600)  # head and shoulders, 4:3
    tight = crop_scale(160, 50, 290, 200, 1000)  # face fills most of the frame
    add("selfie", selfie)
    add("fill_frame", crop_scale(172, 62, 280, 186, 900))
    add("fill_frame_tighter", crop_scale(185, 85, 265, 170, 1000))
    add("cut_forehead_and_chin", crop_scale(165, 86, 287, 168, 1000))
    add("cut_forehead_chin_and_sides", crop_scale(195, 90, 255, 150, 1000))
    add("cut_sides", crop_scale(188, 55, 264, 192, 700))
    add("band_eyes_to_lip", crop_scale(150, 92, 300, 138, 1200))
    add("cut_below_mouth", crop_scale(140, 30, 310, 152, 1100))
    add("cut_above_brows", crop_scale(140, 95, 310, 220, 1100))
    add("half_face_cut_side", crop_scale(205, 50, 320, 200, 800))
    add("padded_grey_border", crop_scale(120, 20, 330, 230, 900))
    add("eyes_closed", tight, src=_close_eyes(a))
    add("eyes_closed_cut", crop_scale(180, 90, 270, 160, 1000), src=_close_eyes(a))
    add("beard", tight, src=_beard(a))
    add("beard_selfie", selfie, src=_beard(a))
    add("sunglasses", selfie, post=_cover_eyes(selfie[0]))
    add("sunglasses_tight", tight, post=_cover_eyes(tight[0]))
    add("dim", selfie, post=_dim(2.2, 0.35, 1))
    add("dim_fill_frame", crop_scale(172, 62, 280, 186, 900), post=_dim(2.0, 0.4, 2))
    add("half_size_cut", crop_scale(165, 86, 287, 168, 500))
    for k in (1, 2, 3):
        add_rot(f"selfie_rot{90 * k}", crop_scale(75, 20, 475, 320, 1200), k)
        add_rot(f"fill_frame_rot{90 * k}", crop_scale(172, 62, 280, 186, 900), k)
    add_rot("cut_forehead_and_chin_rot90", crop_scale(165, 86, 287, 168, 1000), 1)
    # Head rolled by 25 degrees in a tight frame.
    m0, size = tight
    r = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), 25, 1.0)
    add("tight_roll25", (r @ np.vstack([m0, [0, 0, 1]]), size))
    # Head turned: the far half of the face foreshortened (an affine stand-in
    # for a ~30 degree turn: cos 30 = 0.87 across the face).
    m0, size = tight
    turn = np.array([[0.87, 0.0, 0.0], [0.06, 1.0, 0.0]])
    add("turned_30", (turn @ np.vstack([m0, [0, 0, 1]]), size))
    # A small face in a large photo: the face ~9% of the width (as 380 px in 4032).
    f = 0.09 * 2000 / 94
    add("small_face_in_large_photo", (np.array([[f, 0, 1000 - 225 * f], [0, f, 800 - 125 * f]]), (2000, 1500)), border=(90, 110, 100))
    return out


def map_points(pts, t) -> np.ndarray:
    """Points of the 512 px astronaut -> the variant's pixels."""
    pts = np.asarray(pts, float).reshape(-1, 2)
    if isinstance(t, tuple):
        _, k, m, (w, h) = t
        p = pts @ m[:, :2].T + m[:, 2]
        for _ in range(k % 4):  # np.rot90 (counter-clockwise): (x, y) -> (y, w - 1 - x)
            p = np.column_stack([p[:, 1], w - 1 - p[:, 0]])
            w, h = h, w
        return p
    return pts @ t[:, :2].T + t[:, 2]


def scale_of(t) -> float:
    """Variant px per astronaut px."""
    m = t[2] if isinstance(t, tuple) else t
    return float(np.sqrt(abs(np.linalg.det(m[:, :2]))))
