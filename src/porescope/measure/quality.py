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

from porescope.measure.exif import NO_ZOOM, edited_with
from porescope.measure.imaging import CLIP_LEVEL, IMMERKAER_KERNEL, glare_pixels, robust_sigma, skin_tiles
from porescope.results import Analysis, Quality, QualityProblem

# Thresholds. Focus is the ratio of fine-band to mid-band detail energy of L*
# (difference-of-Gaussian bands at s0-2s0 and 2s0-4s0, s0 ~ the smallest pore
# radius). A ratio rather than an absolute energy, so it does not move with
# exposure, skin texture or pore contrast. Measured here: sharp synthetic skin
# 1.1, the real development crops 0.76-0.82; the same crops blurred with a
# Gaussian of sigma 1.5 px 0.60, sigma 2.5 px 0.49 (2-4 px pores vanish).
BLUR_BLOCKING = 0.50
BLUR_WARNING = 0.62
#: The focus bands start at sigma0 = half the smallest pore diameter (its
#: radius), never below 1 px.
FOCUS_SIGMA_PER_MIN_DIAMETER = 0.5
FOCUS_MIN_SIGMA_PX = 1.0
#: Exposure (mean skin L*, 0-100). Typical well-lit skin is L* 45-75; below
#: 12 nothing is left to measure, below 30 faint pores sink into the noise,
#: above 88 light pores wash out.
DARK_BLOCKING_L = 12.0
DARK_WARNING_L = 30.0
BRIGHT_WARNING_L = 88.0
#: Share of skin pixels (0-1) with a clipped channel (imaging.CLIP_LEVEL):
#: pores there are not counted; above a third the photo is not measured.
CLIPPED_WARNING = 0.02
CLIPPED_BLOCKING = 0.35
#: Share of skin (0-1) in bright, colourless shine well above the skin's own
#: light (imaging.glare_pixels: GLINT_LEVEL, GLARE_MAX_CHROMA, GLARE_LIFT).
GLARE_WARNING = 0.03
#: Pixel noise SD in 8-bit grey levels (Immerkær's estimator) above which
#: noise can look like faint pores.
NOISE_WARNING = 4.0
#: Exposure, clipping and glare are read on a grid of about this many skin
#: pixels: as stable as all of them on 12 MP.
EXPOSURE_SAMPLE_PX = 300_000
#: Focus and noise are judged on this many 384 px tiles spread over the skin
#: (0.6 MP): plenty for a stable estimate, and cheap on 12 MP.
QUALITY_TILES = 4
#: A 250 µm pore (the detection threshold of Flament et al. 2015, doi:10.2147/CCID.S74401)
#: needs ~8-11 px/mm to be resolved (2-3 px across).
MIN_PX_PER_MM = 8.0




def _noise_sigma(rgb: np.ndarray, skin: np.ndarray) -> float:
    vals = []
    for ys, xs in skin_tiles(skin, most=QUALITY_TILES):
        grey = cv2.cvtColor(rgb[ys, xs], cv2.COLOR_RGB2GRAY)
        r = cv2.filter2D(grey.astype(np.float32), -1, IMMERKAER_KERNEL)[1:-1, 1:-1]
        vals.append(np.abs(r[skin[ys, xs][1:-1, 1:-1]]))
    v = np.concatenate(vals)
    return float(np.sqrt(np.pi / 2) * v.mean() / 6) if v.size else 0.0


def _focus_ratio(lstar: np.ndarray, skin: np.ndarray, *, sigma0: float) -> float:
    fine, mid = [], []
    for ys, xs in skin_tiles(skin, most=QUALITY_TILES):
        tile = lstar[ys, xs]
        m = skin[ys, xs]
        a = cv2.GaussianBlur(tile, (0, 0), sigma0)
        b = cv2.GaussianBlur(tile, (0, 0), 2 * sigma0)
        c = cv2.GaussianBlur(tile, (0, 0), 4 * sigma0)
        fine.append((a - b)[m])
        mid.append((b - c)[m])
    f = robust_sigma(np.concatenate(fine))
    g = robust_sigma(np.concatenate(mid))
    return f / g if g > 1e-3 else 0.0  # a featureless patch has no detail at all


def is_measurable(problems: list[QualityProblem]) -> bool:
    """The one rule for "measurable": a photo is measured unless one of its problems is blocking.

    Parameters
    ----------
    problems : list of QualityProblem
        Everything found about the capture (warnings only add a note).

    Returns
    -------
    bool
    """
    return not any(p.severity == "blocking" for p in problems)


def unresolved_pores(analysis: Analysis) -> str | None:
    """The one rule for "resolves pores": why a photo does not (None when it does, or when that cannot be told).

    Its scale (the user's, or the face's iris) is below MIN_PX_PER_MM, or its
    detail (``quality.detail``) is that of a coarser photo, whatever its scale
    says. Such a photo's counts, sizes and shapes are left out; what it shows
    as pores are spots and shadows a few pixels wide, so no cause is read from
    their shapes and no change is judged on them.

    Parameters
    ----------
    analysis : Analysis
        A measured photo.

    Returns
    -------
    str or None
        The reason in words, for a sentence "... does not resolve pores (REASON)".
    """
    sc, d = analysis.scale, analysis.quality.detail
    if sc.resolves_pores is False and sc.px_per_mm:
        return f"{sc.px_per_mm:.1f} px/mm on the skin; a pore 0.25 mm across needs at least {MIN_PX_PER_MM:.0f}"
    if d is not None and d.resolves_pores is False:
        held = f"only {d.effective_px_per_mm:.1f} px/mm of detail" if d.effective_px_per_mm else "the detail of a coarser photo"
        return f"it holds {held}, as soft focus, digital zoom or an enlarged copy leave a photo"
    return None


#: EXIF ISO at and above which a photo was taken in dim light. A phone raises the ISO as light falls and reduces
#: the noise in proportion, which erases the faintest pores: with porescope.testing.phone (noise reduction scaled to
#: the noise) ISO 400 found 25-26% fewer pores than ISO 50 on both real crops, ISO 800 42-47% fewer
#: (benchmarks/bench_camera.py, table 3). Daylight by a window is ISO 25-200 on current phones.
LOW_LIGHT_ISO = 400.0


def light_problems(iso: float | None) -> list[QualityProblem]:
    """What the photo's EXIF ISO says of the light.

    Parameters
    ----------
    iso : float or None
        The photo's ISO (None: unknown).

    Returns
    -------
    list of QualityProblem
        One ``low_light`` warning at and above LOW_LIGHT_ISO; none otherwise or when the ISO is unknown.
    """
    if not iso or iso < LOW_LIGHT_ISO:
        return []
    return [QualityProblem(
        code="low_light", severity="warning", value=round(float(iso)), limit=LOW_LIGHT_ISO,
        message=f"The photo was taken in dim light (ISO {iso:.0f}): the phone's noise reduction erases the faintest pores and the "
        "noise it leaves can pass for pores, so the counts differ from a photo in bright light, and it is compared only with "
        "photos at a similar ISO. Take it in bright, even light, by a window in daylight.")]


def edit_problems(software: str | None) -> list[QualityProblem]:
    """What the photo's EXIF Software says of editing.

    Parameters
    ----------
    software : str or None
        The EXIF Software field.

    Returns
    -------
    list of QualityProblem
        One ``edited`` warning when it names a photo editor or beauty app (porescope.measure.exif.EDITING_APPS).
    """
    app = edited_with(software)
    if app is None:
        return []
    return [QualityProblem(
        code="edited", severity="warning", value=None, limit=None,
        message=f"The photo was saved by {app}, a photo editor or beauty app: its filters may have smoothed, sharpened or "
        "retouched the skin, which moves pore counts, and it is compared only with photos saved by the same app. "
        "Use the camera's original photo file.")]


def zoom_problems(digital_zoom: float | None, px_per_mm: float | None = None) -> list[QualityProblem]:
    """What the photo's EXIF DigitalZoomRatio says of its detail.

    A digitally zoomed photo is a crop of the sensor's picture enlarged to full
    size: it holds the detail of a photo ``digital_zoom`` times smaller, as an
    enlarged copy does. Only a warning: what the photo really resolves is read
    from its pixels (``quality.detail``), and some phones crop a sensor with more
    pixels than the photo (an "optical-quality" 2x), losing little.

    Parameters
    ----------
    digital_zoom : float or None
        The recorded zoom (:func:`porescope.measure.exif.camera_fields`; None: none recorded).
    px_per_mm : float, optional
        The photo's scale, to say what the zoom leaves of it.

    Returns
    -------
    list of QualityProblem
        One ``digital_zoom`` warning when a zoom above NO_ZOOM is recorded.
    """
    if not digital_zoom or digital_zoom <= NO_ZOOM:
        return []
    left = f", {px_per_mm / digital_zoom:.1f} px/mm on the skin" if px_per_mm else ""
    return [QualityProblem(
        code="digital_zoom", severity="warning", value=round(float(digital_zoom), 2), limit=NO_ZOOM,
        message=f"The phone zoomed this photo digitally ({digital_zoom:.1f}x): it enlarged a crop of its sensor's picture, so the "
        f"photo may hold as little detail as one {digital_zoom:.1f} times smaller{left}, and faint pores are lost. "
        "Move the phone closer instead of zooming (at 1x, or in the camera's macro mode) and tap to focus on the skin.")]


def exif_problems(fields: dict, px_per_mm: float | None = None) -> list[QualityProblem]:
    """Everything the photo file's EXIF says of the capture: dim light, an editing app, a digital zoom.

    Parameters
    ----------
    fields : dict
        ``iso``, ``software`` and ``digital_zoom`` (:func:`porescope.measure.exif.camera_fields` or
        :func:`~porescope.measure.exif.source_fields`); missing keys say nothing.
    px_per_mm : float, optional
        The photo's scale.

    Returns
    -------
    list of QualityProblem
    """
    return (light_problems(fields.get("iso")) + edit_problems(fields.get("software"))
            + zoom_problems(fields.get("digital_zoom"), px_per_mm))


def assess(rgb: np.ndarray, skin: np.ndarray, lstar: np.ndarray, *, px_per_mm: float | None = None, min_diameter_px: float = 2.0) -> Quality:
    """Judge focus, noise, exposure, clipping, glare and resolution on the skin.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    skin : ndarray
        (H, W) bool mask of the skin to judge.
    lstar : ndarray
        CIE L* of ``rgb`` (:func:`~porescope.measure.imaging.lightness`).
    px_per_mm : float, optional
        The photo's scale, for the resolution check.
    min_diameter_px : float
        Smallest expected pore diameter (sets the focus bands).

    Returns
    -------
    Quality
        The measures, the problems (codes, plain advice) and ``measurable``.
    """
    problems: list[QualityProblem] = []
    if not skin.any():
        problems.append(
            QualityProblem(code="no_skin", message="No skin area to analyze: the ROI or region mask is empty.", severity="blocking")
        )
        return Quality(sharpness=0, noise_sigma=0, mean_luminance=0, clipped_fraction=0, glare_fraction=0,
                       measurable=is_measurable(problems), problems=problems)

    # Focus: fine-band vs mid-band detail, on a few tiles of skin (cheap on 12 MP).
    sharp = _focus_ratio(lstar, skin, sigma0=max(FOCUS_MIN_SIGMA_PX, FOCUS_SIGMA_PER_MIN_DIAMETER * min_diameter_px))
    # Noise: Immerkaer's estimator (CVIU 64:300, 1996) on grey levels, over the tiles.
    noise = _noise_sigma(rgb, skin)

    # Exposure, clipping and glare from a regular grid of pixels (~300k).
    step = max(1, int(np.sqrt(skin.size / EXPOSURE_SAMPLE_PX)))
    grid_skin = skin[::step, ::step]
    if not grid_skin.any():
        grid_skin = skin
        step = 1
    lmean = float(lstar[::step, ::step][grid_skin].mean())
    px = rgb[::step, ::step][grid_skin].astype(np.int16)
    cmax = px.max(axis=1)
    clipped = float((cmax >= CLIP_LEVEL).mean())
    # Glare: bright and nearly colourless (shine on oily skin reflects the light's colour), and well above the skin's own
    # median light (glare_pixels), so skin that an exposure or a white balance made bright and pale is not glare.
    glare = float(glare_pixels(px).mean())

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
    measurable = is_measurable(problems)
    return Quality(
        sharpness=round(sharp, 4),
        noise_sigma=round(noise, 3),
        mean_luminance=round(lmean, 3),
        clipped_fraction=round(clipped, 5),
        glare_fraction=round(glare, 5),
        measurable=measurable,
        problems=problems,
    )
