"""Face mode's fixed parts: the MediaPipe Face Mesh landmark indices that
outline each region and feature, the thresholds of face mode (each with its
reason and unit), and the two polygon helpers both face modules use. Read by :mod:`porescope.measure.face.regions` and
:mod:`porescope.measure.face.checks`."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# ----------------------------------------------------------------- landmarks
# Polygons through MediaPipe face-mesh landmark indices, chosen on a labelled
# plot of the mesh (person's right side = lower indices, image left).
FOREHEAD = (54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 301, 300, 293, 334, 296, 336, 9, 107, 66, 105, 63, 70, 71, 21)
#: The glabella, the skin between the brows (issue 21): from the brows' inner
#: ends (107, 55 / 336, 285) and the forehead's midline (9) down to the root of
#: the nose (193, 168, 417), where the nose region starts. Its own region, so
#: the T-zone's most pore-prone skin is measured and named.
BETWEEN_BROWS = (107, 9, 336, 285, 417, 168, 193, 55)
#: The whole nose (issue 21): bridge from its root (168), the side walls out to
#: where they meet the cheek (188, 114, 217, 126 / 412, 343, 437, 355), the alae
#: round their groove (209, 129 / 429, 358) and the tip (1). The line from the
#: alae's lower rim (64 / 294) through the tip leaves the nostril openings below
#: it; NOSTRILS removes them again with a margin.
NOSE = (168, 417, 465, 412, 343, 437, 355, 429, 358, 294, 1, 64, 129, 209, 126, 217, 114, 188, 245, 193)
#: From just below the lower eyelid (the lid's outer ring 31, 228-233) to the
#: mouth-corner level, between the nose's side and the nasolabial fold
#: (129, 203, 206, 216) and the side of the face (issue 21: the inner cheek
#: beside the nose and the skin under the eye were left out before).
RIGHT_CHEEK = (116, 111, 31, 228, 229, 230, 231, 232, 233, 188, 114, 217, 126, 209, 129, 203, 206, 216, 212, 214, 138,
               215, 177, 137, 227)
_MIRROR = {116: 345, 111: 340, 31: 261, 228: 448, 229: 449, 230: 450, 231: 451, 232: 452, 233: 453, 188: 412, 114: 343,
           217: 437, 126: 355, 209: 429, 129: 358, 203: 423, 206: 426, 216: 436, 212: 432, 214: 434, 138: 367, 215: 435,
           177: 401, 137: 366, 227: 447}
LEFT_CHEEK = tuple(_MIRROR[i] for i in RIGHT_CHEEK)
#: Below the lower lip down to just above the chin's edge.
CHIN = (204, 106, 182, 83, 18, 313, 406, 335, 424, 430, 394, 395, 369, 396, 175, 171, 140, 170, 169, 210)
#: The nostril openings and the columella between them, as seen from the
#: front: under the line alar rim - tip - alar rim, down to the alar base
#: (98 / 327) and the subnasale (2).
NOSTRILS = (64, 1, 294, 327, 326, 2, 97, 98)

RIGHT_EYE = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
RIGHT_BROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_BROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)
LIPS = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146)
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176,
             149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
#: The sides of FACE_OVAL from temple to jaw (person's right, then left): the
#: edge that turns away from the camera.
FACE_SIDES = ((54, 21, 162, 127, 234, 93, 132, 58, 172, 136), (284, 251, 389, 356, 454, 323, 361, 288, 397, 365))
#: Upper and lower lid mid points and corners, for eye openness.
RIGHT_LIDS = (159, 145, 33, 133)
LEFT_LIDS = (386, 374, 263, 362)

#: Region name -> polygon, in label order (REGION_LABELS).
REGION_POLYGONS = {
    "forehead": FOREHEAD,
    "between_brows": BETWEEN_BROWS,
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
BROW_MARGIN_IPD = 0.035  # issue 21: 0.06 kept the forehead ~2 mm short of the brows on the test faces
LIPS_MARGIN_IPD = 0.05
#: Nostril openings: a margin like the lips' (the nostril rim's shadow).
NOSTRIL_MARGIN_IPD = 0.03
#: The face's shadowed edge: within FACE_EDGE_MARGIN_IPD of the face's sides
#: (FACE_SIDES; ~4 mm) the skin turns away from the camera; where it is darker
#: than FACE_EDGE_SHADOW_REL_L of the skin's median lightness there it is in
#: shadow, and no region reaches into it. A lit edge stays measured (a band of
#: 0.06 IPD regardless of light cost the astronaut's lit cheek ~14% of its
#: area); deeper shadow anywhere is the skin check's (SKIN_MIN_REL_L, SKIN_HAIR_*).
FACE_EDGE_MARGIN_IPD = 0.06
FACE_EDGE_SHADOW_REL_L = 0.85
#: Glasses (issue 21): the nose's root between the eyes (landmark 168) is bare
#: skin unless a bridge of glasses crosses it. When more than
#: GLASSES_BRIDGE_MIN_NONSKIN of a disc of GLASSES_BRIDGE_R_IPD there fails the
#: skin-colour check, the face wears glasses (measured: 0.49 on the
#: bespectacled test face, 0.0 on the astronaut in all 31 test framings,
#: sunglasses and dim light included), and the lenses and rims are left out:
#: about each eye's centre, a rounded rectangle (superellipse of power 4)
#: reaching GLASSES_LENS_IPD[0] along the eye line towards the nose,
#: GLASSES_LENS_IPD[1] away from it, GLASSES_LENS_IPD[2] up (to the brow) and
#: GLASSES_LENS_IPD[3] down (a lens is ~50 x 40 mm with its rim up to ~30 mm
#: below the pupil, IPD ~63 mm; measured on the bespectacled test face: rims
#: 0.45 IPD in, 0.46-0.56 IPD out, 0.45 down). Skin
#: seen through a lens is magnified and glazed, and the rims cross it.
GLASSES_BRIDGE_R_IPD = 0.05
GLASSES_BRIDGE_MIN_NONSKIN = 0.25
#: ... and only when what fails the check there has sharp edges, as a frame
#: does: the 95th percentile of the lightness gradient (per px) within 0.1 IPD
#: of the nose's root, over the lightness range there (5th-95th percentile),
#: times the IPD in px. Measured: a shadow at the nose's root (30-60% darker,
#: fading over 3-6 px of the 512 px astronaut) and bare skin read 15-18 at any
#: resolution; frames read 21 (painted, IPD 42 px), 40 (painted, IPD 200 px)
#: and 35 (Grace Hopper's). Without this, a 45% shadow there read as glasses.
GLASSES_EDGE_SHARPNESS = 20.0
GLASSES_LENS_IPD = (0.45, 0.58, 0.25, 0.5)
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
#: Hair whose colour passes the chroma test (blond, light brown) and skin in
#: the shadow at the face's side (issue 21): darker than SKIN_HAIR_REL_L of
#: the median skin lightness AND shifted towards yellow (b up, a down) by more
#: than SKIN_HAIR_YELLOW_Z robust SDs. Measured on the astronaut test face: her
#: fringe reads L ~120 (0.6 of the skin's ~200) with b 25 vs the skin's 13-18
#: (robust SD 3), a ~5 vs 9; lit skin anywhere on the face stays below 1.5.
SKIN_HAIR_REL_L = 0.8
SKIN_HAIR_YELLOW_Z = 1.5
#: Margin taken off the skin next to whatever fails the skin check (hair,
#: beard, frames, shadow), as a share of the IPD (~1.3 mm; at least 1 px):
#: the pixels along a hairline mix hair and skin and pass the check.
NON_SKIN_MARGIN_IPD = 0.02

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
#: ... except the skin between the brows, a smaller patch by nature (its whole
#: polygon is ~0.1 IPD^2, ~4 cm^2; brows and glasses take up to half of it):
#: 0.02 IPD^2 ~ 0.8 cm^2, several hundred pores' worth of skin at 10 px/mm.
REGION_MIN_AREA_IPD2_SMALL = {"between_brows": 0.02}
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


@dataclass
class FaceFit:
    """The face fitted to a photo at the working resolution (IPD ~WORK_IPD_PX): what the
    region builder found and the capture checks read."""

    mesh: object  # mesh.FaceMesh: the landmarks in image pixels
    pose: Pose
    lab: np.ndarray  # working-resolution CIELAB image
    polys: dict  # region -> polygon mask (working resolution)
    excl: np.ndarray  # excluded features (eyes, brows, lips, nostrils), bool
    skin_ok: np.ndarray  # skin-colour mask, bool
    skin_share: dict  # region -> share of its polygon that is measurable skin
    wxy: np.ndarray  # landmarks at the working resolution


# ---------------------------------------------------------- polygon helpers


def poly_mask(shape, pts: np.ndarray) -> np.ndarray:
    """A filled polygon.

    Parameters
    ----------
    shape : tuple of int
        (height, width) of the mask.
    pts : ndarray
        (N, 2) polygon vertices (x, y px).

    Returns
    -------
    ndarray
        (H, W) uint8, 255 inside (sub-pixel vertices, quarter-pixel precision).
    """
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(pts * 4).astype(np.int32)], 255, lineType=cv2.LINE_8, shift=2)
    return m


def scaled(pts: np.ndarray, sx: float, sy: float, angle: float) -> np.ndarray:
    """A polygon scaled about its centre along its own axes.

    Parameters
    ----------
    pts : ndarray
        (N, 2) vertices (x, y px).
    sx, sy : float
        Scale along the face's x and y axes (the eye line and across it).
    angle : float
        The axes' rotation (radians; the face's roll).

    Returns
    -------
    ndarray
        (N, 2) vertices.
    """
    c = pts.mean(0)
    ca, sa = math.cos(angle), math.sin(angle)
    r = np.array([[ca, sa], [-sa, ca]])  # image -> face frame
    q = (pts - c) @ r.T
    q[:, 0] *= sx
    q[:, 1] *= sy
    return q @ r + c
