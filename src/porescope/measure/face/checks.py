"""Capture checks of a face photo: lighting, eyes covered, glasses, blur and
pose per region, turned into :class:`~porescope.results.QualityProblem` records.
Called by :func:`porescope.measure.face.regions.regions_from_mesh`."""

from __future__ import annotations

import math

import cv2
import numpy as np

from porescope.measure.face.params import (
    EYES_COVERED_REL_L,
    FACE_MIN_SHARE,
    FOREHEAD_MIN_SKIN,
    GLASSES_BRIDGE_MIN_NONSKIN,
    GLASSES_BRIDGE_R_IPD,
    GLASSES_EDGE_SHARPNESS,
    GLASSES_LENS_IPD,
    LEFT_EYE,
    MAX_PITCH_DEG,
    MAX_TILES,
    MAX_YAW_DEG,
    REGION_BLUR_REL,
    REGION_MIN_SKIN,
    REGION_POLYGONS,
    RIGHT_EYE,
    TILE_PX,
    UNEVEN_LIGHT_DL,
    FaceFit,
    poly_mask,
    scaled,
)
from porescope.measure.imaging import glare_pixels
from porescope.results import QualityProblem

# ----------------------------------------------------------- capture checks

_NICE = {"forehead": "forehead", "between_brows": "skin between the brows", "nose": "nose", "left_cheek": "left cheek",
         "right_cheek": "right cheek", "chin": "chin"}


def _tiles_stats(rgb: np.ndarray, mask: np.ndarray, tile: int = TILE_PX) -> dict | None:
    """Sharpness, median L* and glare share of a region from up to MAX_TILES
    full-resolution tiles inside it (same measures as :mod:`porescope.measure.quality`; glare against the region's own
    median light, imaging.glare_pixels)."""
    from porescope.measure.imaging import lightness

    ys, xs = np.nonzero(mask[::tile, ::tile])
    if ys.size == 0:
        return None
    idx = np.linspace(0, ys.size - 1, min(MAX_TILES, ys.size)).astype(int)
    laps, ls, glare = [], [], []
    h, w = mask.shape
    for i in idx:
        cy, cx = ys[i] * tile, xs[i] * tile
        ty0, tx0 = max(0, cy - tile // 2), max(0, cx - tile // 2)
        ty1, tx1 = min(h, ty0 + tile), min(w, tx0 + tile)
        t = rgb[ty0:ty1, tx0:tx1]
        mk = mask[ty0:ty1, tx0:tx1]
        if t.shape[0] < 5 or t.shape[1] < 5 or mk.mean() < 0.5:
            continue
        ls_t = lightness(t)
        lap = cv2.Laplacian(ls_t, cv2.CV_32F, ksize=1)
        inner = cv2.erode(mk.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
        laps.append(lap[inner])
        ls.append(ls_t[mk])
        glare.append(t[mk])
    if not laps:
        return None
    lv = np.concatenate(laps)
    sharp = float(1.4826 * np.median(np.abs(lv - np.median(lv)))) if lv.size else 0.0
    return {"sharpness": round(sharp, 4), "median_lstar": round(float(np.median(np.concatenate(ls))), 2),
            "glare_fraction": round(float(glare_pixels(np.concatenate(glare)).mean()), 4)}


def _framing_checks(xy: np.ndarray, pose, skin_share: dict, not_measured: dict[str, str], h: int, w: int) -> list[QualityProblem]:
    """Face too small, cut off by the frame, turned, forehead covered, regions lost."""
    out: list[QualityProblem] = []
    face_w = float(np.hypot(*(xy[454] - xy[234])))
    share = face_w / min(h, w)
    if share < FACE_MIN_SHARE:
        out.append(QualityProblem(
            code="face_too_small", severity="warning", value=round(share, 3), limit=FACE_MIN_SHARE,
            message=(f"The face spans only {100 * share:.0f}% of the photo's shorter side; pores are too small to see well. "
                     "Move the camera closer (or use the back camera) so the face fills most of the frame."),
        ))
    outside = (xy[:, 0] < 0) | (xy[:, 0] >= w) | (xy[:, 1] < 0) | (xy[:, 1] >= h)
    if outside.any():
        cut = [nm for nm, idx in REGION_POLYGONS.items() if outside[list(idx)].any()]
        where = ", ".join(_NICE[c] for c in cut) if cut else "the edge of the face"
        out.append(QualityProblem(
            code="face_cut_off", severity="warning", value=round(float(outside.mean()), 3), limit=0.0,
            message=(f"Part of the face is outside the photo ({where}); those areas are measured only in part or not at all. "
                     "Step back or hold the camera farther so the whole face is in the frame."),
        ))
    turned = []
    if abs(pose.yaw_deg) > MAX_YAW_DEG:
        turned.append(f"turned to the side by about {abs(pose.yaw_deg):.0f}°")
    if abs(pose.pitch_deg) > MAX_PITCH_DEG:
        turned.append(f"tilted {'down' if pose.pitch_deg > 0 else 'up'} by about {abs(pose.pitch_deg):.0f}°")
    if turned:
        out.append(QualityProblem(
            code="face_turned", severity="warning", value=round(max(abs(pose.yaw_deg), abs(pose.pitch_deg)), 1),
            limit=MAX_YAW_DEG,
            message=(f"The head is {' and '.join(turned)} (limit {MAX_YAW_DEG:.0f}°): the far side is foreshortened and "
                     "left/right comparisons are unreliable. Look straight into the camera, chin level, and retake."),
        ))
    if skin_share.get("forehead", 1.0) < FOREHEAD_MIN_SKIN and not_measured.get("forehead") != "outside the photo":
        out.append(QualityProblem(
            code="forehead_covered", severity="warning", value=skin_share["forehead"], limit=FOREHEAD_MIN_SKIN,
            message=("Most of the forehead is hidden (hair, fringe, hat or shadow), so it is "
                     + ("left out. " if skin_share["forehead"] < REGION_MIN_SKIN else "measured only in part. ")
                     + "Pull the hair back with a band and retake for a forehead reading."),
        ))
    # Regions lost to shadow, cover (beard, hands, hair) or the frame edge.
    lost = [n for n in not_measured if n != "forehead" or "forehead_covered" not in {p.code for p in out}]
    if lost:
        why = [f"{_NICE[n]} ({not_measured[n]})" for n in lost]
        out.append(QualityProblem(
            code="region_not_measured", severity="warning", value=round(min(skin_share[n] for n in lost), 3), limit=REGION_MIN_SKIN,
            message=(f"Not measured: {', '.join(why)}. "
                     + ("Step back so the whole face is in the frame; light" if any(not_measured[n] == "outside the photo" for n in lost)
                        else "Light")
                     + " the face evenly from the front, keep hair, hands and glasses out of the way, and retake."),
        ))
    return out


def _region_light_checks(stats: dict) -> list[QualityProblem]:
    """Uneven light between the cheeks, regions in shadow, shine, and regions out of focus."""
    from porescope.measure import quality as q

    out: list[QualityProblem] = []
    lc, rc_ = stats.get("left_cheek"), stats.get("right_cheek")
    if lc and rc_ and abs(lc["median_lstar"] - rc_["median_lstar"]) > UNEVEN_LIGHT_DL:
        darker = "left" if lc["median_lstar"] < rc_["median_lstar"] else "right"
        diff = abs(lc["median_lstar"] - rc_["median_lstar"])
        out.append(QualityProblem(
            code="uneven_light", severity="warning", value=round(diff, 1), limit=UNEVEN_LIGHT_DL,
            message=(f"The {darker} cheek is much darker than the other (light from one side): its pores read fainter. "
                     "Face the window or lamp straight on and retake."),
        ))
    dark = [n for n, s in stats.items() if s["median_lstar"] < q.DARK_WARNING_L]
    if dark and len(dark) < len(stats):
        out.append(QualityProblem(
            code="region_too_dark", severity="warning", value=round(min(stats[n]["median_lstar"] for n in dark), 1),
            limit=q.DARK_WARNING_L,
            message=(f"The {', '.join(_NICE[n] for n in dark)} {'is' if len(dark) == 1 else 'are'} in shadow: faint pores there "
                     "may be missed. Light the face evenly from the front."),
        ))
    shiny = [n for n, s in stats.items() if s["glare_fraction"] > q.GLARE_WARNING]
    if shiny:
        out.append(QualityProblem(
            code="region_glare", severity="warning", value=round(max(stats[n]["glare_fraction"] for n in shiny), 4),
            limit=q.GLARE_WARNING,
            message=(f"Shine on the {', '.join(_NICE[n] for n in shiny)} hides pores there. Blot the skin, use soft light "
                     "from the front and no flash, and retake."),
        ))
    # Focus per region, relative to the face's other regions (a region in
    # another focal plane: nose tip vs cheeks at close range, a tilted phone).
    if len(stats) >= 3:
        ref = float(np.median([st["sharpness"] for st in stats.values()]))
        soft = [n for n, st in stats.items() if ref > 0 and st["sharpness"] < REGION_BLUR_REL * ref]
        if soft:
            out.append(QualityProblem(
                code="region_blurry", severity="warning", value=round(min(stats[n]["sharpness"] for n in soft) / ref, 3),
                limit=REGION_BLUR_REL,
                message=(f"The {', '.join(_NICE[n] for n in soft)} {'is' if len(soft) == 1 else 'are'} out of focus compared with the "
                         "rest of the face: small pores there may be missed. Hold the camera parallel to the face, a little "
                         "farther away, and tap to focus on the cheek."),
            ))
    return out


def capture_checks(rgb, fit: FaceFit, regions, shape, not_measured: dict[str, str]) -> tuple[list[QualityProblem], dict]:
    """The face photo's capture problems and per-region statistics.

    Parameters
    ----------
    rgb : ndarray
        The full-resolution photo (H, W, 3) uint8.
    fit : params.FaceFit
        The fitted face: landmarks, head pose (degrees), and at the working
        resolution the CIELAB image, region polygons, excluded features,
        skin-colour mask, each region's skin share and the landmarks.
    regions : list of Region
        The full-resolution regions.
    shape : tuple
        The photo's (height, width).
    not_measured : dict
        Region -> why it was left out.

    Returns
    -------
    problems : list of QualityProblem
        Warnings about framing, pose, covered features, light, glare and focus.
    stats : dict
        Region -> median L*, glare share and sharpness of its tiles.
    """
    h, w = shape
    mesh, pose, lab, polys, excl, skin_ok, skin_share, wxy = (fit.mesh, fit.pose, fit.lab, fit.polys, fit.excl, fit.skin_ok,
                                                              fit.skin_share, fit.wxy)
    xy = mesh.xy
    ipd = float(np.hypot(*(xy[list(LEFT_EYE)].mean(0) - xy[list(RIGHT_EYE)].mean(0))))
    out = _framing_checks(xy, pose, skin_share, not_measured, h, w)
    # Covered eyes (sunglasses, hand): the eye areas are much darker than the skin.
    skin_l = float(np.median(lab[..., 0][skin_ok & ~excl & (polys["left_cheek"] | polys["right_cheek"] | polys["nose"])])) \
        if np.any(skin_ok & (polys["left_cheek"] | polys["right_cheek"] | polys["nose"])) else None
    eyes = np.zeros(lab.shape[:2], np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        eyes |= poly_mask(lab.shape[:2], scaled(wxy[list(eye)], 1.6, 2.5, math.radians(pose.roll_deg)))
    if skin_l and np.any(eyes):
        eye_l = float(np.median(lab[..., 0][eyes > 0]))
        if eye_l < EYES_COVERED_REL_L * skin_l:
            out.append(QualityProblem(
                code="eyes_covered", severity="warning", value=round(eye_l / skin_l, 3), limit=EYES_COVERED_REL_L,
                message=("The eyes look covered (sunglasses or shadow): the iris cannot give the photo's scale, so a less exact "
                         "estimate is used. Take off glasses and retake for the best size figures."),
            ))
    # Per-region lightness, glare and focus on full-resolution tiles.
    stats = {}
    for r in regions:
        if r.outline_only or not r.mask.any():
            continue
        st = _tiles_stats(rgb, r.mask, tile=int(np.clip(ipd / 6, 8, TILE_PX)))
        if st:
            stats[r.name] = st
    out += _region_light_checks(stats)
    return out, stats


def glasses_mask(shape: tuple[int, int], wxy: np.ndarray, wipd: float, roll: float, skin_ok: np.ndarray,
                 lightness: np.ndarray, *, clipped: np.ndarray | None = None) -> np.ndarray | None:
    """Lenses and rims of glasses, when a bridge of glasses crosses the nose's root (see GLASSES_BRIDGE_R_IPD).

    Parameters
    ----------
    shape : tuple of int
        (height, width) of the working image.
    wxy : ndarray
        (468, 2) landmarks in the working image (x, y px).
    wipd : float
        Interpupillary distance in the working image (px).
    roll : float
        The face's roll (radians).
    skin_ok : ndarray
        (H, W) bool, pixels that pass the skin-colour check.
    lightness : ndarray
        (H, W) lightness of the working image (any scale).
    clipped : ndarray, optional
        (H, W) bool, pixels with a channel at the sensor's ceiling. Their
        colour is the ceiling's, not the skin's (a clipped red channel reads as
        less red), so the bridge test leaves them out: a 10% brighter photo of
        the astronaut failed the skin check on 42% of her nose's root, all of
        it clipped highlight, and read as a bridge of glasses.

    Returns
    -------
    ndarray or None
        (H, W) bool lens zones and bridge, or None when no glasses are seen.
    """
    probe = np.zeros(shape, np.uint8)
    cx, cy = wxy[168]
    cv2.circle(probe, (int(round(cx)), int(round(cy))), max(1, int(round(GLASSES_BRIDGE_R_IPD * wipd))), 1, -1)
    probe = probe > 0
    if clipped is not None:
        probe &= ~clipped
    if not probe.any() or float((~skin_ok[probe]).mean()) <= GLASSES_BRIDGE_MIN_NONSKIN:
        return None
    # A frame has sharp edges; a shadow at the nose's root fades out (see GLASSES_EDGE_SHARPNESS).
    near = np.zeros(shape, np.uint8)
    cv2.circle(near, (int(round(cx)), int(round(cy))), max(2, int(round(2 * GLASSES_BRIDGE_R_IPD * wipd))), 1, -1)
    lit = lightness.astype(np.float32)
    grad = np.hypot(cv2.Sobel(lit, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(lit, cv2.CV_32F, 0, 1, ksize=3))[near > 0] / 8
    spread = float(np.percentile(lit[near > 0], 95) - np.percentile(lit[near > 0], 5))
    if float(np.percentile(grad, 95)) / max(spread, 1.0) * wipd < GLASSES_EDGE_SHARPNESS:
        return None
    lens = np.zeros(shape, np.uint8)
    inner, outer, up, down = (a * wipd for a in GLASSES_LENS_IPD)
    t = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    c, s = np.cos(t), np.sin(t)
    # A rounded rectangle (superellipse |x/a|^4 + |y/b|^4 = 1): lenses have wide lower corners.
    py = np.where(s > 0, down, up) * np.sign(s) * np.abs(s) ** 0.5
    ca, sa = math.cos(roll), math.sin(roll)
    for eye, outward in ((RIGHT_EYE, -1.0), (LEFT_EYE, 1.0)):  # face-frame x runs from the right eye to the left
        ex, ey = wxy[list(eye)].mean(0)
        px = np.where(c * outward > 0, outer, inner) * np.sign(c) * np.abs(c) ** 0.5
        pts = np.column_stack([ex + px * ca - py * sa, ey + px * sa + py * ca])
        lens |= poly_mask(shape, pts)
    cv2.circle(lens, (int(round(cx)), int(round(cy))), max(1, int(round(2 * GLASSES_BRIDGE_R_IPD * wipd))), 1, -1)  # the bridge
    return lens > 0


def glasses_problem() -> QualityProblem:
    """The warning for a face wearing glasses (the skin behind the lenses is left out).

    Returns
    -------
    QualityProblem
    """
    return QualityProblem(
        code="glasses", severity="warning",
        message=("Glasses cover the skin around the eyes: the skin behind the lenses and under the rims (upper cheeks, sides "
                 "of the nose) is left out. Take the glasses off and retake to measure it."),
    )
