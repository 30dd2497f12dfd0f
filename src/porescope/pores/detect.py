"""Find pores: small openings darker than the skin around them.

Stages (each a pure function on arrays):

1. :func:`lightness` — CIELAB L* (0-100) from 8-bit RGB, through a lookup
   table on the luma (fast; skin is close enough to grey-axis for detection).
2. :func:`darkness_map` — illumination-corrected darkness: a smooth local
   background minus the lightly smoothed image, so lighting gradients and skin
   tone cancel out; in ΔL* units.
3. :func:`pore_probability` — per-pixel pore evidence: the learned model when
   it ships (``porescope/models``), else the darkness map in noise units.
4. :func:`segment` — hysteresis threshold on that evidence inside the skin
   mask, then rejection of what is not a pore: too small / too large (spots),
   long and thin (hairs, wrinkle lines), touching the image border or the edge
   of the ROI, next to specular glints.

Every scale-dependent size is expressed relative to the expected pore
diameter range ``(min_diameter_px, max_diameter_px)`` so the same code works
on a 10 px/mm crop and on a 40 px/mm macro shot.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# --- constants -------------------------------------------------------------

#: Default pore diameter range in pixels when no physical scale is known.
#: The issue's brief: "photos where pores are roughly 2-20 px across".
DEFAULT_MIN_DIAMETER_PX = 2.0
DEFAULT_MAX_DIAMETER_PX = 20.0
#: Physical pore diameter range used when px_per_mm is known. 0.05 mm is
#: below visible pores; facial pores seen in clinical imaging reach about
#: 0.5 mm in equivalent diameter and enlarged ones up to ~1 mm
#: (Flament 2015 detection threshold 250 µm; RESEARCH.md §2).
MIN_PORE_DIAMETER_MM = 0.08
MAX_PORE_DIAMETER_MM = 1.2
#: Hysteresis thresholds on the evidence map, in robust noise units (z).
#: Chosen on synthetic skin with known truth (benchmarks/bench_accuracy.py
#: prints the effect) and checked on the real development crops.
SEED_Z = 3.0
GROW_Z = 1.5
#: A visible pore must be darker than its surround by at least the
#: just-noticeable colour difference, ΔE*ab ≈ 2.3 (Sharma, Digital Color
#: Imaging Handbook, 2003): fainter texture is not a pore anyone sees, however
#: clean the photo's noise floor.
MIN_PEAK_DL = 2.3
#: Automatic scale (see detect): the clearest AUTO_SCALE_TOP_FRACTION of
#: candidates give the typical pore diameter; candidates smaller than
#: AUTO_MIN_DIAMETER_FRACTION of it are texture. Pore diameters within one
#: skin region vary about 3x (Flament 2015 size distributions), so 0.35 keeps
#: the small ones of a region.
AUTO_SCALE_MIN_PORES = 20
AUTO_SCALE_TOP_FRACTION = 0.3
AUTO_MIN_DIAMETER_FRACTION = 0.35
#: A component longer than this multiple of the largest pore diameter, or this
#: elongated while longer than 2x it, is a hair or a wrinkle line, not a pore.
MAX_LENGTH_FACTOR = 1.6
MAX_ELONGATION_LONG = 4.0
#: Pixels within this many px of a clipped highlight are not trusted (glints
#: leave dark halos after illumination correction).
GLINT_GUARD_PX = 2
#: Glint: a specular highlight is near-white, every channel at or above this
#: 8-bit value (one clipped channel alone is just bright, saturated skin).
GLINT_LEVEL = 235


def _srgb_luma_to_lstar_lut() -> np.ndarray:
    """Lookup table: 8-bit sRGB-encoded luma -> CIE L* (0-100), float32."""
    v = np.arange(256, dtype=np.float64) / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(lin > eps, np.cbrt(lin), (kappa * lin + 16) / 116)
    return (116 * f - 16).astype(np.float32)


_LSTAR_LUT = _srgb_luma_to_lstar_lut()


def lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* (0-100) of an (H, W, 3) uint8 RGB image, float32 (H, W)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return _LSTAR_LUT[grey]


def _blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; large sigmas go through a pyramid to stay fast on 12 MP."""
    if sigma <= 0:
        return img
    if sigma < 6:
        return cv2.GaussianBlur(img, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    # Downsample by f, blur with sigma/f, upsample: cost falls by f^2.
    f = int(min(8, max(2, sigma // 3)))
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / f, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def darkness_map(lstar: np.ndarray, *, max_diameter_px: float, min_diameter_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Illumination-corrected darkness (ΔL*, positive = darker than surround).

    Returns ``(darkness, background)``. The background is a Gaussian of
    sigma ~ the largest pore radius: a pore is dark against it, while a
    lighting gradient or a skin tone is part of it and cancels.
    """
    sigma_bg = max(2.5, 0.3 * max_diameter_px)
    sigma_fine = max(0.0, min(1.0, 0.35 * min_diameter_px))
    background = _blur(lstar, sigma_bg)
    fine = _blur(lstar, sigma_fine) if sigma_fine > 0.3 else lstar
    return background - fine, background


def robust_sigma(values: np.ndarray) -> float:
    """Noise level of a sample: 1.4826 x median absolute deviation."""
    if values.size == 0:
        return 1.0
    if values.size > 2_000_000:  # a strided sample is as good and 10x faster
        values = values[:: values.size // 1_000_000]
    med = np.median(values)
    return float(max(1e-3, 1.4826 * np.median(np.abs(values - med))))


@dataclass
class Detection:
    """What :func:`detect` found: a label image and the maps behind it."""

    labels: np.ndarray  # (H, W) int32, 0 = background, 1..n = pores
    count: int
    darkness: np.ndarray  # (H, W) float32 ΔL*
    background: np.ndarray  # (H, W) float32 L* of the local background
    lstar: np.ndarray  # (H, W) float32 L*
    noise_sigma: float  # robust sigma of the darkness map in the skin (ΔL*)
    detector: str


def _evidence(lstar: np.ndarray, skin: np.ndarray, min_d: float, max_d: float, model=None):
    darkness, background = darkness_map(lstar, max_diameter_px=max_d, min_diameter_px=min_d)
    sample = darkness[skin] if skin is not None else darkness.ravel()
    sigma = robust_sigma(sample)
    med = float(np.median(sample[:: max(1, sample.size // 1_000_000)])) if sample.size else 0.0
    if model is not None:
        z = model.predict(darkness, sigma)
        name = model.name
    else:
        z = (darkness - med) * (1.0 / sigma)
        name = "darkness-hysteresis"
    return z.astype(np.float32, copy=False), darkness, background, sigma, name


def detect(
    rgb: np.ndarray,
    skin: np.ndarray | None = None,
    *,
    min_diameter_px: float = DEFAULT_MIN_DIAMETER_PX,
    max_diameter_px: float = DEFAULT_MAX_DIAMETER_PX,
    sensitivity: float = 1.0,
    model=None,
    seed_threshold: float = SEED_Z,
    grow_threshold: float = GROW_Z,
) -> Detection:
    """Find pores in ``rgb`` (H, W, 3 uint8) inside ``skin`` (H, W bool).

    ``sensitivity`` > 1 finds fainter pores (thresholds divided by it).
    ``model``: an object with ``predict(darkness, sigma) -> evidence`` and
    ``name``, ``seed``, ``grow`` attributes (see :mod:`porescope.pores.model`).
    """
    h, w = rgb.shape[:2]
    lstar = lightness(rgb)
    if skin is None:
        skin = np.ones((h, w), bool)
    z, darkness, background, sigma, name = _evidence(lstar, skin, min_diameter_px, max_diameter_px, model)
    if model is not None:
        seed_threshold, grow_threshold = model.seed, model.grow
    seed_t = seed_threshold / sensitivity
    grow_t = grow_threshold / sensitivity

    valid = skin.copy()
    # Do not trust pixels near clipped highlights (glints) or the frame edge.
    r, g, b = cv2.split(rgb)
    glint = cv2.min(cv2.min(r, g), b) >= GLINT_LEVEL
    if cv2.countNonZero(glint.view(np.uint8)):
        k = 2 * GLINT_GUARD_PX + 1
        glint = cv2.dilate(glint.view(np.uint8), np.ones((k, k), np.uint8)) > 0
        valid &= ~glint
    grow = (z > grow_t) & valid
    n, labels, stats, _ = cv2.connectedComponentsWithStats(grow.view(np.uint8), connectivity=8)
    if n <= 1:
        return Detection(np.zeros((h, w), np.int32), 0, darkness, background, lstar, sigma, name)

    # Seed test: a component is kept only if it holds a pixel above the seed
    # threshold (hysteresis), counted with one bincount, no Python loop.
    seeded = np.bincount(labels[(z > seed_t) & (darkness > MIN_PEAK_DL)], minlength=n) > 0

    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    bw = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    bh = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    x0 = stats[:, cv2.CC_STAT_LEFT]
    y0 = stats[:, cv2.CC_STAT_TOP]
    length = np.hypot(bw, bh)

    min_area = max(2.0, 0.5 * np.pi * (min_diameter_px / 2) ** 2)
    max_area = np.pi * (max_diameter_px / 2) ** 2
    keep = seeded & (area >= min_area) & (area <= max_area)
    # Hairs and lines: long components, or thin and longer than a pore.
    keep &= length <= MAX_LENGTH_FACTOR * max_diameter_px * 1.42
    fill = area / np.maximum(1.0, bw * bh)
    thin = (np.maximum(bw, bh) / np.maximum(1.0, np.minimum(bw, bh)) > MAX_ELONGATION_LONG) | (fill < 0.18)
    keep &= ~(thin & (length > 1.0 * max_diameter_px))
    # Image border: a pore cut by the frame cannot be measured.
    touches = (x0 == 0) | (y0 == 0) | (x0 + bw >= w) | (y0 + bh >= h)
    keep &= ~touches
    keep[0] = False

    # Automatic scale: the typical diameter of the clearest pores sets the
    # smallest size still counted, so fine skin texture is not mistaken for
    # pores on a photo whose pores are large (a macro shot).
    if keep.sum() >= AUTO_SCALE_MIN_PORES:
        strength = np.bincount(labels.ravel(), weights=z.ravel(), minlength=n)
        idx = np.flatnonzero(keep)
        strong = idx[strength[idx] >= np.quantile(strength[idx], 1.0 - AUTO_SCALE_TOP_FRACTION)]
        typical_d = float(np.median(np.sqrt(4.0 * area[strong] / np.pi)))
        floor_d = max(min_diameter_px, AUTO_MIN_DIAMETER_FRACTION * typical_d)
        keep &= np.sqrt(4.0 * area / np.pi) >= floor_d

    # Relabel kept components 1..k.
    new_id = np.zeros(n, np.int32)
    new_id[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    out = new_id[labels]
    return Detection(out, int(keep.sum()), darkness, background, lstar, sigma, name)
