"""Full-face photos: face regions, physical scale and face capture checks.

:func:`face_regions` is what :func:`porescope.measure.regions.find_regions` calls. It

1. finds the face and its 468 landmarks (:func:`porescope.measure.face.mesh.search_face`:
   detector, padded detector, full-range detector, landmark model on the
   whole frame, each in four rotations; ~60-130 ms for a 12 MP photo with no
   face). No face: the whole frame in ``auto`` mode, unless the photo looks
   like a face whose landmarks cannot be placed (a blocking
   ``face_not_placed`` problem);
2. draws forehead, the skin between the brows (glabella), the whole nose,
   both cheeks and chin as polygons through landmarks, removes eyes and lids,
   brows, lips and nostrils (each with a margin scaled to the face) and the
   face's sides where they turn into shadow, then drops pixels whose colour is not the face's
   own skin colour (hair, beard, deep shadow, frames; see
   :func:`skin_colour_mask`) with a margin, and the lenses of glasses when a
   bridge of glasses crosses the nose's root;
3. derives the physical scale from the iris diameter, or from the
   interpupillary distance when the irises cannot be used (closed or covered
   eyes, a small face);
4. checks the capture: face too small, cut off, turned, forehead or eyes
   covered, uneven light, glare and blur per region, and (from EXIF) a
   front-camera selfie that may be mirrored.

A region with too little visible skin (cut by the frame, hidden, in shadow)
is left out of the regions, never measured as zero; ``RegionSet.not_measured``
says which and why.

Left and right are the PERSON's: the person's left cheek is on the image's
right in a non-mirrored photo. All masks have the size of the
orientation-corrected input image.
"""

from __future__ import annotations

import logging
import math

import cv2
import numpy as np

from porescope.errors import PorescopeError
from porescope.measure.face import mesh as facemesh
from porescope.measure.face.checks import capture_checks, glasses_mask, glasses_problem
from porescope.measure.face.params import (  # noqa: F401 (re-exported: face mode's public constants)
    BETWEEN_BROWS,
    BROW_MARGIN_IPD,
    CHIN,
    DEPTH_UNCERTAINTY_PCT,
    EYE_MARGIN_IPD,
    EYE_OPEN_MIN,
    EYE_SCALE_X,
    EYE_SCALE_Y,
    EYES_COVERED_REL_L,
    FACE_EDGE_MARGIN_IPD,
    FACE_EDGE_SHADOW_REL_L,
    FACE_MIN_SHARE,
    FACE_OVAL,
    FACE_SIDES,
    FOREHEAD,
    FOREHEAD_MIN_SKIN,
    GLASSES_BRIDGE_MIN_NONSKIN,
    GLASSES_BRIDGE_R_IPD,
    GLASSES_LENS_IPD,
    IPD_MM,
    IPD_SD_MM,
    IRIS_AGREE,
    IRIS_DIAMETER_MM,
    IRIS_SD_MM,
    LANDMARK_ERR_PX,
    LEFT_BROW,
    LEFT_CHEEK,
    LEFT_EYE,
    LEFT_LIDS,
    LIPS,
    LIPS_MARGIN_IPD,
    MAX_PITCH_DEG,
    MAX_TILES,
    MAX_YAW_DEG,
    MIN_IRIS_PX,
    NON_SKIN_MARGIN_IPD,
    NOSE,
    NOSTRIL_MARGIN_IPD,
    NOSTRILS,
    PITCH_NEUTRAL_DEG,
    REGION_BLUR_REL,
    REGION_MIN_AREA_IPD2,
    REGION_MIN_AREA_IPD2_SMALL,
    REGION_MIN_SKIN,
    REGION_POLYGONS,
    RIGHT_BROW,
    RIGHT_CHEEK,
    RIGHT_EYE,
    RIGHT_LIDS,
    SKIN_BRIGHT_Z,
    SKIN_CHROMA_MIN_SD,
    SKIN_CHROMA_Z,
    SKIN_HAIR_REL_L,
    SKIN_HAIR_YELLOW_Z,
    SKIN_MIN_REL_L,
    TILE_PX,
    UNEVEN_LIGHT_DL,
    WORK_IPD_PX,
    FaceFit,
    Pose,
    poly_mask,
    scaled,
)
from porescope.measure.imaging import CLIP_LEVEL
from porescope.measure.regionset import REGION_LABELS, Region, RegionSet, closeup_regions
from porescope.results import QualityProblem

log = logging.getLogger(__name__)

# ------------------------------------------------------------------- helpers


def _disk(r: float) -> np.ndarray:
    k = max(1, int(round(r)))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))


def estimate_pose(lm: np.ndarray) -> Pose:
    """Head pose from the face mesh.

    Roll from the line through the outer eye corners; yaw and pitch from the
    angle in depth of the face-side vector (landmarks 234 -> 454) and the
    forehead-chin vector (10 -> 152), pitch relative to PITCH_NEUTRAL_DEG.

    Parameters
    ----------
    lm : ndarray
        (468, 3) landmarks (x, y in px, z in the model's depth units).

    Returns
    -------
    Pose
        Yaw, pitch and roll in degrees.
    """
    a, b = lm[facemesh.RIGHT_EYE_OUTER, :2], lm[facemesh.LEFT_EYE_OUTER, :2]
    roll = math.atan2(b[1] - a[1], b[0] - a[0])
    c, s = math.cos(roll), math.sin(roll)
    rot = np.array([[c, s], [-s, c]])
    xy = lm[:, :2] @ rot.T  # face frame: x along the eye line, y down the face
    side = xy[454] - xy[234]
    yaw = math.degrees(math.atan2(lm[454, 2] - lm[234, 2], side[0]))
    vert = xy[152] - xy[10]
    pitch = math.degrees(math.atan2(lm[152, 2] - lm[10, 2], vert[1])) - PITCH_NEUTRAL_DEG
    return Pose(yaw_deg=round(-yaw, 1), pitch_deg=round(-pitch, 1), roll_deg=round(math.degrees(roll), 1))


def skin_colour_mask(lab: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, dict]:
    """Pixels that look like the face's own skin.

    Parameters
    ----------
    lab : ndarray
        (H, W, 3) OpenCV 8-bit Lab image.
    reference : ndarray
        (H, W) bool, pixels mostly on skin (cheeks, nose); their median and
        robust spread define the skin colour.

    Returns
    -------
    tuple
        The (H, W) bool mask and the colour statistics (dict).
    """
    ref = lab[reference]
    if ref.shape[0] < 50:
        return np.ones(lab.shape[:2], bool), {}
    med = np.median(ref, axis=0)
    sd = 1.4826 * np.median(np.abs(ref - med), axis=0)
    sa, sb = max(sd[1], SKIN_CHROMA_MIN_SD), max(sd[2], SKIN_CHROMA_MIN_SD)
    L = lab[..., 0].astype(np.float32)
    da = (lab[..., 1].astype(np.float32) - med[1]) / sa
    db = (lab[..., 2].astype(np.float32) - med[2]) / sb
    chroma_ok = da * da + db * db <= SKIN_CHROMA_Z**2
    bright = L >= med[0] + SKIN_BRIGHT_Z * max(sd[0], 4.0)
    # Blond or brown hair and the shadowed side of the face: darker than the skin and shifted from red to yellow.
    hair = (L < SKIN_HAIR_REL_L * med[0]) & (db - da > SKIN_HAIR_YELLOW_Z)
    ok = (chroma_ok | bright) & (L >= face_skin_min_l(float(med[0]))) & ~hair
    ok = cv2.medianBlur(ok.view(np.uint8) * 255, 5) > 0
    return ok, {"median_lab": [round(float(v), 2) for v in med], "sd_lab": [round(float(v), 2) for v in sd]}


def face_skin_min_l(median_l: float) -> float:
    """Lightness below which a pixel is not measurable skin.

    Parameters
    ----------
    median_l : float
        Median skin lightness (OpenCV 8-bit L, 0-255).

    Returns
    -------
    float
        SKIN_MIN_REL_L x the median, in the same units.
    """
    return SKIN_MIN_REL_L * median_l


# -------------------------------------------------------------------- scale


def face_scale(mesh: facemesh.FaceMesh, pose: Pose) -> dict:
    """The photo's scale from the face: the iris diameter, else the interpupillary distance.

    Parameters
    ----------
    mesh : facemesh.FaceMesh
        Landmarks and irises.
    pose : Pose
        Head pose (a turned head foreshortens the distances).

    Returns
    -------
    dict
        ``px_per_mm``, ``source`` ('iris' or 'interpupillary'),
        ``uncertainty_pct`` and the figures behind them.
    """
    xy = mesh.xy
    eye_w = [float(np.hypot(*(xy[o] - xy[i]))) for (_, _, o, i) in (RIGHT_LIDS, LEFT_LIDS)]
    openness = [float(np.hypot(*(xy[u] - xy[d]))) / max(w, 1e-6) for (u, d, _, _), w in zip((RIGHT_LIDS, LEFT_LIDS), eye_w)]
    info: dict = {"eye_openness": [round(v, 3) for v in openness]}
    cos_yaw = max(math.cos(math.radians(pose.yaw_deg)), 0.5)
    if mesh.iris_right is not None or mesh.iris_left is not None:
        # An iris is None when its eye lies outside the photo (a face cut at the side).
        pairs = [(facemesh.iris_diameter_px(ir), op) for ir, op in zip((mesh.iris_right, mesh.iris_left), openness) if ir is not None]
        d = [dv for dv, _ in pairs]
        info["iris_diameter_px"] = [round(v, 2) for v in d]
        usable = [dv for dv, op in pairs if op >= EYE_OPEN_MIN and dv >= MIN_IRIS_PX]
        if len(usable) == 2 and abs(usable[0] - usable[1]) / max(usable) > IRIS_AGREE:
            usable = [max(usable)]  # one iris mis-fitted (lid, glint): the larger is the less clipped
        if usable:
            dpx = float(np.mean(usable))
            unc = math.sqrt((100 * IRIS_SD_MM / IRIS_DIAMETER_MM) ** 2 + (100 * LANDMARK_ERR_PX / dpx / math.sqrt(2 * len(usable))) ** 2
                            + DEPTH_UNCERTAINTY_PCT**2 + (100 * (1 - cos_yaw)) ** 2)
            return {**info, "px_per_mm": dpx / IRIS_DIAMETER_MM, "source": "iris", "uncertainty_pct": round(unc, 1)}
        info["iris_unused"] = "eyes closed or irises too small"
    # Fallback: eye centres (mean of each eye contour; works with closed eyes).
    rc = xy[list(RIGHT_EYE)].mean(0)
    lc = xy[list(LEFT_EYE)].mean(0)
    ipd_px = float(np.hypot(*(lc - rc))) / cos_yaw
    unc = math.sqrt((100 * IPD_SD_MM / IPD_MM) ** 2 + (100 * 2 * LANDMARK_ERR_PX / ipd_px) ** 2 + DEPTH_UNCERTAINTY_PCT**2
                    + (100 * (1 - cos_yaw)) ** 2)
    info["ipd_px"] = round(ipd_px, 2)
    return {**info, "px_per_mm": ipd_px / IPD_MM, "source": "interpupillary", "uncertainty_pct": round(unc, 1)}


# ------------------------------------------------------------------ regions


def face_regions(rgb: np.ndarray, *, mode: str = "auto", roi: np.ndarray | None = None, valid: np.ndarray | None = None,
                 camera: dict | None = None) -> RegionSet:
    """Face regions of a photo (see the module docstring).

    When the photo looks like a face (a landmark-model face presence of at
    least ``facemesh.FACE_HINT_SCORE``) but its landmarks cannot be placed,
    'auto' mode analyzes the frame as a close-up with a blocking
    ``face_not_placed`` problem, never silently.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    mode : {'auto', 'face'}
        'auto': the whole frame when no face is found; 'face': an error then.
    roi, valid : ndarray, optional
        (H, W) bool masks the regions are limited to.
    camera : dict, optional
        EXIF camera fields (:func:`porescope.measure.exif.camera_fields`), for the
        mirrored-selfie check.

    Returns
    -------
    RegionSet

    Raises
    ------
    PorescopeError
        In 'face' mode when no face is found.
    """
    h, w = rgb.shape[:2]
    # The face models ship with porescope: a missing one is a broken install and must raise, not read as "no face".
    search = facemesh.search_face(rgb)
    info = {"strategy": search.strategy, "hint": search.hint, "attempts": search.attempts, "elapsed_ms": search.elapsed_ms}
    if search.mesh is None:
        looks_like_face = search.hint >= facemesh.FACE_HINT_SCORE
        if mode == "face":
            raise PorescopeError(
                ("the photo looks like a face, but the face could not be located (too close, cut by the frame or very "
                 "small; face mode). Step back so the whole face is in the frame, or use --mode closeup for a close-up of the skin.")
                if looks_like_face else
                ("no face found in the photo (face mode). Use a photo with the whole face, front-on and well lit, "
                 "or --mode closeup for a close-up of the skin.")
            )
        rs = closeup_regions((h, w), roi=roi, valid=valid)
        rs.extra["face_found"] = False
        rs.extra["face_search"] = info
        if looks_like_face:
            rs.problems.append(face_not_placed_problem(search.hint))
        return rs
    rs = regions_from_mesh(rgb, search.mesh, roi=roi, valid=valid)
    rs.extra["face_search"] = info
    mirror = mirror_problem(camera or {})
    if mirror is not None:
        rs.problems.append(mirror)
    return rs


def face_not_placed_problem(hint: float) -> QualityProblem:
    """The blocking problem for a photo that looks like a face whose regions cannot be placed.

    Parameters
    ----------
    hint : float
        The best face presence the landmark model saw (0-1).

    Returns
    -------
    QualityProblem
    """
    return QualityProblem(
        code="face_not_placed", severity="blocking", value=round(hint, 3), limit=facemesh.FACE_HINT_SCORE,
        message=("This looks like a face, but its forehead, nose, cheeks and chin could not be placed (the face is too "
                 "close, cut off by the frame, or very small in the photo), so it cannot be measured region by region, and "
                 "measuring it as one skin close-up would count brows, eyes and lips as pores. Step back so the whole face "
                 "is in the frame (or come closer if the face is small) and retake; for a close-up of one skin area, fill "
                 "the frame with skin only and use --mode closeup."),
    )


#: Words in the EXIF LensModel / LensMake of a phone's front (selfie) camera,
#: e.g. Apple "iPhone 13 front camera 2.71mm f/2.2", "iPhone 15 Pro front
#: TrueDepth camera 2.69mm f/1.9"; back cameras read "back camera".
FRONT_CAMERA_WORDS = ("front", "selfie", "truedepth", "facetime", "user-facing")
BACK_CAMERA_WORDS = ("back camera", "rear", "back dual", "back triple")


def mirror_problem(camera: dict) -> QualityProblem | None:
    """Left/right check from the camera fields of EXIF.

    Many phones save front-camera selfies mirrored (iOS "Mirror Front Camera",
    most Android camera apps), and nothing in the pixels says so.

    Parameters
    ----------
    camera : dict
        EXIF camera fields (:func:`porescope.measure.exif.camera_fields`).

    Returns
    -------
    QualityProblem or None
        A warning when a front camera is named, an info note when the file does
        not say which camera took it, None for a back camera.
    """
    lens = " ".join(camera.get(k, "") for k in ("lens_make", "lens_model")).lower()
    who = " ".join(v for v in (camera.get("make"), camera.get("model")) if v) or "the camera"
    if any(wd in lens for wd in FRONT_CAMERA_WORDS):
        return QualityProblem(
            code="maybe_mirrored", severity="warning",
            message=(f"Taken with the front (selfie) camera ({camera.get('lens_model') or who}). Many phones save selfies "
                     "mirrored, so the left and right cheek may be swapped in this result. Check on the overlay which "
                     "side is which, or turn off mirroring for the front camera (or use the back camera) for visits you compare."),
        )
    if lens and any(wd in lens for wd in BACK_CAMERA_WORDS):
        return None
    return QualityProblem(
        code="left_right_unverified", severity="info",
        message=("The file does not say which camera took it, so left and right assume a photo that is not mirrored; "
                 "a selfie saved mirrored swaps the left and right cheek. Check on the overlay which side is which."),
    )


def regions_from_mesh(rgb: np.ndarray, mesh: facemesh.FaceMesh, *, roi=None, valid=None) -> RegionSet:
    """The regions of a face whose landmarks are known.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    mesh : facemesh.FaceMesh
        The face's landmarks (image px).
    roi, valid : ndarray, optional
        (H, W) bool masks the regions are limited to.

    Returns
    -------
    RegionSet
        Forehead, between the brows, nose, cheeks and chin (minus eyes, brows, lips, nostrils, glasses and non-skin),
        the whole face, the scale, regions not measured and capture problems.
    """
    h, w = rgb.shape[:2]
    lm = mesh.landmarks
    xy = mesh.xy
    pose = estimate_pose(lm)
    roll = math.radians(pose.roll_deg)
    rc = xy[list(RIGHT_EYE)].mean(0)
    lc = xy[list(LEFT_EYE)].mean(0)
    ipd = float(np.hypot(*(lc - rc)))

    # Working frame: the face's bounding box (clipped), downscaled so the IPD is ~WORK_IPD_PX.
    pad = 0.05 * ipd
    x0 = int(max(0, math.floor(xy[:, 0].min() - pad)))
    y0 = int(max(0, math.floor(xy[:, 1].min() - pad)))
    x1 = int(min(w, math.ceil(xy[:, 0].max() + pad)))
    y1 = int(min(h, math.ceil(xy[:, 1].max() + pad)))
    problems: list[QualityProblem] = []
    if x1 - x0 < 8 or y1 - y0 < 8:
        raise PorescopeError("the face found lies outside the photo; retake with the whole face in the frame.")
    f = min(1.0, WORK_IPD_PX / max(ipd, 1.0))
    crop = rgb[y0:y1, x0:x1]
    ww, wh = max(1, round((x1 - x0) * f)), max(1, round((y1 - y0) * f))
    step = int(1 / f // 2) if f < 1 else 1  # strided pre-decimation, then area averaging
    src = crop[::step, ::step] if step > 1 else crop
    work = cv2.resize(np.ascontiguousarray(src), (ww, wh), interpolation=cv2.INTER_AREA) if f < 1 else np.ascontiguousarray(crop)
    fx, fy = ww / (x1 - x0), wh / (y1 - y0)
    wxy = (xy - [x0, y0]) * [fx, fy]
    wipd = ipd * fx
    shape = (wh, ww)

    excl_b = _exclusions(shape, wxy, wipd, roll)

    polys = {name: poly_mask(shape, wxy[list(idx)]) > 0 for name, idx in REGION_POLYGONS.items()}
    lab = cv2.cvtColor(work, cv2.COLOR_RGB2LAB)
    skin_ok, colour, excl_b = _skin_check(lab, polys, excl_b, wxy, wipd, roll, problems, clipped=work.max(axis=2) >= CLIP_LEVEL)
    work_masks, skin_share, in_frame = _work_region_masks(shape, polys, wxy, wipd, excl_b, skin_ok)

    regions, skin = _full_resolution_regions(work_masks, (h, w), (x0, y0), f, fx, fy, roi=roi, valid=valid)
    if skin.any():  # the whole face: the union of the measured regions (none measured: no 'face' row either)
        regions.append(Region("face", skin, 0, outline_only=True))
    measured = {r.name for r in regions}
    ref_l = _reference_l(lab, skin_ok, polys)
    roi_work = None
    if roi is not None:  # the user's ROI at the working resolution, to tell "outside the ROI" apart
        roi_work = cv2.resize(roi[y0:y1, x0:x1].view(np.uint8) * 255, (ww, wh), interpolation=cv2.INTER_AREA) >= 128
    not_measured = {n: _why_not_measured(n, lab, polys, excl_b, in_frame[n], ref_l, roi_work)
                    for n in REGION_POLYGONS if n not in measured}

    # Scale.
    sc = face_scale(mesh, pose)

    # Capture checks.
    fit = FaceFit(mesh=mesh, pose=pose, lab=lab, polys=polys, excl=excl_b, skin_ok=skin_ok, skin_share=skin_share, wxy=wxy)
    found, region_stats = capture_checks(rgb, fit, regions, (h, w), not_measured)
    problems += found

    extra = {
        "face_found": True,
        "detection_score": round(mesh.detection.score, 3),
        "presence": round(mesh.presence, 3),
        "pose": pose.__dict__,
        "face_box_px": [x0, y0, x1, y1],
        "ipd_px": round(ipd, 2),
        "skin_share": skin_share,
        "skin_colour": colour,
        "region_stats": region_stats,
        "scale": {k: v for k, v in sc.items() if k not in ("px_per_mm", "source", "uncertainty_pct")},
        "landmarks_px": np.round(xy, 1),
    }
    return RegionSet(
        mode="face", regions=regions, skin=skin, scale_px_per_mm=round(sc["px_per_mm"], 3), scale_source=sc["source"],
        scale_uncertainty_pct=sc["uncertainty_pct"], problems=problems, extra=extra, not_measured=not_measured,
    )


def _work_region_masks(shape: tuple[int, int], polys: dict[str, np.ndarray], wxy: np.ndarray, wipd: float, excl_b: np.ndarray,
                       skin_ok: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, float], dict[str, float]]:
    """Each region's skin mask at the working resolution (exclusive; empty when too little skin), its skin share and in-frame share."""
    # In-frame part of the working crop (the crop is already clipped to the image).
    taken = np.zeros(shape, bool)
    work_masks: dict[str, np.ndarray] = {}
    skin_share: dict[str, float] = {}
    in_frame: dict[str, float] = {}
    for name in REGION_POLYGONS:
        poly = polys[name] & ~taken
        m = poly & ~excl_b & skin_ok
        n_poly = int(np.count_nonzero(poly))
        # The polygon as it would be without clipping at the image border (for cut-off faces).
        full_area = abs(_polygon_area(wxy[list(REGION_POLYGONS[name])]))
        skin_share[name] = round(min(1.0, float(np.count_nonzero(m)) / max(full_area, 1.0)), 3)
        in_frame[name] = min(1.0, n_poly / max(full_area, 1.0))
        # Too little skin left (cut by the frame, hidden, in shadow): not measured.
        min_area = REGION_MIN_AREA_IPD2_SMALL.get(name, REGION_MIN_AREA_IPD2) * wipd * wipd
        if skin_share[name] < REGION_MIN_SKIN or np.count_nonzero(m) < min_area:
            m = np.zeros_like(m)
        work_masks[name] = m
        taken |= polys[name]
        log.debug("region %s: polygon %d px, skin %d px", name, n_poly, int(np.count_nonzero(m)))
    return work_masks, skin_share, in_frame


def _exclusions(shape: tuple[int, int], wxy: np.ndarray, wipd: float, roll: float) -> np.ndarray:
    """Where no region may reach (bool): eyes (scaled up for lids and lashes), brows, lips and nostrils, each with a
    margin that scales with the face."""
    excl = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        excl |= cv2.dilate(poly_mask(shape, scaled(wxy[list(eye)], EYE_SCALE_X, EYE_SCALE_Y, roll)), _disk(EYE_MARGIN_IPD * wipd))
    for brow in (RIGHT_BROW, LEFT_BROW):
        excl |= cv2.dilate(poly_mask(shape, wxy[list(brow)]), _disk(BROW_MARGIN_IPD * wipd))
    excl |= cv2.dilate(poly_mask(shape, wxy[list(LIPS)]), _disk(LIPS_MARGIN_IPD * wipd))
    excl |= cv2.dilate(poly_mask(shape, wxy[list(NOSTRILS)]), _disk(NOSTRIL_MARGIN_IPD * wipd))
    return excl > 0


def _skin_check(lab: np.ndarray, polys: dict[str, np.ndarray], excl: np.ndarray, wxy: np.ndarray, wipd: float, roll: float,
                problems: list[QualityProblem], *, clipped: np.ndarray | None = None) -> tuple[np.ndarray, dict, np.ndarray]:
    """Measurable skin at the working resolution: the skin-colour check with a margin off what fails it, and the
    exclusions grown by the shadowed edge of the face and by glasses (a ``glasses`` warning is added to ``problems``)."""
    sides = _face_sides(lab.shape[:2], wxy, wipd)
    reference = (polys["left_cheek"] | polys["right_cheek"] | polys["nose"]) & ~excl & ~sides
    skin_ok, colour = skin_colour_mask(lab, reference)
    if colour:  # the shadowed edge of the face
        excl = excl | (sides & (lab[..., 0] < FACE_EDGE_SHADOW_REL_L * colour["median_lab"][0]))
    # A margin around hair, beard, frames and shadow: their border pixels mix with the skin.
    skin_ok = cv2.erode(skin_ok.view(np.uint8), _disk(NON_SKIN_MARGIN_IPD * wipd), borderType=cv2.BORDER_REPLICATE) > 0
    glasses = glasses_mask(lab.shape[:2], wxy, wipd, roll, skin_ok, lab[..., 0], clipped=clipped)
    if glasses is not None:
        excl = excl | glasses
        problems.append(glasses_problem())
    return skin_ok, colour, excl


def _face_sides(shape: tuple[int, int], wxy: np.ndarray, wipd: float) -> np.ndarray:
    """A band along the face's outline from temple to jaw, FACE_EDGE_MARGIN_IPD inside it (bool). Where it is darker
    than FACE_EDGE_SHADOW_REL_L of the skin it is the shadowed edge of the face (a lit edge stays; the forehead's top
    meets hair, which the skin-colour check removes)."""
    band = np.zeros(shape, np.uint8)
    width = 2 * max(1, int(round(FACE_EDGE_MARGIN_IPD * wipd))) + 1
    for side in FACE_SIDES:
        cv2.polylines(band, [np.round(wxy[list(side)]).astype(np.int32)], False, 255, thickness=width)
    return band > 0


def _full_resolution_regions(work_masks: dict[str, np.ndarray], hw: tuple[int, int], origin: tuple[int, int], f: float, fx: float, fy: float,
                             *, roi=None, valid=None) -> tuple[list[Region], np.ndarray]:
    """The working-resolution region masks at the image's size (exclusive, inside ``roi`` and ``valid``), and their union."""
    h, w = hw
    x0, y0 = origin
    # Full-resolution masks: each region's bbox scaled up with smooth edges;
    # all full-size work happens inside that bbox.
    regions: list[Region] = []
    skin = np.zeros((h, w), bool)
    for name, m in work_masks.items():
        full = np.zeros((h, w), bool)
        if m.any():
            ys, xs = np.nonzero(m)
            by0, by1, bx0, bx1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
            # Work bbox -> image bbox.
            iy0, iy1 = y0 + int(math.floor(by0 / fy)), min(h, y0 + int(math.ceil(by1 / fy)))
            ix0, ix1 = x0 + int(math.floor(bx0 / fx)), min(w, x0 + int(math.ceil(bx1 / fx)))
            sub = m[by0:by1, bx0:bx1].view(np.uint8) * 255
            if f < 1:
                # Sample the work mask at the image pixels' centres (linear, then threshold).
                mx = np.array([[fx, 0, (ix0 - x0 + 0.5) * fx - 0.5 - bx0], [0, fy, (iy0 - y0 + 0.5) * fy - 0.5 - by0]], np.float64)
                up = cv2.warpAffine(sub, mx, (ix1 - ix0, iy1 - iy0), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                    borderMode=cv2.BORDER_CONSTANT, borderValue=0) >= 128
            else:
                up = sub > 0
            sl = (slice(iy0, iy1), slice(ix0, ix1))
            if roi is not None:
                up &= roi[sl]
            if valid is not None:
                up &= valid[sl]
            up &= ~skin[sl]  # regions are exclusive
            full[sl] = up
            skin[sl] |= up
        if full.any():
            regions.append(Region(name, full, REGION_LABELS[name]))
    return regions, skin


def _reference_l(lab, skin_ok, polys) -> float | None:
    """Median lightness of the skin on the cheeks and nose (None without any)."""
    ref = skin_ok & (polys["left_cheek"] | polys["right_cheek"] | polys["nose"])
    return float(np.median(lab[..., 0][ref])) if np.any(ref) else None


def _why_not_measured(name, lab, polys, excl, in_frame: float, ref_l: float | None, roi_work=None) -> str:
    """'outside the photo', 'outside the ROI mask', 'in shadow' or 'hidden' for a region left out."""
    if in_frame < REGION_MIN_SKIN:
        return "outside the photo"
    inside = polys[name] & ~excl
    if roi_work is not None and inside.any() and float(roi_work[inside].mean()) < 0.5:
        return "outside the ROI mask"
    if ref_l is not None and inside.any() and float(np.median(lab[..., 0][inside])) < face_skin_min_l(ref_l):
        return "in shadow"
    return "hidden (hair, beard, glasses, hands) or cut by the frame"


def _polygon_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


