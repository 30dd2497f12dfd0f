"""Capture changes: what re-taking the same photo of the same skin changes.

Pure functions on RGB arrays (uint8, H x W x 3) and their skin masks. They
serve two jobs with one definition:

* the change engine (:mod:`porescope.track.change`) re-analyses a visit's photo
  under :data:`CAPTURE_CHANGES` to learn how much its metrics move when only
  the capture changes (its noise), and
* the repeatability and change benchmarks (``benchmarks/bench_repeat.py``,
  ``benchmarks/bench_change.py``) apply the same family to real crops and
  synthetic skin.

Each change returns a :class:`Recapture`: the new pixels, the mask of the
pixels that still show the original skin (a rotation or a scale change moves
the frame; nothing is cropped away, the canvas grows instead) and the
physical scale of the new photo when the original's is known (a photo taken
15% closer has 15% more pixels per millimetre).

The family follows the capture differences a person makes between two
sittings without a booth: exposure ±20%, a warmer or cooler light, JPEG
compression, a few degrees of rotation, ±15% camera distance and the sensor
noise of a phone in normal indoor light (σ ≈ 3 grey levels).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass
class Recapture:
    """One re-capture of a photo."""

    rgb: np.ndarray  # (H', W', 3) uint8
    mask: np.ndarray | None  # (H', W') bool: where the original skin is; None = everywhere
    px_per_mm: float | None  # scale of the new photo (None when the original's is unknown)


def exposure(rgb: np.ndarray, gain: float) -> np.ndarray:
    """Scale the sRGB values by ``gain`` (what a camera's exposure change does to a JPEG).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    gain : float
        Multiplier (clipped at 255).

    Returns
    -------
    ndarray
        (H, W, 3) uint8.
    """
    return np.clip(rgb.astype(np.float32) * np.float32(gain) + 0.5, 0, 255).astype(np.uint8)


def white_balance(rgb: np.ndarray, gains: tuple[float, float, float]) -> np.ndarray:
    """Per-channel gains on the sRGB values (a warmer or cooler light).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    gains : tuple of float
        (red, green, blue) multipliers.

    Returns
    -------
    ndarray
        (H, W, 3) uint8.
    """
    return np.clip(rgb.astype(np.float32) * np.asarray(gains, np.float32) + 0.5, 0, 255).astype(np.uint8)


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    quality : int
        JPEG quality (1-100).

    Returns
    -------
    ndarray
        (H, W, 3) uint8 after the round trip.
    """
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover - OpenCV always encodes uint8 RGB
        raise ValueError("JPEG encoding failed")
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


def sensor_noise(rgb: np.ndarray, sigma: float, *, seed: int = 0) -> np.ndarray:
    """Add Gaussian noise to every channel.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    sigma : float
        Noise SD in 8-bit grey levels.
    seed : int
        Random seed (the same seed gives the same noise).

    Returns
    -------
    ndarray
        (H, W, 3) uint8.
    """
    rng = np.random.default_rng(seed)
    noisy = rgb.astype(np.float32) + rng.normal(0.0, sigma, rgb.shape).astype(np.float32)
    return np.clip(noisy + 0.5, 0, 255).astype(np.uint8)


def rotate_scale(rgb: np.ndarray, mask: np.ndarray | None, *, angle_deg: float = 0.0, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Rotate and resize on a canvas that holds the whole photo.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    mask : ndarray or None
        (H, W) bool skin mask (None = everywhere).
    angle_deg : float
        Counter-clockwise rotation.
    scale : float
        Size factor.

    Returns
    -------
    tuple of ndarray
        The new pixels and the mask of original skin in them (the grown canvas
        is filled by reflection, which the mask excludes, eroded by 2 px so no
        interpolated edge pixel counts).
    """
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle_deg, scale)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    m[0, 2] += nw / 2.0 - w / 2.0
    m[1, 2] += nh / 2.0 - h / 2.0
    # Area averaging when only shrinking (a farther camera integrates more skin
    # per pixel); otherwise Lanczos, the least blur a resampling can add (a
    # real re-capture is not blurred by the turn of the camera).
    interp = cv2.INTER_AREA if scale < 1 and angle_deg == 0 else cv2.INTER_LANCZOS4
    out = cv2.warpAffine(rgb, m, (nw, nh), flags=interp, borderMode=cv2.BORDER_REFLECT)
    src = np.full((h, w), 255, np.uint8) if mask is None else mask.astype(np.uint8) * 255
    moved = cv2.warpAffine(src, m, (nw, nh), flags=cv2.INTER_LINEAR, borderValue=0) >= 128
    inside = cv2.warpAffine(np.full((h, w), 255, np.uint8), m, (nw, nh), flags=cv2.INTER_NEAREST, borderValue=0)
    inside = cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0
    return out, moved & inside


Change = Callable[[np.ndarray, "np.ndarray | None", "float | None"], Recapture]


def _photometric(f: Callable[[np.ndarray], np.ndarray]) -> Change:
    return lambda rgb, mask, px_per_mm: Recapture(f(rgb), mask, px_per_mm)


def _geometric(angle_deg: float, scale: float) -> Change:
    def apply(rgb, mask, px_per_mm):
        out, moved = rotate_scale(rgb, mask, angle_deg=angle_deg, scale=scale)
        return Recapture(out, moved, px_per_mm * scale if px_per_mm else None)

    return apply


#: Warmer / cooler light: red and blue gains of a ~700 K shift of the
#: illuminant around daylight, as a camera's white balance leaves it.
WARMER = (1.08, 1.0, 0.92)
COOLER = (0.93, 1.0, 1.07)
#: Sensor noise of a phone photo in ordinary indoor light, 8-bit grey levels.
PHONE_NOISE_SIGMA = 3.0

#: The family of capture changes (name -> change). Every shell that estimates
#: the noise of a single photo and every repeatability benchmark uses this list.
CAPTURE_CHANGES: dict[str, Change] = {
    "exposure x0.8": _photometric(lambda im: exposure(im, 0.8)),
    "exposure x1.2": _photometric(lambda im: exposure(im, 1.2)),
    "warmer light": _photometric(lambda im: white_balance(im, WARMER)),
    "cooler light": _photometric(lambda im: white_balance(im, COOLER)),
    "JPEG q75": _photometric(lambda im: jpeg(im, 75)),
    "rotation 5 deg": _geometric(5.0, 1.0),
    "distance x0.85": _geometric(0.0, 0.85),
    "distance x1.15": _geometric(0.0, 1.15),
    "sensor noise 3": _photometric(lambda im: sensor_noise(im, PHONE_NOISE_SIGMA, seed=1)),
}


def _soft_focus(sigma_mm: float) -> Change:
    def apply(rgb, mask, px_per_mm):
        return Recapture(cv2.GaussianBlur(rgb, (0, 0), sigma_mm * (px_per_mm or NOMINAL_PX_PER_MM)), mask, px_per_mm)

    return apply


def _sharpening(amount: float, radius_mm: float) -> Change:
    def apply(rgb, mask, px_per_mm):
        f = rgb.astype(np.float32)
        soft = cv2.GaussianBlur(f, (0, 0), radius_mm * (px_per_mm or NOMINAL_PX_PER_MM))
        return Recapture(np.clip(f + amount * (f - soft) + 0.5, 0, 255).astype(np.uint8), mask, px_per_mm)

    return apply


#: Scale assumed for the processing changes when the photo's is unknown (the analysis resolution).
NOMINAL_PX_PER_MM = 10.0

#: What a phone's own processing changes between two sittings whose photos the
#: quality gate accepts: a slightly softer focus (Gaussian 0.05 mm: half a
#: pixel at 10 px/mm, within the depth of field of a hand-held close-up), mild
#: sharpening (unsharp mask 20%, radius 0.2 mm) and a messaging app's
#: recompression (JPEG q60). The change engine's single-photo noise covers
#: them (issue 20: intervals that include the phone); the repeatability
#: benchmark keeps to CAPTURE_CHANGES, the same skin under the same camera.
PROCESSING_CHANGES: dict[str, Change] = {
    "soft focus 0.05 mm": _soft_focus(0.05),
    "sharpening 20%": _sharpening(0.2, 0.2),
    "JPEG q60": _photometric(lambda im: jpeg(im, 60)),
}


def recapture(name: str, rgb: np.ndarray, mask: np.ndarray | None = None, px_per_mm: float | None = None) -> Recapture:
    """Apply one capture change to a photo.

    Parameters
    ----------
    name : str
        A key of :data:`CAPTURE_CHANGES` (exposure, white balance, JPEG, noise,
        distance, rotation) or of :data:`PROCESSING_CHANGES`.
    rgb : ndarray
        (H, W, 3) uint8.
    mask : ndarray, optional
        (H, W) bool skin mask.
    px_per_mm : float, optional
        The photo's scale (changed by a distance change).

    Returns
    -------
    Recapture
        The new pixels, where the original skin is, and the new scale.
    """
    return (CAPTURE_CHANGES.get(name) or PROCESSING_CHANGES[name])(rgb, mask, px_per_mm)
