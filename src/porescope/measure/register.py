"""Registration of two photos of the same skin: where ``moving``'s pixels land in ``fixed``.

A measuring function: ORB features + RANSAC give a similarity transform
(rotation, scale, shift), ECC refines it to an affine on the high-passed skin
texture, which is free of lighting. Used by the change engine
(:mod:`porescope.track.change`: do two close-ups show the same skin, and how
much of it?) and by the web app's compare view (one photo drawn in the other's
frame).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

#: Registration is trusted only when the ECC correlation of the high-passed
#: textures reaches this (measured: same synthetic skin re-exposed/rotated
#: 0.8-0.95; unrelated skin < 0.1).
MIN_ECC_CORRELATION = 0.3
#: ... and ORB + RANSAC found at least this many inliers.
MIN_ORB_INLIERS = 12
#: ... or, when ECC does not converge, ORB + RANSAC alone with at least this
#: many inliers (a 4° rotation once stalled ECC at 0.24 with 784 inliers;
#: unrelated skin gives under 20).
TRUSTED_ORB_INLIERS = 60
#: Registration runs on a copy whose longer side is at most this (speed).
ALIGN_MAX_SIDE_PX = 1000


@dataclass
class Alignment:
    """How ``moving`` maps onto ``fixed``: a 2x3 affine on full-resolution pixels."""

    matrix: np.ndarray  # (2, 3) float32, moving -> fixed
    method: str  # 'orb+ecc', 'ecc', or 'none: <why>'
    ok: bool
    correlation: float | None = None
    inliers: int | None = None


def _texture(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """High-passed grey (skin texture, free of lighting), downscaled; returns (img, factor)."""
    g = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    f = min(1.0, max_side / max(g.shape))
    if f < 1.0:
        g = cv2.resize(g, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    hp = g - cv2.GaussianBlur(g, (0, 0), 6)
    sd = float(hp.std()) or 1.0
    return hp / sd, f


def align(moving: np.ndarray, fixed: np.ndarray, *, max_side: int = ALIGN_MAX_SIDE_PX) -> Alignment:
    """Register a close-up ``moving`` onto ``fixed`` (both RGB uint8).

    ORB features + RANSAC give a similarity transform (rotation, scale, shift),
    ECC refines it to an affine on the high-passed texture. When the textures
    do not match (different skin, too much motion) the result has ``ok=False``
    and the identity matrix.

    Parameters
    ----------
    moving, fixed : numpy.ndarray of uint8, (h, w, 3)
        The photo to map, and the photo whose frame it is mapped into.
    max_side : int
        Registration runs on copies at most this many px on the longer side.

    Returns
    -------
    Alignment
        The moving -> fixed affine on full-resolution pixels, how it was found, and whether to trust it.
    """
    ident = np.eye(2, 3, dtype=np.float32)
    tm, fm = _texture(moving, max_side)
    tf, ff = _texture(fixed, max_side)
    init = None
    inliers = None
    try:
        orb = cv2.ORB_create(nfeatures=3000)
        u8 = lambda t: np.clip(t * 40 + 128, 0, 255).astype(np.uint8)  # noqa: E731
        km, dm = orb.detectAndCompute(u8(tm), None)
        kf, df = orb.detectAndCompute(u8(tf), None)
        if dm is not None and df is not None and len(km) >= MIN_ORB_INLIERS and len(kf) >= MIN_ORB_INLIERS:
            matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(dm, df)
            if len(matches) >= MIN_ORB_INLIERS:
                src = np.float32([km[m.queryIdx].pt for m in matches])
                dst = np.float32([kf[m.trainIdx].pt for m in matches])
                m, inl = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC, ransacReprojThreshold=3.0)
                inliers = int(inl.sum()) if inl is not None else 0
                if m is not None and inliers >= MIN_ORB_INLIERS:
                    init = m.astype(np.float32)
    except cv2.error as exc:  # pragma: no cover - defensive
        log.info("ORB registration failed: %s", exc)
    # ECC on a common-size grid: bring moving's texture to fixed's working scale.
    warp = init.copy() if init is not None else ident.copy()
    if tm.shape != tf.shape or abs(fm - ff) > 1e-6:
        pass  # the matrix is in working pixels of each image; the scale difference is absorbed below
    corr = None
    try:
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 100, 1e-5)
        corr, warp = cv2.findTransformECC(tf.astype(np.float32), tm.astype(np.float32), _invert(warp), cv2.MOTION_AFFINE, criteria, None, 5)
        warp = _invert(warp)  # ECC gives fixed -> moving; keep moving -> fixed
    except cv2.error as exc:
        log.info("ECC did not converge: %s", exc)
        corr = None
    if (corr is None or corr < MIN_ECC_CORRELATION) and init is not None and inliers >= TRUSTED_ORB_INLIERS:
        # ECC can stall on a rotation it was not started close enough to, while
        # hundreds of consistent feature matches already pin the transform.
        warp, corr_ok, method = init, corr, "orb"
    elif corr is None or corr < MIN_ECC_CORRELATION:
        why = "registration failed: the photos do not share enough skin texture" if init is None else "registration too uncertain"
        return Alignment(ident, f"none: {why}", False, corr, inliers)
    else:
        corr_ok, method = corr, ("orb+ecc" if init is not None else "ecc")
    # Working pixels -> full resolution: x_full = x_work / f.
    full = warp.astype(np.float64).copy()
    full[:, :2] = full[:, :2] * (fm / ff)
    full[:, 2] = full[:, 2] / ff
    return Alignment(full.astype(np.float32), method, True, None if corr_ok is None else float(corr_ok), inliers)


def _invert(m: np.ndarray) -> np.ndarray:
    return cv2.invertAffineTransform(m.astype(np.float32)).astype(np.float32)


def warp_to(moving: np.ndarray, al: Alignment, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """``moving`` resampled into the fixed frame, and the mask of pixels it covers.

    Parameters
    ----------
    moving : numpy.ndarray
        The photo :func:`align` mapped.
    al : Alignment
        Its alignment.
    shape : tuple of int
        The fixed photo's (height, width).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray of bool)
        The resampled photo and where it has pixels (eroded by 3 px).
    """
    h, w = shape
    out = cv2.warpAffine(moving, al.matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    cover = cv2.warpAffine(np.full(moving.shape[:2], 255, np.uint8), al.matrix, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    return out, cv2.erode(cover, np.ones((7, 7), np.uint8)) > 0
