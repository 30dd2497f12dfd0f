"""Capture-quality gate: is this photo fit to measure pores on?

Judged on the skin pixels only, before measuring. Each finding is a
:class:`QualityProblem` with a stable code, plain words and what to do.
'blocking' problems make the pore numbers meaningless (the result then says
``measurable: false`` and the shells say so); warnings are reported beside the
numbers.
"""

from __future__ import annotations

import cv2
import numpy as np

from porescope.results import Quality, QualityProblem

# Thresholds. Focus and noise are measured on L* (0-100) so they do not move
# with exposure. Values were set on the synthetic generator (a sharp image vs.
# Gaussian blur of sigma 1.5 px, where pores of 2-4 px vanish) and checked on
# the real development crops (sharpness ~0.9-1.3 there).
BLUR_BLOCKING = 0.18  # robust std of the Laplacian of L* below this: too blurry to measure
BLUR_WARNING = 0.35
DARK_BLOCKING_L = 12.0  # mean skin L* below this: too dark to measure
DARK_WARNING_L = 30.0  # typical well-lit skin is L* 45-75
BRIGHT_WARNING_L = 88.0
CLIPPED_WARNING = 0.02  # share of skin pixels with a clipped channel
CLIPPED_BLOCKING = 0.35
GLARE_WARNING = 0.03  # share of skin in bright, desaturated shine patches
NOISE_WARNING = 4.0  # 8-bit grey levels
#: RESEARCH.md §2: a 250 µm pore needs ~8-11 px/mm to be resolved (2-3 px).
MIN_PX_PER_MM = 8.0


def _sample(a: np.ndarray, mask: np.ndarray, limit: int = 1_000_000) -> np.ndarray:
    v = a[mask]
    if v.size > limit:
        v = v[:: v.size // limit]
    return v


def assess(rgb: np.ndarray, skin: np.ndarray, lstar: np.ndarray, *, px_per_mm: float | None = None) -> Quality:
    """Judge focus, noise, exposure, clipping, glare and resolution."""
    problems: list[QualityProblem] = []
    if not skin.any():
        problems.append(
            QualityProblem(code="no_skin", message="No skin area to analyze: the ROI or region mask is empty.", severity="blocking")
        )
        return Quality(sharpness=0, noise_sigma=0, mean_luminance=0, clipped_fraction=0, glare_fraction=0, measurable=False, problems=problems)

    # Focus: robust spread of the Laplacian of L*. Pores and skin texture are
    # fine detail; a blurred photo loses them first.
    lap = cv2.Laplacian(lstar, cv2.CV_32F, ksize=1)
    lv = _sample(lap, skin)
    sharp = float(1.4826 * np.median(np.abs(lv - np.median(lv))))
    # Noise: spread of the difference between the image and a 3x3 median, on grey levels.
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    resid = grey.astype(np.int16) - cv2.medianBlur(grey, 3).astype(np.int16)
    rv = _sample(resid, skin)
    noise = float(1.4826 * np.median(np.abs(rv - np.median(rv)))) * 1.25

    lmean = float(_sample(lstar, skin).mean())
    r, g, b = cv2.split(rgb)
    cmax = cv2.max(cv2.max(r, g), b)
    cmin = cv2.min(cv2.min(r, g), b)
    clipped = float((_sample(cmax, skin) >= 250).mean())
    # Glare: bright and nearly colourless (shine on oily skin reflects the light's colour).
    sat = (cmax.astype(np.int16) - cmin.astype(np.int16))
    glare_px = (cmax >= 235) & (sat < 25)
    glare = float(_sample(glare_px, skin).mean())

    if sharp < BLUR_BLOCKING:
        problems.append(QualityProblem(code="too_blurry", severity="blocking", value=round(sharp, 3), limit=BLUR_BLOCKING,
            message="The photo is out of focus: pores cannot be told apart. Hold the camera steady, tap to focus on the skin and retake."))
    elif sharp < BLUR_WARNING:
        problems.append(QualityProblem(code="slightly_blurry", severity="warning", value=round(sharp, 3), limit=BLUR_WARNING,
            message="The photo is a little soft: small pores may be missed. Retake with the skin in sharp focus for better numbers."))
    if lmean < DARK_BLOCKING_L:
        problems.append(QualityProblem(code="underexposed", severity="blocking", value=round(lmean, 2), limit=DARK_BLOCKING_L,
            message="The photo is too dark to measure. Face a window or a lamp and retake."))
    elif lmean < DARK_WARNING_L:
        problems.append(QualityProblem(code="underexposed", severity="warning", value=round(lmean, 2), limit=DARK_WARNING_L,
            message="The photo is dark: faint pores may be missed. More even light will give steadier numbers."))
    if lmean > BRIGHT_WARNING_L:
        problems.append(QualityProblem(code="overexposed", severity="warning", value=round(lmean, 2), limit=BRIGHT_WARNING_L,
            message="The photo is very bright: light pores may be washed out. Reduce the light or exposure."))
    if clipped > CLIPPED_BLOCKING:
        problems.append(QualityProblem(code="clipped_highlights", severity="blocking", value=round(clipped, 4), limit=CLIPPED_BLOCKING,
            message="Much of the skin is blown out to white. Lower the exposure or move away from the light and retake."))
    elif clipped > CLIPPED_WARNING:
        problems.append(QualityProblem(code="clipped_highlights", severity="warning", value=round(clipped, 4), limit=CLIPPED_WARNING,
            message="Some skin is blown out to white; pores there are not counted."))
    if glare > GLARE_WARNING:
        problems.append(QualityProblem(code="glare", severity="warning", value=round(glare, 4), limit=GLARE_WARNING,
            message="Shiny patches (glare) hide pores. Blot the skin, use diffuse light from the front, and avoid the flash."))
    if noise > NOISE_WARNING:
        problems.append(QualityProblem(code="noisy", severity="warning", value=round(noise, 2), limit=NOISE_WARNING,
            message="The photo is grainy (low light or heavy zoom): noise can look like faint pores. Use more light."))
    if px_per_mm is not None and px_per_mm < MIN_PX_PER_MM:
        problems.append(QualityProblem(code="pores_too_small_to_resolve", severity="warning", value=round(px_per_mm, 2), limit=MIN_PX_PER_MM,
            message=(f"At {px_per_mm:.1f} px/mm a 250 µm pore spans under 2 px: counts and sizes are not meaningful, "
                     "only the visibility score is reported. Move closer or use a higher resolution.")))
    measurable = not any(p.severity == "blocking" for p in problems)
    return Quality(
        sharpness=round(sharp, 4),
        noise_sigma=round(noise, 3),
        mean_luminance=round(lmean, 3),
        clipped_fraction=round(clipped, 5),
        glare_fraction=round(glare, 5),
        measurable=measurable,
        problems=problems,
    )
