"""Pictures the web app sends to the browser: the photo and its transparent layers.

The viewer stacks three images of the same size: the photo (JPEG), the pore
layer and the region layer (palette PNGs, transparent where there is nothing
to show). Keeping them apart lets the page toggle pores and regions without a
round trip, and keeps each encode cheap: a 12 MP palette PNG writes in about
0.2 s here, an RGBA one in about a second (measured on the development machine).
"""

from __future__ import annotations

import io as _io
import logging

import cv2
import numpy as np
from PIL import Image

from porescope.errors import ImageError
from porescope.measure.detail import quick_detail_problems
from porescope.measure.imaging import lightness
from porescope.measure.quality import MIN_PX_PER_MM, assess
from porescope.output.render import DARK_RGB, OPEN_RGB, REGION_RGB
from porescope.results import QualityProblem

log = logging.getLogger(__name__)

#: Longest side of the copy the quick capture check runs on. The full analysis
#: re-checks at full resolution; this only has to be fast (~0.1 s).
QUICK_MAX_SIDE_PX = 1280
#: zlib level for the layer PNGs: level 3 measured fastest on sparse 12 MP
#: palette images here (0.17 s vs 0.24 s at 1 and 0.39 s at 6).
LAYER_PNG_LEVEL = 3
#: JPEG quality of the photo layer (the original stays untouched in the store).
PHOTO_JPEG_QUALITY = 90
#: Fill opacity (0-255) of pore interiors: keeps pores visible when the browser
#: shrinks a 12 MP photo to screen size and 1-px outlines vanish.
PORE_FILL_ALPHA = 90

#: Longest side of the region layer (the browser stretches it over the photo).
REGION_LAYER_MAX_SIDE_PX = 1200

# Palette indices of the pore layer (edge = fill + 2, used in pore_layer_png).
_P_NONE, _P_DARK_FILL, _P_OPEN_FILL, _P_DARK_EDGE, _P_OPEN_EDGE = range(5)


def _palette_png(index: np.ndarray, colours: list[tuple[int, int, int]], alphas: list[int]) -> bytes:
    im = Image.fromarray(np.ascontiguousarray(index, dtype=np.uint8), "P")
    flat = [c for rgb in colours for c in rgb]
    im.putpalette(flat + [0] * (768 - len(flat)))
    buf = _io.BytesIO()
    im.save(buf, "PNG", compress_level=LAYER_PNG_LEVEL, transparency=bytes(alphas))
    return buf.getvalue()


def _edges(mask: np.ndarray) -> np.ndarray:
    m = mask.view(np.uint8) if mask.dtype == bool else (mask > 0).astype(np.uint8)
    return (m > 0) & (cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0) == 0)


def pore_layer_png(labels: np.ndarray, dark: np.ndarray) -> bytes:
    """Transparent PNG of the pores: outlined and lightly filled, orange =
    dark/plugged, cyan = open (the CLI overlay's colours).

    Parameters
    ----------
    labels : numpy.ndarray of int
        Pore label image (0 = no pore, pore ids from 1).
    dark : numpy.ndarray of bool
        Per pore, indexed by pore id - 1: True for dark/plugged.

    Returns
    -------
    bytes
        A palette PNG the size of ``labels``.
    """
    pores = labels > 0
    idx = np.zeros(labels.shape, np.uint8)
    if pores.any():
        dark_lut = np.concatenate([[False], np.asarray(dark, bool)])
        # Only pore pixels are looked up (a few % of the frame): ~5x faster than a full-frame take.
        idx[pores] = np.where(dark_lut[labels[pores]], np.uint8(_P_DARK_FILL), np.uint8(_P_OPEN_FILL))
        idx += _edges(pores).view(np.uint8) * np.uint8(_P_DARK_EDGE - _P_DARK_FILL)  # fill -> edge of the same kind
    return _palette_png(idx, [(0, 0, 0), DARK_RGB, OPEN_RGB, DARK_RGB, OPEN_RGB], [0, PORE_FILL_ALPHA, PORE_FILL_ALPHA, 255, 255])


def pore_circles_png(shape: tuple[int, int], pores) -> bytes:
    """Pore layer drawn from stored records (centroid + equivalent diameter),
    for visits whose label image was not kept.

    Parameters
    ----------
    shape : (int, int)
        (height, width) of the photo, px.
    pores : list of porescope.results pore records
        ``x_px``, ``y_px``, ``equiv_diameter_px`` and ``kind`` of each pore.

    Returns
    -------
    bytes
        A palette PNG of that size.
    """
    idx = np.zeros(shape, np.uint8)
    for p in pores:
        r = max(1, int(round(p.equiv_diameter_px / 2)))
        c = (int(round(p.x_px)), int(round(p.y_px)))
        cv2.circle(idx, c, r, _P_DARK_FILL if p.kind == "dark" else _P_OPEN_FILL, -1)
    fill = idx.copy()
    edge = _edges(fill > 0)
    idx[edge & (fill == _P_DARK_FILL)] = _P_DARK_EDGE
    idx[edge & (fill == _P_OPEN_FILL)] = _P_OPEN_EDGE
    return _palette_png(idx, [(0, 0, 0), DARK_RGB, OPEN_RGB, DARK_RGB, OPEN_RGB], [0, PORE_FILL_ALPHA, PORE_FILL_ALPHA, 255, 255])


def region_layer_png(region_labels: np.ndarray) -> bytes:
    """Transparent PNG of the region boundaries (yellow) with a faint tint over
    what was not analyzed.

    Drawn at up to :data:`REGION_LAYER_MAX_SIDE_PX` and stretched by the
    browser: region outlines are coarse, and a 12 MP layer would cost ~0.5 s.

    Parameters
    ----------
    region_labels : numpy.ndarray of int
        Region label image (0 = not analyzed).

    Returns
    -------
    bytes
        A palette PNG.
    """
    rl = region_labels.astype(np.uint8, copy=False)
    h, w = rl.shape
    f = min(1.0, REGION_LAYER_MAX_SIDE_PX / max(h, w))
    if f < 1:
        rl = cv2.resize(rl, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_NEAREST)
    grad = cv2.morphologyEx(rl, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)) > 0
    # The frame's own border, so a whole-frame close-up still shows its extent.
    border = np.zeros_like(grad)
    border[:2], border[-2:], border[:, :2], border[:, -2:] = True, True, True, True
    grad |= border & (rl > 0)
    idx = np.where(rl == 0, np.uint8(2), np.uint8(0))
    idx[grad] = 1
    return _palette_png(idx, [(0, 0, 0), REGION_RGB, (40, 40, 40)], [0, 255, 110])


def region_centroids(region_labels: np.ndarray, names: dict[int, str]) -> list[dict]:
    """Where to write each region's name on the photo.

    Parameters
    ----------
    region_labels : numpy.ndarray of int
        Region label image.
    names : dict of int to str
        Region label -> name.

    Returns
    -------
    list of dict
        ``{name, x_pct, y_pct}`` (percent of the frame) for each region present.
    """
    h, w = region_labels.shape
    small = region_labels[::8, ::8]
    out = []
    for label, name in names.items():
        ys, xs = np.nonzero(small == label)
        if len(xs):
            out.append({"name": name, "x_pct": round(100 * (xs.mean() * 8 + 4) / w, 2), "y_pct": round(100 * (ys.mean() * 8 + 4) / h, 2)})
    return out


def photo_jpeg(rgb: np.ndarray, max_side: int | None = None) -> bytes:
    """The photo as JPEG.

    Parameters
    ----------
    rgb : numpy.ndarray of uint8, (h, w, 3)
        The photo.
    max_side : int, optional
        Shrink so the longest side is at most this, px.

    Returns
    -------
    bytes
        JPEG at :data:`PHOTO_JPEG_QUALITY`.
    """
    if max_side and max(rgb.shape[:2]) > max_side:
        rgb = shrink(rgb, max_side)
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, PHOTO_JPEG_QUALITY])
    if not ok:  # pragma: no cover - OpenCV always encodes uint8 RGB
        raise ImageError("could not encode the photo for display.")
    return buf.tobytes()


def shrink(rgb: np.ndarray, max_side: int) -> np.ndarray:
    """A photo at most ``max_side`` px on its longest side (area averaging; unchanged when already smaller).

    Parameters
    ----------
    rgb : numpy.ndarray
        The photo.
    max_side : int
        Longest side, px.
    """
    h, w = rgb.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def shrink_labels(labels: np.ndarray, max_side: int) -> np.ndarray:
    """A label image at most ``max_side`` px on its longest side (nearest
    neighbour, so labels stay labels).

    Parameters
    ----------
    labels : numpy.ndarray of int
        The label image.
    max_side : int
        Longest side, px.
    """
    h, w = labels.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return labels
    return cv2.resize(labels, (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_NEAREST)


def quick_quality_rgb(rgb: np.ndarray, full_size: tuple[int, int], *, px_per_mm: float | None = None):
    """Run the capture-quality gate on a reduced copy of a photo.

    Fast (~0.1 s) so the page can check a photo or webcam frame before the
    full analysis. Sharpness is judged on the reduced copy, which looks
    sharper than the original; the full analysis checks again.

    Parameters
    ----------
    rgb : numpy.ndarray of uint8
        The reduced copy.
    full_size : (int, int)
        (width, height) of the full, upright photo, px.
    px_per_mm : float, optional
        Scale of the full photo; resolution is judged at full size.

    Returns
    -------
    (porescope.results.Quality, dict)
        The verdict, and ``info`` with the real size and the checked size.
    """

    w, h = full_size
    f = rgb.shape[1] / w if w else 1.0
    skin = np.ones(rgb.shape[:2], bool)
    q = assess(rgb, skin, lightness(rgb), px_per_mm=px_per_mm * f if px_per_mm else None)
    if px_per_mm:  # resolution is a property of the full photo, not of the reduced copy
        q.problems = [p for p in q.problems if p.code != "pores_too_small_to_resolve"]
        if px_per_mm < MIN_PX_PER_MM:
            q.problems.append(_low_res_problem(px_per_mm))
    # What the photo really resolves, and whether it was smoothed (when the copy is its own pixels).
    q.problems += quick_detail_problems(rgb, skin, px_per_mm=px_per_mm * f if px_per_mm else None, own_pixels=f >= 0.99)
    q.measurable = not any(p.severity == "blocking" for p in q.problems)
    return q, {"width_px": w, "height_px": h, "checked_width_px": rgb.shape[1], "checked_height_px": rgb.shape[0]}


def _low_res_problem(px_per_mm: float) -> QualityProblem:
    return QualityProblem(
        code="pores_too_small_to_resolve", severity="warning", value=round(px_per_mm, 2), limit=MIN_PX_PER_MM,
        message=f"At {px_per_mm:.1f} px/mm pores span under 2 px: only the visibility score will be meaningful. Move closer.",
    )
