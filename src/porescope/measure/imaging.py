"""Image helpers shared by the measuring stages: lightness and log-luminance
from 8-bit RGB, a fast wide Gaussian blur, robust noise levels and the skin
tiles the quality gate and the detector read.

Used by :mod:`porescope.measure.pores.detect`, :mod:`porescope.measure.quality`,
:mod:`porescope.measure.face` and the web app's picture layers.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = [
    "GLINT_LEVEL", "GLINT_GUARD_PX", "CLIP_LEVEL", "GLARE_MAX_CHROMA", "GLARE_LIFT", "glare_pixels", "lightness", "log_luminance", "blur",
    "robust_sigma", "pixel_noise", "skin_tiles", "untrusted_pixels", "IMMERKAER_KERNEL", "PYRAMID_MIN_SIGMA",
]

#: Glint: a specular highlight is near-white, every channel at or above this
#: 8-bit value (one clipped channel alone is just bright, saturated skin).
#: Read by the detector (untrusted pixels) and the quality gates (glare).
GLINT_LEVEL = 235
#: Pixels within this many px of a clipped highlight are not trusted (glints
#: leave dark halos after illumination correction).
GLINT_GUARD_PX = 2
#: A channel at or above this 8-bit value is clipped: the pixel's real
#: brightness is unknown (the detector checks green, ~70% of luminance; the
#: quality gate any channel).
CLIP_LEVEL = 250
#: Glare (shine on oily skin reflects the light's colour): a glint-bright
#: pixel whose channels differ by less than this (8-bit levels) is colourless.
GLARE_MAX_CHROMA = 25
#: Glare also stands out from the skin around it: a specular highlight
#: reflects at least this many times the linear light of the skin's median
#: (diffuse) pixel. Without it, skin that is merely bright was called glare
#: once a 5% brighter exposure clipped its red channel and a cooler white
#: balance took the colour that was left (the astronaut face of scikit-image:
#: 0% glare as shot, 10% after x1.05 and a cooler light; benchmarks/bench_causes.py).
#: A ratio of linear light, so an exposure or white-balance change, which
#: multiplies both, does not move it. 1.5x is +13 L* over skin of L* 65; a
#: glint near the clip level on such skin is about 2.6x (L* 65 is Y 0.34).
GLARE_LIFT = 1.5


def _srgb_luma_to_lstar_lut() -> np.ndarray:
    """Lookup table: 8-bit sRGB-encoded luma -> CIE L* (0-100), float32."""
    v = np.arange(256, dtype=np.float64) / 255.0
    lin = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(lin > eps, np.cbrt(lin), (kappa * lin + 16) / 116)
    return (116 * f - 16).astype(np.float32)


_LSTAR_LUT = _srgb_luma_to_lstar_lut()


def lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* of an RGB image (through a lookup table on the luma).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.

    Returns
    -------
    ndarray
        (H, W) float32, 0-100.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.LUT(grey, _LSTAR_LUT.reshape(256, 1))


#: The encoding decoded as a pure power law. Real cameras encode with tone
#: curves close to, but not exactly, sRGB's; with a pure power law a gain
#: on the encoded values (what an exposure change does to a JPEG) and a
#: gain on linear light are both offsets in the log, so both cancel. The
#: sRGB formula's linear toe and 0.055 offset do not cancel: with them the
#: visibility score moved -1.5 to -3.8% at exposure x0.8 and +0.9 to +2.3%
#: at x1.2, and the same synthetic pores scored 8% lower on deep skin than
#: on light skin; with the power law, within 1% for both
#: (benchmarks/bench_repeat.py, 2026-12-02). 2.2 is the exponent the sRGB
#: curve approximates overall (IEC 61966-2-1:1999).
DECODING_GAMMA = 2.2


def _srgb_to_log_linear_lut() -> np.ndarray:
    """Lookup table: 8-bit encoded luma -> natural log of linear-light luminance, float32.

    Linear light makes a change of exposure, a white-balance gain and the
    skin's own tone *multiply* every pixel; the log turns that product into
    an offset, which the difference of two blurs in the pore detector
    removes exactly (decoded with DECODING_GAMMA, ln(linear) is
    DECODING_GAMMA x ln(code)). Zero is held at half a code so the log is finite.
    """
    v = np.maximum(np.arange(256, dtype=np.float64), 0.5) / 255.0
    return (DECODING_GAMMA * np.log(v)).astype(np.float32)


_LOG_LIN_LUT = _srgb_to_log_linear_lut()


def log_luminance(rgb: np.ndarray) -> np.ndarray:
    """Natural log of linear-light luminance of an RGB image.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 (sRGB-encoded).

    Returns
    -------
    ndarray
        (H, W) float32, ln units; exposure, white balance and skin tone become offsets.
    """
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.LUT(grey, _LOG_LIN_LUT.reshape(256, 1))


#: Gaussians at least this wide run on a 2x (or coarser) downsampled copy.
PYRAMID_MIN_SIGMA = 4.0


def blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; wide ones run on a downsampled copy to stay fast on 12 MP.

    Downsampling by f (area average, variance (f^2 - 1)/12 px^2) then blurring
    by the remaining sigma / f and interpolating back costs ~1/f^2 of the
    full-size blur; for a smooth background the result is the same to a small
    fraction of a ΔL*.

    Parameters
    ----------
    img : ndarray
        (H, W) float32 image.
    sigma : float
        Gaussian sigma in px (0 or less: unchanged); at least PYRAMID_MIN_SIGMA
        runs on a downsampled copy.

    Returns
    -------
    ndarray
        The blurred image, same shape.
    """
    if sigma <= 0:
        return img
    if sigma < PYRAMID_MIN_SIGMA:
        return cv2.GaussianBlur(img, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    f = int(min(8, max(2, sigma // 2)))
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
    rest = np.sqrt(max(sigma**2 - (f * f - 1) / 12.0, 0.25)) / f
    small = cv2.GaussianBlur(small, (0, 0), rest, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def robust_sigma(values: np.ndarray) -> float:
    """Noise level of a sample: 1.4826 x median absolute deviation.

    Parameters
    ----------
    values : ndarray
        1-D sample (a strided ~200k of it is read when larger than 400k).

    Returns
    -------
    float
        At least 1e-3; 1.0 for an empty sample.
    """
    if values.size == 0:
        return 1.0
    if values.size > 400_000:  # a strided sample of ~200k is as good, and 10x faster
        values = values[:: values.size // 200_000]
    med = np.median(values)
    return float(max(1e-3, 1.4826 * np.median(np.abs(values - med))))


#: Immerkær's 3x3 noise kernel (Immerkær 1996): cancels smooth structure up to
#: second order, so what is left of an image is mostly its pixel noise.
IMMERKAER_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def pixel_noise(image: np.ndarray, mask: np.ndarray) -> float:
    """SD of the pixel noise of ``image`` inside ``mask`` (Immerkær 1996, fast noise variance estimation).

    The 3x3 kernel cancels smooth structure (up to second order), so what is
    left is mostly noise; computed on a few tiles spread over the skin (the
    same tiles the quality gate reads), which is plenty and cheap on 12 MP.

    Parameters
    ----------
    image : ndarray
        (H, W) image.
    mask : ndarray
        (H, W) bool, where to read it.

    Returns
    -------
    float
        Noise SD in the image's units (0 when no pixel is read).
    """
    vals = []
    for ys, xs in skin_tiles(mask, most=4):
        r = cv2.filter2D(np.ascontiguousarray(image[ys, xs], np.float32), -1, IMMERKAER_KERNEL)[1:-1, 1:-1]
        vals.append(np.abs(r[mask[ys, xs][1:-1, 1:-1]]))
    v = np.concatenate(vals) if vals else np.zeros(0)
    return float(np.sqrt(np.pi / 2) * v.mean() / 6) if v.size else 0.0


def skin_tiles(skin: np.ndarray, tile: int = 384, most: int = 6) -> list[tuple[slice, slice]]:
    """Up to ``most`` tiles spread over the skin, each at least half skin.

    Parameters
    ----------
    skin : ndarray
        (H, W) bool.
    tile : int
        Tile side in px.
    most : int
        Most tiles returned.

    Returns
    -------
    list of tuple of slice
        (rows, columns) slices; the whole frame when it is smaller than a tile.
    """
    h, w = skin.shape
    if h <= tile or w <= tile:
        return [(slice(0, h), slice(0, w))]
    ys = np.linspace(0, h - tile, max(1, min(4, h // tile))).astype(int)
    xs = np.linspace(0, w - tile, max(1, min(4, w // tile))).astype(int)
    cands = [(slice(y, y + tile), slice(x, x + tile)) for y in ys for x in xs]
    cands = [c for c in cands if skin[c].mean() >= 0.5] or [(slice(0, h), slice(0, w))]
    step = max(1, len(cands) // most)
    return cands[::step][:most]


def untrusted_pixels(rgb: np.ndarray) -> np.ndarray | None:
    """Pixels whose light was not measured: clipped or next to a specular glint.

    A glint (every channel near white) leaves a dark halo after the background
    is subtracted; a clipped green channel (most of luminance) hides the skin's
    real brightness. Both are grown by GLINT_GUARD_PX.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.

    Returns
    -------
    ndarray or None
        (H, W) uint8 0/255, or None when there are none.
    """
    glint = cv2.inRange(rgb, (GLINT_LEVEL,) * 3, (255,) * 3)
    clipped = cv2.inRange(rgb, (0, CLIP_LEVEL, 0), (255, 255, 255))
    bad = cv2.bitwise_or(glint, clipped)
    if not cv2.countNonZero(bad):
        return None
    k = 2 * GLINT_GUARD_PX + 1
    return cv2.dilate(bad, np.ones((k, k), np.uint8))


#: Rec. 601 luma weights (what cv2.COLOR_RGB2GRAY uses), R, G, B.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def glare_pixels(px: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Which pixels are glare: near-white (every channel at or above GLINT_LEVEL), colourless (channels within
    GLARE_MAX_CHROMA) and at least GLARE_LIFT times the linear light of the skin's median pixel.

    Parameters
    ----------
    px : ndarray
        (..., 3) uint8 or int RGB pixels to judge.
    reference : ndarray, optional
        (..., 3) RGB pixels of the skin they are judged against (default ``px`` itself); its median luma is the
        skin's diffuse level.

    Returns
    -------
    ndarray
        bool, ``px.shape[:-1]``.
    """
    p = np.asarray(px)
    if p.size == 0:
        return np.zeros(p.shape[:-1], bool)
    cmax = p.max(axis=-1).astype(np.int16)
    cmin = p.min(axis=-1).astype(np.int16)
    luma = p.astype(np.float32) @ _LUMA
    ref = p if reference is None else np.asarray(reference)
    ref_luma = float(np.median(ref.reshape(-1, 3).astype(np.float32) @ _LUMA)) if ref.size else 0.0
    # Encoded values decode as a power law (DECODING_GAMMA): a ratio of linear light L is a ratio L^(1/gamma) of codes.
    lifted = luma >= max(ref_luma, 0.5) * GLARE_LIFT ** (1.0 / DECODING_GAMMA)
    return (cmax >= GLINT_LEVEL) & ((cmax - cmin) < GLARE_MAX_CHROMA) & lifted
