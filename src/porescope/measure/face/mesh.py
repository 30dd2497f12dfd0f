"""Face detection, 468 face landmarks and iris landmarks, fully offline.

Runs four Apache-2.0 MediaPipe models that ship in ``porescope/measure/face/models``
(see ``models/README.md`` for where they come from, their sizes and speed)
with the ``ai-edge-litert`` interpreter on the CPU:

* ``face_detection_short_range.tflite`` (BlazeFace, 128x128 input in [-1, 1]):
  a face box and 6 keypoints (person's right eye, left eye, nose tip, mouth,
  right ear, left ear).
* ``face_detection_full_range_sparse.tflite`` (BlazeFace full range, 192x192
  input in [-1, 1], 2304 anchors): the same outputs, for small faces.
* ``face_landmark.tflite`` (192x192 input in [0, 1]): 468 landmarks (x, y, z
  in crop pixels) and a face-presence logit.
* ``iris_landmark.tflite`` (64x64 input in [0, 1]): 71 eye-contour and 5 iris
  landmarks for a left eye (the other eye is mirrored first).

:func:`search_face` tries them as people frame faces (plain, padded,
full range, landmark model on the whole frame); see its docstring.

All coordinates returned are pixels of the (orientation-corrected) input
image, ``x`` = column, ``y`` = row. This module knows nothing of regions or
pores; :mod:`porescope.measure.face.regions` builds on it.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from porescope.measure.face.litert import (  # noqa: F401 (available, the file names: re-exported)
    DETECTOR_FILE,
    FULL_RANGE_FILE,
    IRIS_FILE,
    LANDMARK_FILE,
    available,
    model,
)
from porescope.measure.face.mesh_params import (  # noqa: F401 (re-exported: the search's public constants)
    ACCEPT_PRESENCE,
    CONFIDENT_SCORE,
    DET_SIZE,
    EYE_ROI_SCALE,
    EYES_AGREE,
    FACE_HINT_SCORE,
    FULL_DET_SIZE,
    IRIS_SIZE,
    LEFT_EYE_INNER,
    LEFT_EYE_OUTER,
    LMK_SIZE,
    MIN_DETECTION_SCORE,
    MIN_PRESENCE,
    PADDED_OCCUPY,
    REFINE_PASSES,
    RIGHT_EYE_INNER,
    RIGHT_EYE_OUTER,
    ROI_SCALE,
    SEARCH_COPY_PX,
    SURE_PRESENCE,
    TRY_DETECTION_SCORE,
    WHOLE_FRAME_ROI_SCALES,
)

log = logging.getLogger(__name__)


@dataclass
class Detection:
    """A BlazeFace detection in image pixels."""

    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1
    keypoints: np.ndarray  # (6, 2) x, y: person's right eye, left eye, nose, mouth, right ear, left ear


@dataclass
class FaceMesh:
    """Landmarks of one face in image pixels."""

    landmarks: np.ndarray  # (468, 3): x, y (px), z (px-like depth, smaller = nearer)
    presence: float
    detection: Detection
    iris_right: np.ndarray | None = None  # (5, 2) person's right iris: centre + 4 boundary points
    iris_left: np.ndarray | None = None

    @property
    def xy(self) -> np.ndarray:
        return self.landmarks[:, :2]


# ------------------------------------------------------------------- detection


@lru_cache(maxsize=2)
def _anchors(full_range: bool = False) -> np.ndarray:
    """SSD anchor centres, MediaPipe's SsdAnchorsCalculator settings (fixed
    anchor size, 0.5 offset). Short range: 128 px input, 4 layers, strides 8,
    16, 16, 16 -> (896, 2). Full range: 192 px input, one layer, stride 4, one
    anchor per cell -> (2304, 2)."""
    out = []
    size = FULL_DET_SIZE if full_range else DET_SIZE
    layers = ((4, 1),) if full_range else ((8, 2), (16, 6))
    for stride, per_cell in layers:
        n = size // stride
        ys, xs = np.mgrid[0:n, 0:n]
        c = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], -1).reshape(-1, 1, 2)
        out.append(np.repeat(c, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


def _letterbox(rgb: np.ndarray, size: int, occupy: float = 1.0) -> tuple[np.ndarray, float, float, float]:
    """Downscale ``rgb`` to fit ``occupy`` x a size x size square, centred.
    The border is black when the photo fills the square (MediaPipe's
    letterbox), mid grey when it is a deliberate padding (``occupy`` < 1).
    Returns (square uint8, scale, pad_x, pad_y) with image = (sq - pad) / scale."""
    h, w = rgb.shape[:2]
    s = size * occupy / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    # Cheap pre-decimation of big photos (a strided view), then area averaging.
    step = int(max(h, w) // (size * occupy * 2))
    src = rgb[::step, ::step] if step > 1 else rgb
    small = cv2.resize(np.ascontiguousarray(src), (nw, nh), interpolation=cv2.INTER_AREA)
    sq = np.full((size, size, 3), 0 if occupy >= 1 else 128, np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    sq[py : py + nh, px : px + nw] = small
    return sq, nw / w, px, py


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def detect_faces(
    rgb: np.ndarray, *, min_score: float = MIN_DETECTION_SCORE, rotations: tuple[int, ...] = (0,), occupy: float = 1.0,
    full_range: bool = False,
) -> list[Detection]:
    """BlazeFace on a letterboxed copy of ``rgb``.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    min_score : float
        Lowest detection score kept.
    rotations : tuple of int
        Quarter turns counter-clockwise (as ``np.rot90``) tried in turn on the
        small copy, for photos whose pixels are sideways or upside down without
        an EXIF tag.
    occupy : float
        Share of the square the photo fills (below 1: a grey border, for faces
        that fill the frame).
    full_range : bool
        The full-range model at 192 px (small faces) instead of short range at 128 px.

    Returns
    -------
    list of Detection
        Faces in image px, best score first.
    """
    n = FULL_DET_SIZE if full_range else DET_SIZE
    sq0, s, px, py = _letterbox(rgb, n, occupy)
    best: list[Detection] = []
    for k in rotations:
        sq = np.rot90(sq0, k) if k % 4 else sq0
        faces = _detect_square(sq, min_score, full_range)
        if not faces or (best and best[0].score >= faces[0].score):
            continue
        best = []
        for f in faces:
            # Square coords of the rotated copy -> square coords of sq0 -> image px.
            kp = _unrot(f.keypoints, k, n)
            corners = _unrot(np.array([[f.box[0], f.box[1]], [f.box[2], f.box[3]]]), k, n)
            kp_px = (kp - [px, py]) / s
            c_px = (corners - [px, py]) / s
            box = (float(c_px[:, 0].min()), float(c_px[:, 1].min()), float(c_px[:, 0].max()), float(c_px[:, 1].max()))
            best.append(Detection(score=f.score, box=box, keypoints=kp_px))
        if best[0].score >= CONFIDENT_SCORE:
            break
    return best


def _unrot(pts: np.ndarray, k: int, n: int = DET_SIZE) -> np.ndarray:
    """Map (x, y) points on np.rot90(square, k) back to the square (side n)."""
    x, y = pts[:, 0], pts[:, 1]
    k %= 4
    if k == 1:  # rot90 CCW: source (x, y) -> (y, n - x)
        return np.column_stack([n - y, x])
    if k == 2:
        return np.column_stack([n - x, n - y])
    if k == 3:
        return np.column_stack([y, n - x])
    return np.column_stack([x, y])


def _detect_square(sq: np.ndarray, min_score: float, full_range: bool = False) -> list[Detection]:
    """Detections on one detector square (128 or 192 px), in its pixel coordinates."""
    size = sq.shape[0]
    x = sq.astype(np.float32) / 127.5 - 1.0
    reg, cls = model(FULL_RANGE_FILE if full_range else DETECTOR_FILE)(x)
    scores = 1.0 / (1.0 + np.exp(-np.clip(cls[:, 0].astype(np.float64), -100, 100)))
    keep = np.nonzero(scores >= min_score)[0]
    if keep.size == 0:
        return []
    anc = _anchors(full_range)[keep]
    r = reg[keep] / size
    cx, cy = r[:, 0] + anc[:, 0], r[:, 1] + anc[:, 1]
    w, h = r[:, 2], r[:, 3]
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)
    kps = r[:, 4:16].reshape(-1, 6, 2) + anc[:, None, :]
    sc = scores[keep]
    order = np.argsort(-sc)
    used = np.zeros(len(order), bool)
    faces = []
    for i_pos, i in enumerate(order):
        if used[i_pos]:
            continue
        group = [j for j in range(i_pos, len(order)) if not used[j] and _iou(boxes[i], boxes[order[j]]) >= 0.3]
        idx = order[group]
        used[group] = True
        wts = sc[idx][:, None]
        box = (boxes[idx] * wts).sum(0) / wts.sum() * size
        kp = (kps[idx] * wts[:, :, None]).sum(0) / wts.sum() * size
        faces.append(Detection(score=float(sc[i]), box=tuple(float(v) for v in box), keypoints=kp.astype(np.float64)))
    return faces


# ------------------------------------------------------------------ landmarks


def _roi_matrix(center, size: float, angle: float, out: int) -> np.ndarray:
    """2x3 matrix mapping crop px (out x out) -> image px for a square ROI
    centred at ``center``, side ``size`` px, rotated by ``angle`` (radians,
    direction of the crop's x axis in the image)."""
    c, s = math.cos(angle), math.sin(angle)
    k = size / out
    cx, cy = center
    return np.array(
        [[c * k, -s * k, cx - (c * k * out / 2) + (s * k * out / 2)], [s * k, c * k, cy - (s * k * out / 2) - (c * k * out / 2)]],
        np.float64,
    )


def _crop(rgb: np.ndarray, m: np.ndarray, out: int, *, flip: bool = False) -> np.ndarray:
    """Sample the ROI given by ``m`` (crop px -> image px) into an out x out crop,
    pre-shrinking large ROIs with area averaging so the crop is not aliased."""
    k = math.hypot(m[0, 0], m[1, 0])  # image px per crop px
    if k > 2.0:
        # Bounding box of the ROI in the image, shrunk so the ROI is ~2 crop px per px.
        corners = np.array([[0, 0, 1], [out, 0, 1], [0, out, 1], [out, out, 1]], np.float64) @ m.T
        x0, y0 = np.floor(corners.min(0)).astype(int) - 2
        x1, y1 = np.ceil(corners.max(0)).astype(int) + 2
        h, w = rgb.shape[:2]
        cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if cx1 - cx0 < 2 or cy1 - cy0 < 2:
            return np.zeros((out, out, 3), np.uint8)
        f = 2.0 / k
        sub = rgb[cy0:cy1, cx0:cx1]
        step = int(k // 2.5)  # cheap strided pre-decimation; area averaging does the rest
        if step > 1:
            sub = sub[::step, ::step]
        fx = (max(1, round((cx1 - cx0) * f))) / sub.shape[1]
        fy = (max(1, round((cy1 - cy0) * f))) / sub.shape[0]
        small = cv2.resize(np.ascontiguousarray(sub), (max(1, round(sub.shape[1] * fx)), max(1, round(sub.shape[0] * fy))), interpolation=cv2.INTER_AREA)
        sx = small.shape[1] / (cx1 - cx0)
        sy = small.shape[0] / (cy1 - cy0)
        m2 = np.array([[m[0, 0] * sx, m[0, 1] * sx, (m[0, 2] - cx0) * sx], [m[1, 0] * sy, m[1, 1] * sy, (m[1, 2] - cy0) * sy]])
        src, mm = small, m2
    else:
        src, mm = rgb, m
    crop = cv2.warpAffine(src, mm, (out, out), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return crop[:, ::-1] if flip else crop


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return pts @ m[:, :2].T + m[:, 2]


def _landmarks_in_roi(rgb: np.ndarray, center, size: float, angle: float) -> tuple[np.ndarray, float]:
    m = _roi_matrix(center, size, angle, LMK_SIZE)
    crop = _crop(rgb, m, LMK_SIZE)
    out, presence = model(LANDMARK_FILE)(crop.astype(np.float32) / 255.0)
    lm = out.reshape(468, 3).astype(np.float64)
    xy = _apply(m, lm[:, :2])
    z = lm[:, 2] * (size / LMK_SIZE)
    prob = 1.0 / (1.0 + math.exp(-float(np.clip(presence.ravel()[0], -100, 100))))
    return np.column_stack([xy, z]), prob


def _landmarks_for(rgb: np.ndarray, det: Detection) -> tuple[FaceMesh | None, float]:
    """:func:`face_landmarks` plus the first pass's face presence (also when it is too low)."""
    x0, y0, x1, y1 = det.box
    re, le = det.keypoints[0], det.keypoints[1]
    angle = math.atan2(le[1] - re[1], le[0] - re[0])
    lm, prob = _landmarks_in_roi(rgb, ((x0 + x1) / 2, (y0 + y1) / 2), max(x1 - x0, y1 - y0) * ROI_SCALE, angle)
    if prob < MIN_PRESENCE:
        return None, prob
    first = prob
    # The ROI from a weak or cut-off detection can be far off: re-centre on
    # the landmarks twice (as MediaPipe's tracking does frame after frame).
    for _ in range(REFINE_PASSES):
        lm2, prob2 = _landmarks_in_roi(rgb, *_roi_from_landmarks(lm[:, :2]))
        if prob2 < MIN_PRESENCE:
            break
        lm, prob = lm2, prob2
    return FaceMesh(landmarks=lm, presence=prob, detection=det), first


def face_landmarks(rgb: np.ndarray, det: Detection, *, refine: bool = True) -> FaceMesh | None:
    """468 landmarks for a detection.

    The first pass uses MediaPipe's ROI from the detection (box x1.5, square,
    rotated so the eyes are level); with ``refine`` a second pass uses the ROI
    from the first pass's landmarks.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    det : Detection
        A face from :func:`detect_faces`.
    refine : bool
        Run the second pass.

    Returns
    -------
    FaceMesh or None
        None when the landmark model sees no face.
    """
    x0, y0, x1, y1 = det.box
    re, le = det.keypoints[0], det.keypoints[1]
    angle = math.atan2(le[1] - re[1], le[0] - re[0])
    size = max(x1 - x0, y1 - y0) * ROI_SCALE
    lm, prob = _landmarks_in_roi(rgb, ((x0 + x1) / 2, (y0 + y1) / 2), size, angle)
    if prob < MIN_PRESENCE:
        return None
    if refine:
        lm2, prob2 = _landmarks_in_roi(rgb, *_roi_from_landmarks(lm[:, :2]))
        if prob2 >= MIN_PRESENCE:
            lm, prob = lm2, prob2
    return FaceMesh(landmarks=lm, presence=prob, detection=det)


def _roi_from_landmarks(xy: np.ndarray) -> tuple[tuple[float, float], float, float]:
    """MediaPipe's FaceLandmarkLandmarksToRoi: rotation from the outer eye
    corners, the landmarks' box (in the rotated frame) scaled 1.5x, square."""
    a, b = xy[RIGHT_EYE_OUTER], xy[LEFT_EYE_OUTER]
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    c, s = math.cos(angle), math.sin(angle)
    rot = xy @ np.array([[c, -s], [s, c]])  # into the face frame
    lo, hi = rot.min(0), rot.max(0)
    mid = (lo + hi) / 2
    center = mid @ np.array([[c, s], [-s, c]])
    size = float(max(hi - lo)) * ROI_SCALE
    return (float(center[0]), float(center[1])), size, angle


def iris_landmarks(rgb: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Iris points for the person's right and left eye.

    The model is made for one eye; the person's left eye is mirrored in and
    out, as in MediaPipe's iris graph.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    xy : ndarray
        (468, 2) face landmarks (image px).

    Returns
    -------
    tuple of ndarray
        Two (5, 2) arrays, centre then 4 boundary points, image px.
    """
    res = []
    for outer, inner, flip in ((RIGHT_EYE_OUTER, RIGHT_EYE_INNER, False), (LEFT_EYE_OUTER, LEFT_EYE_INNER, True)):
        p0, p1 = xy[outer], xy[inner]
        a, b = (p0, p1) if not flip else (p1, p0)  # left-to-right along the eye line in the image
        angle = math.atan2(b[1] - a[1], b[0] - a[0])
        size = float(np.hypot(*(p1 - p0))) * EYE_ROI_SCALE
        center = (p0 + p1) / 2
        m = _roi_matrix(center, size, angle, IRIS_SIZE)
        crop = _crop(rgb, m, IRIS_SIZE, flip=flip)
        _, iris = model(IRIS_FILE)(crop.astype(np.float32) / 255.0)
        pts = iris.reshape(5, 3)[:, :2].astype(np.float64)
        if flip:
            pts[:, 0] = IRIS_SIZE - pts[:, 0]
        res.append(_apply(m, pts))
    return res[0], res[1]


def iris_diameter_px(iris: np.ndarray) -> float:
    """Iris diameter from the 4 boundary points (mean of the two chords).

    Parameters
    ----------
    iris : ndarray
        (5, 2) iris points from :func:`iris_landmarks`.

    Returns
    -------
    float
        Diameter in px.
    """
    return float((np.hypot(*(iris[1] - iris[3])) + np.hypot(*(iris[2] - iris[4]))) / 2)


@dataclass
class FaceSearch:
    """What :func:`search_face` found and how."""

    mesh: FaceMesh | None
    #: Which attempt placed the landmarks: 'detector', 'detector_padded',
    #: 'full_range', 'whole_frame', or 'none'.
    strategy: str
    #: Best landmark-model face presence seen in any attempt (0-1): with no
    #: mesh, a hint >= FACE_HINT_SCORE means "looks like a face".
    hint: float
    attempts: int
    elapsed_ms: float


def _inside(pts: np.ndarray, shape) -> bool:
    h, w = shape[:2]
    return bool(((pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)).all())


def _accept(rgb: np.ndarray, mesh: FaceMesh, with_iris: bool) -> FaceMesh:
    if with_iris:
        try:
            mesh.iris_right, mesh.iris_left = iris_landmarks(rgb, mesh.xy)
        except Exception:  # noqa: BLE001 - an iris failure must not lose the face
            log.debug("iris model failed", exc_info=True)
        # An eye outside the photo (face cut at the side) has no iris to measure.
        xy = mesh.xy
        if not _inside(xy[[RIGHT_EYE_OUTER, RIGHT_EYE_INNER]], rgb.shape):
            mesh.iris_right = None
        if not _inside(xy[[LEFT_EYE_OUTER, LEFT_EYE_INNER]], rgb.shape):
            mesh.iris_left = None
    return mesh


def _eyes_agree(det: Detection, xy: np.ndarray) -> bool:
    """The landmarks' eye centres lie where the detection put the eyes (within
    EYES_AGREE x the eye distance): a weak detection in a wrong
    orientation can still get landmarks with some face presence, but on the
    wrong spot."""
    right = (xy[RIGHT_EYE_OUTER] + xy[RIGHT_EYE_INNER]) / 2
    left = (xy[LEFT_EYE_OUTER] + xy[LEFT_EYE_INNER]) / 2
    # The detector's keypoints come from a 128-192 px copy: coarse; the scale
    # is the larger of the two eye distances.
    d_eyes = max(float(np.hypot(*(det.keypoints[1] - det.keypoints[0]))), float(np.hypot(*(left - right))))
    err = max(float(np.hypot(*(right - det.keypoints[0]))), float(np.hypot(*(left - det.keypoints[1]))))
    return err <= EYES_AGREE * max(d_eyes, 1.0)


def _core_inside(xy: np.ndarray, shape) -> bool:
    """The nose tip and at least one whole eye inside the photo: without them
    no region can be placed or scaled (the landmark model places the rest of
    a face cut at the side, and regions are clipped to the frame)."""
    return _inside(xy[[1]], shape) and (_inside(xy[[RIGHT_EYE_OUTER, RIGHT_EYE_INNER]], shape)
                                        or _inside(xy[[LEFT_EYE_OUTER, LEFT_EYE_INNER]], shape))


STRATEGIES = ("detector", "detector_padded", "full_range", "whole_frame")


def search_face(rgb: np.ndarray, *, with_iris: bool = True, rotations: tuple[int, ...] = (0, 1, 3, 2),
                strategies: tuple[str, ...] = STRATEGIES) -> FaceSearch:
    """Find one face the way people really frame it.

    Tries in turn, stopping at the first that places landmarks:

    1. ``detector``: BlazeFace short range on the whole photo (each rotation);
    2. ``detector_padded``: the same with a grey border (a face filling the
       frame, cut at the forehead, chin or sides);
    3. ``full_range``: BlazeFace full range at 192 px (a small face in a large photo);
    4. ``whole_frame``: no detector, the landmark model on the whole frame in
       four orientations (a face so close that no detector framing finds it).

    Each costs one to four ~5 ms inferences on a small copy; a photo with no
    face runs them all (~60 ms).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    with_iris : bool
        Also place the irises (for the scale).
    rotations : tuple of int
        Quarter turns tried, in order.
    strategies : tuple of str
        Which of the four attempts to make.

    Returns
    -------
    FaceSearch
        The mesh (or None), the attempt that placed it, the best face presence
        seen, the number of attempts and the time taken.
    """
    t0 = time.perf_counter()
    hint, attempts = 0.0, 0

    def done(mesh, strategy):
        return FaceSearch(mesh, strategy if mesh is not None else "none", round(hint, 3), attempts,
                          round((time.perf_counter() - t0) * 1000, 1))

    # One small copy for every detector pass and the whole-frame probes (a
    # 12 MP photo is decimated once, not once per try); landmarks that count
    # are then placed on the full-resolution photo.
    h, w = rgb.shape[:2]
    f = min(1.0, SEARCH_COPY_PX / max(h, w))
    small = _shrink(rgb, f) if f < 1 else rgb
    best: tuple[FaceMesh, str] | None = None
    for strategy, kw in (("detector", {}), ("detector_padded", {"occupy": PADDED_OCCUPY}), ("full_range", {"full_range": True})):
        if strategy not in strategies:
            continue
        dets = [Detection(d.score, tuple(v / f for v in d.box), d.keypoints / f)
                for d in detect_faces(small, min_score=TRY_DETECTION_SCORE, rotations=rotations, **kw)]
        attempts += 1
        for det in dets[:3]:
            mesh, presence = _landmarks_for(rgb, det)
            hint = max(hint, presence)
            if (mesh is not None and mesh.presence >= ACCEPT_PRESENCE and _core_inside(mesh.xy, rgb.shape)
                    and _eyes_agree(det, mesh.xy)):
                if best is None or mesh.presence > best[0].presence:
                    best = (mesh, strategy)
                if det.score >= MIN_DETECTION_SCORE and mesh.presence >= SURE_PRESENCE:
                    return done(_accept(rgb, mesh, with_iris), strategy)
    if best is not None:  # only weak candidates: the surest of them
        return done(_accept(rgb, best[0], with_iris), best[1])
    sh, sw = small.shape[:2]
    for k in rotations if "whole_frame" in strategies else ():
        for scale in WHOLE_FRAME_ROI_SCALES:
            attempts += 1
            angle = -k * math.pi / 2  # the face's eye line in the image for a photo turned by k quarter turns
            lm, prob = _landmarks_in_roi(small, (sw / 2, sh / 2), max(sh, sw) * scale, angle)
            hint = max(hint, prob)
            if prob < MIN_PRESENCE:
                continue
            lm2, prob2 = _landmarks_in_roi(rgb, *_roi_from_landmarks(lm[:, :2] / f))
            if prob2 >= MIN_PRESENCE:
                lm3, prob3 = _landmarks_in_roi(rgb, *_roi_from_landmarks(lm2[:, :2]))
                if prob3 >= MIN_PRESENCE:
                    lm2, prob2 = lm3, prob3
            if prob2 >= ACCEPT_PRESENCE and _core_inside(lm2[:, :2], rgb.shape):
                det = Detection(score=0.0, box=(float(lm2[:, 0].min()), float(lm2[:, 1].min()), float(lm2[:, 0].max()),
                                                float(lm2[:, 1].max())), keypoints=np.zeros((6, 2)))
                return done(_accept(rgb, FaceMesh(landmarks=lm2, presence=prob2, detection=det), with_iris), "whole_frame")
    return done(None, "none")


def _shrink(rgb: np.ndarray, f: float) -> np.ndarray:
    """``rgb`` scaled by ``f`` < 1: strided pre-decimation, then area averaging."""
    h, w = rgb.shape[:2]
    step = int(1 / f)  # strided view (cheap), then area averaging; the detectors average again to 128-192 px
    src = rgb[::step, ::step] if step > 1 else rgb
    return cv2.resize(np.ascontiguousarray(src), (max(1, round(w * f)), max(1, round(h * f))), interpolation=cv2.INTER_AREA)


def find_face(rgb: np.ndarray, *, with_iris: bool = True, rotations: tuple[int, ...] = (0, 1, 3, 2)) -> FaceMesh | None:
    """The most confident face with landmarks (and irises), see :func:`search_face`.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8.
    with_iris : bool
        Also place the irises.
    rotations : tuple of int
        Quarter turns tried, in order.

    Returns
    -------
    FaceMesh or None
    """
    return search_face(rgb, with_iris=with_iris, rotations=rotations).mesh
