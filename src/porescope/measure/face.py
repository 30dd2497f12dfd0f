"""Full-face photos: face regions, physical scale and face capture checks.

:func:`face_regions` is what :func:`porescope.measure.regions.find_regions` calls. It

1. finds the face and its 468 landmarks (:func:`porescope.measure.facemesh.search_face`:
   detector, padded detector, full-range detector, landmark model on the
   whole frame, each in four rotations; ~60-130 ms for a 12 MP photo with no
   face). No face: the whole frame in ``auto`` mode, unless the photo looks
   like a face whose landmarks cannot be placed (a blocking
   ``face_not_placed`` problem);
2. draws forehead, nose, both cheeks and chin as polygons through landmarks,
   removes eyes, brows and lips (with a margin) and the nostrils (the nose
   polygon stops at the nose tip), then drops pixels whose colour is not the
   face's own skin colour (hair, beard, deep shadow) — see :func:`skin_colour_mask`;
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
from dataclasses import dataclass

import cv2
import numpy as np

from porescope.errors import PorescopeError
from porescope.measure import facemesh
from porescope.measure.regionset import REGION_LABELS, Region, RegionSet, closeup_regions
from porescope.results import QualityProblem

log = logging.getLogger(__name__)

# ----------------------------------------------------------------- landmarks
# Polygons through MediaPipe face-mesh landmark indices, chosen on a labelled
# plot of the mesh (person's right side = lower indices, image left).
FOREHEAD = (54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 301, 300, 293, 334, 296, 336, 9, 107, 66, 105, 63, 70, 71, 21)
#: Bridge, dorsum and alae down to the tip (landmark 1): the nostrils and the
#: columella below the tip are left out.
NOSE = (168, 417, 351, 419, 248, 456, 420, 360, 279, 358, 294, 1, 64, 129, 49, 131, 198, 236, 3, 196, 122, 193)
#: From under the eye (lower orbit) to the mouth-corner level, between the
#: nasolabial line and the side of the face.
RIGHT_CHEEK = (116, 117, 118, 119, 120, 100, 142, 203, 206, 216, 212, 214, 138, 215, 177, 137, 227)
_MIRROR = {116: 345, 117: 346, 118: 347, 119: 348, 120: 349, 100: 329, 142: 371, 203: 423, 206: 426, 216: 436,
           212: 432, 214: 434, 138: 367, 215: 435, 177: 401, 137: 366, 227: 447}
LEFT_CHEEK = tuple(_MIRROR[i] for i in RIGHT_CHEEK)
#: Below the lower lip down to just above the chin's edge.
CHIN = (204, 106, 182, 83, 18, 313, 406, 335, 424, 430, 394, 395, 369, 396, 175, 171, 140, 170, 169, 210)

RIGHT_EYE = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
LIPS = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176,
             149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
#: Upper and lower lid mid points and corners, for eye openness.
RIGHT_LIDS = (159, 145, 33, 133)
LEFT_LIDS = (386, 374, 263, 362)

#: Region name -> polygon, in label order (REGION_LABELS).
REGION_POLYGONS = {
    "forehead": FOREHEAD,
    "nose": NOSE,
    "left_cheek": LEFT_CHEEK,
    "right_cheek": RIGHT_CHEEK,
    "chin": CHIN,
}

# ------------------------------------------------------------------ constants
#: Exclusion margins, as fractions of the interpupillary distance (IPD,
#: ~63 mm in adults, so 0.05 IPD ~ 3 mm): lashes, lid folds and brow hair
#: reach beyond the landmark contours.
EYE_SCALE_X, EYE_SCALE_Y = 1.3, 2.4  # eye contour scaled about its centre (lids, lashes)
EYE_MARGIN_IPD = 0.06
BROW_MARGIN_IPD = 0.06
LIPS_MARGIN_IPD = 0.05
#: Regions are built at a working resolution where the IPD spans this many
#: px (a face ~450 px wide); masks are then scaled up with smooth edges.
WORK_IPD_PX = 200.0

#: Skin-colour check (CIELAB, OpenCV 8-bit scale: L 0-255, a/b offset 128).
#: A pixel is skin when its chroma (a, b) lies within SKIN_CHROMA_Z robust
#: standard deviations of the face's own median skin chroma, and it is not
#: much darker than the median (hair, beard, deep shadow). Bright pixels skip
#: the chroma test: glare is colourless but is still skin, and the glare
#: checks must see it.
SKIN_CHROMA_Z = 3.5
SKIN_CHROMA_MIN_SD = 2.5  # floor on the robust SD (a, b units) for very even skin
SKIN_MIN_REL_L = 0.55  # darker than 55% of the median skin lightness: not measurable skin
SKIN_BRIGHT_Z = 2.5

#: Physical constants for the scale.
#: Horizontal visible iris diameter, adults: 11.7 +/- 0.5 mm, nearly constant
#: across people (as used by MediaPipe Iris: Ablavatski et al. 2020,
#: arXiv:2006.11341, after Caroline & Andre, Contact Lens Spectrum 2002).
IRIS_DIAMETER_MM = 11.7
IRIS_SD_MM = 0.5
#: Interpupillary distance, adults: mean ~63 mm, SD ~3.8 mm (Dodgson 2004,
#: "Variation and extrema of human interpupillary distance", Proc. SPIE 5291).
IPD_MM = 63.0
IPD_SD_MM = 3.8
#: Extra relative uncertainty (%) because skin at the cheeks, nose tip and
#: forehead lies at a different distance from the camera than the eyes
#: (~1-3 cm at a 30-50 cm selfie distance).
DEPTH_UNCERTAINTY_PCT = 5.0
#: Landmark placement error (px) for iris chords and eye centres.
LANDMARK_ERR_PX = 1.0
#: The iris is only used when it spans at least this many px (below, one
#: pixel of landmark error is >8%).
MIN_IRIS_PX = 12.0
#: Eyes count as closed below this lid gap / eye width ratio (open eyes ~0.25-0.35).
EYE_OPEN_MIN = 0.15
#: Both irises must agree within this relative difference to be used.
IRIS_AGREE = 0.2

#: Capture limits for faces.
#: The face (landmark 234 to 454) should span this share of the image's
#: shorter side (Perfect Corp asks >60% of the frame; selfies are ~40-60%).
FACE_MIN_SHARE = 0.35
#: Head turn limits (degrees) estimated from the landmark mesh's depth: past
#: these the far cheek is foreshortened by >6% (cos 20 deg) and shadowed,
#: and left/right comparisons are unreliable.
MAX_YAW_DEG = 20.0
MAX_PITCH_DEG = 20.0
#: Pitch of a frontal face as the mesh reports it (forehead top leans back
#: relative to the chin); measured on frontal test faces (astronaut ~10 deg).
PITCH_NEUTRAL_DEG = 10.0
#: Forehead: below this share of its polygon passing the skin check it is
#: covered (fringe, hat) and its numbers are left out.
FOREHEAD_MIN_SKIN = 0.4
#: A region keeps its numbers only with at least this share of its polygon as skin.
REGION_MIN_SKIN = 0.15
#: ... and at least this much skin, in units of IPD^2 (0.05 IPD^2 ~ 2 cm^2 at
#: an IPD of 63 mm; a whole cheek region is ~0.5 IPD^2 on the astronaut test
#: face): a sliver at the frame's edge is too little to describe a region.
REGION_MIN_AREA_IPD2 = 0.05
#: Sunglasses/covered eyes: eye area median lightness below this share of the skin's.
EYES_COVERED_REL_L = 0.35
#: Left vs right cheek median L* differing by more than this: side lighting.
UNEVEN_LIGHT_DL = 15.0
#: A region whose fine detail (robust SD of the Laplacian of L*) is below this
#: share of the face's median region is out of focus relative to the rest.
REGION_BLUR_REL = 0.55
#: Per-region checks on tiles at full resolution (same measures as quality.py).
TILE_PX = 48
MAX_TILES = 24


@dataclass
class Pose:
    yaw_deg: float  # + = the person turned toward their left (nose points to the image's right)
    pitch_deg: float  # + = chin down
    roll_deg: float  # eye line angle in the image


# ------------------------------------------------------------------- helpers


def _poly_mask(shape, pts: np.ndarray) -> np.ndarray:
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts * 4).astype(np.int32)], 255, lineType=cv2.LINE_8, shift=2)
    return m


def _scaled(pts: np.ndarray, sx: float, sy: float, angle: float) -> np.ndarray:
    """Scale polygon points about their centre along the face's axes."""
    c = pts.mean(0)
    ca, sa = math.cos(angle), math.sin(angle)
    r = np.array([[ca, sa], [-sa, ca]])  # image -> face frame
    q = (pts - c) @ r.T
    q[:, 0] *= sx
    q[:, 1] *= sy
    return q @ r + c


def _disk(r: float) -> np.ndarray:
    k = max(1, int(round(r)))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))


def estimate_pose(lm: np.ndarray) -> Pose:
    """Yaw, pitch, roll from the mesh: the angle of the face-side vector
    (234 -> 454) and the forehead-chin vector (10 -> 152) in depth."""
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
    """Pixels of ``lab`` (OpenCV 8-bit Lab) that look like the face's own skin.

    ``reference`` is a bool mask of pixels mostly on skin (cheeks, nose); its
    median and robust spread define the skin colour. Returns (mask, stats).
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
    ok = (chroma_ok | bright) & (L >= face_skin_min_l(float(med[0])))
    ok = cv2.medianBlur(ok.view(np.uint8) * 255, 5) > 0
    return ok, {"median_lab": [round(float(v), 2) for v in med], "sd_lab": [round(float(v), 2) for v in sd]}


def face_skin_min_l(median_l: float) -> float:
    """Lightness (OpenCV 8-bit L) below which a pixel is not measurable skin."""
    return SKIN_MIN_REL_L * median_l


# -------------------------------------------------------------------- scale


def face_scale(mesh: facemesh.FaceMesh, pose: Pose) -> dict:
    """px/mm from the iris diameter, else from the interpupillary distance.

    Returns a dict with px_per_mm, source ('iris' or 'interpupillary'),
    uncertainty_pct and the figures behind them.
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
    """Face regions of ``rgb`` (see module docstring); the whole frame when no
    face is found in 'auto' mode; :class:`PorescopeError` in 'face' mode.

    When the photo looks like a face (a landmark-model face presence of at
    least ``facemesh.FACE_HINT_SCORE``) but its landmarks
    cannot be placed, 'auto' mode analyzes the frame as a close-up with a
    blocking ``face_not_placed`` problem, never silently. ``camera``: the
    EXIF camera fields (:func:`porescope.measure.io.camera_fields`), for the
    mirrored-selfie check.
    """
    h, w = rgb.shape[:2]
    search = facemesh.search_face(rgb) if facemesh.available() else None
    info = {} if search is None else {"strategy": search.strategy, "hint": search.hint, "attempts": search.attempts,
                                      "elapsed_ms": search.elapsed_ms}
    if search is None or search.mesh is None:
        looks_like_face = search is not None and search.hint >= facemesh.FACE_HINT_SCORE
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
    """The blocking problem for a photo that looks like a face whose regions cannot be placed."""
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
    most Android camera apps), and nothing in the pixels says so. A front
    camera named in the file gives a warning; a file that does not say which
    camera took it gives an info note; a back camera, nothing.
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
    """Build the :class:`RegionSet` for a face whose landmarks are known."""
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

    # Exclusions: eyes (scaled up for lids and lashes), brows, lips, each with a margin.
    excl = np.zeros(shape, np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        excl |= cv2.dilate(_poly_mask(shape, _scaled(wxy[list(eye)], EYE_SCALE_X, EYE_SCALE_Y, roll)), _disk(EYE_MARGIN_IPD * wipd))
    for brow in (RIGHT_BROW, LEFT_BROW):
        excl |= cv2.dilate(_poly_mask(shape, wxy[list(brow)]), _disk(BROW_MARGIN_IPD * wipd))
    excl |= cv2.dilate(_poly_mask(shape, wxy[list(LIPS)]), _disk(LIPS_MARGIN_IPD * wipd))
    excl_b = excl > 0

    polys = {name: _poly_mask(shape, wxy[list(idx)]) > 0 for name, idx in REGION_POLYGONS.items()}
    lab = cv2.cvtColor(work, cv2.COLOR_RGB2LAB)
    reference = (polys["left_cheek"] | polys["right_cheek"] | polys["nose"]) & ~excl_b
    skin_ok, colour = skin_colour_mask(lab, reference)

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
        if skin_share[name] < REGION_MIN_SKIN or np.count_nonzero(m) < REGION_MIN_AREA_IPD2 * wipd * wipd:
            m = np.zeros_like(m)
        work_masks[name] = m
        taken |= polys[name]
        log.debug("region %s: polygon %d px, skin %d px", name, n_poly, int(np.count_nonzero(m)))

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
    found, region_stats = _capture_checks(rgb, mesh, pose, lab, polys, excl_b, skin_ok, skin_share, regions, (h, w), wxy,
                                          not_measured)
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


# ----------------------------------------------------------- capture checks

_NICE = {"forehead": "forehead", "nose": "nose", "left_cheek": "left cheek", "right_cheek": "right cheek", "chin": "chin"}


def _tiles_stats(rgb: np.ndarray, mask: np.ndarray, tile: int = TILE_PX) -> dict | None:
    """Sharpness, median L* and glare share of a region from up to MAX_TILES
    full-resolution tiles inside it (same measures as :mod:`porescope.measure.quality`)."""
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
        cmax, cmin = t.max(2), t.min(2)
        glare.append(((cmax >= 235) & ((cmax.astype(np.int16) - cmin) < 25))[mk])
    if not laps:
        return None
    lv = np.concatenate(laps)
    sharp = float(1.4826 * np.median(np.abs(lv - np.median(lv)))) if lv.size else 0.0
    return {"sharpness": round(sharp, 4), "median_lstar": round(float(np.median(np.concatenate(ls))), 2),
            "glare_fraction": round(float(np.concatenate(glare).mean()), 4)}


def _capture_checks(rgb, mesh, pose, lab, polys, excl, skin_ok, skin_share, regions, shape, wxy,
                    not_measured: dict[str, str]) -> tuple[list[QualityProblem], dict]:
    from porescope.measure import quality as q

    h, w = shape
    xy = mesh.xy
    ipd = float(np.hypot(*(xy[list(LEFT_EYE)].mean(0) - xy[list(RIGHT_EYE)].mean(0))))
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
    # Covered eyes (sunglasses, hand): the eye areas are much darker than the skin.
    skin_l = float(np.median(lab[..., 0][skin_ok & ~excl & (polys["left_cheek"] | polys["right_cheek"] | polys["nose"])])) \
        if np.any(skin_ok & (polys["left_cheek"] | polys["right_cheek"] | polys["nose"])) else None
    eyes = np.zeros(lab.shape[:2], np.uint8)
    for eye in (RIGHT_EYE, LEFT_EYE):
        eyes |= _poly_mask(lab.shape[:2], _scaled(wxy[list(eye)], 1.6, 2.5, math.radians(pose.roll_deg)))
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
    return out, stats
