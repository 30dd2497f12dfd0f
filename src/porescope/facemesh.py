"""Face detection, 468 face landmarks and iris landmarks, fully offline.

Runs three Apache-2.0 MediaPipe models that ship in ``porescope/models``
(see ``models/README.md`` for where they come from, their sizes and speed)
with the ``ai-edge-litert`` interpreter on the CPU:

* ``face_detection_short_range.tflite`` (BlazeFace, 128x128 input in [-1, 1]):
  a face box and 6 keypoints (person's right eye, left eye, nose tip, mouth,
  right ear, left ear).
* ``face_landmark.tflite`` (192x192 input in [0, 1]): 468 landmarks (x, y, z
  in crop pixels) and a face-presence logit.
* ``iris_landmark.tflite`` (64x64 input in [0, 1]): 71 eye-contour and 5 iris
  landmarks for a left eye (the other eye is mirrored first).

All coordinates returned are pixels of the (orientation-corrected) input
image, ``x`` = column, ``y`` = row. This module knows nothing of regions or
pores; :mod:`porescope.face` builds on it.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import cv2
import numpy as np

log = logging.getLogger(__name__)

DETECTOR_FILE = "face_detection_short_range.tflite"
LANDMARK_FILE = "face_landmark.tflite"
IRIS_FILE = "iris_landmark.tflite"

#: Minimum BlazeFace score for a face (MediaPipe's default for this model).
MIN_DETECTION_SCORE = 0.5
#: A detection this confident stops the search over rotations (an upright
#: frontal face scores ~0.9; an upside-down one is sometimes found upright at ~0.6).
CONFIDENT_SCORE = 0.75
#: Minimum face-presence probability from the landmark model (MediaPipe: 0.5).
MIN_PRESENCE = 0.5
#: ROI around a detection / landmark set, as MediaPipe's face-mesh graph does:
#: the box scaled 1.5x and made square on its long side.
ROI_SCALE = 1.5
#: Eye ROI for the iris model: the eye-corner distance scaled 2.3x (MediaPipe).
EYE_ROI_SCALE = 2.3
DET_SIZE = 128
LMK_SIZE = 192
IRIS_SIZE = 64

# Face-mesh indices used here (MediaPipe canonical face model numbering).
# "right"/"left" are the PERSON's sides: the person's right eye is on the
# image's left in a non-mirrored photo.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_INNER, LEFT_EYE_OUTER = 362, 263


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


# --------------------------------------------------------------------- models

_lock = threading.Lock()


@contextmanager
def _quiet_native_stderr():
    """Silence writes to file descriptor 2 from native code (not Python's own stderr object)."""
    try:
        saved = os.dup(2)
    except OSError:  # no fd 2 (e.g. some embedded hosts): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Model:
    """A loaded TFLite model; ``__call__`` is serialized (interpreters are not thread safe)."""

    def __init__(self, name: str):
        from ai_edge_litert.interpreter import Interpreter

        data = (resources.files("porescope") / "models" / name).read_bytes()
        # One thread: 2-3 ms per call already; more threads only contend with
        # the pore detector's OpenCV threads.
        with _quiet_native_stderr():  # LiteRT prints an INFO line about XNNPACK on fd 2
            self.interp = Interpreter(model_content=data, num_threads=1)
            self.interp.allocate_tensors()
        self.inp = self.interp.get_input_details()[0]["index"]
        self.outs = [d["index"] for d in self.interp.get_output_details()]
        self.lock = threading.Lock()

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        with self.lock:
            self.interp.set_tensor(self.inp, np.ascontiguousarray(x[None], np.float32))
            self.interp.invoke()
            return [self.interp.get_tensor(i)[0].copy() for i in self.outs]


@lru_cache(maxsize=None)
def _model(name: str) -> _Model:
    with _lock:
        return _Model(name)


def available() -> bool:
    """True when the interpreter and the model files are installed."""
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        return False
    return all((resources.files("porescope") / "models" / f).is_file() for f in (DETECTOR_FILE, LANDMARK_FILE))


# ------------------------------------------------------------------- detection


@lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """BlazeFace short-range SSD anchors (MediaPipe's SsdAnchorsCalculator settings:
    4 layers, strides 8, 16, 16, 16, fixed anchor size, 0.5 offset): (896, 2) centres."""
    out = []
    for stride, per_cell in ((8, 2), (16, 6)):
        n = DET_SIZE // stride
        ys, xs = np.mgrid[0:n, 0:n]
        c = np.stack([(xs + 0.5) / n, (ys + 0.5) / n], -1).reshape(-1, 1, 2)
        out.append(np.repeat(c, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(out).astype(np.float32)


def _letterbox(rgb: np.ndarray, size: int) -> tuple[np.ndarray, float, float, float]:
    """Downscale ``rgb`` to fit a size x size square (zero padded, centred).
    Returns (square uint8, scale, pad_x, pad_y) with image = (sq - pad) / scale."""
    h, w = rgb.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    # Cheap pre-decimation of big photos (a strided view), then area averaging.
    step = int(max(h, w) // (size * 2))
    src = rgb[::step, ::step] if step > 1 else rgb
    small = cv2.resize(np.ascontiguousarray(src), (nw, nh), interpolation=cv2.INTER_AREA)
    sq = np.zeros((size, size, 3), np.uint8)
    px, py = (size - nw) // 2, (size - nh) // 2
    sq[py : py + nh, px : px + nw] = small
    return sq, nw / w, px, py


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def detect_faces(rgb: np.ndarray, *, min_score: float = MIN_DETECTION_SCORE, rotations: tuple[int, ...] = (0,)) -> list[Detection]:
    """BlazeFace on a 128x128 letterboxed copy of ``rgb``; faces sorted by score.

    ``rotations`` (quarter turns counter-clockwise, as ``np.rot90``) are tried
    in turn on the small copy, for photos whose pixels are sideways or upside
    down without an EXIF tag; the first detection scoring CONFIDENT_SCORE
    stops the search, else the best-scoring rotation wins. Overlapping raw detections are
    merged by score-weighted averaging (MediaPipe's 'weighted' non-maximum
    suppression, IoU 0.3). Coordinates are those of ``rgb``.
    """
    sq0, s, px, py = _letterbox(rgb, DET_SIZE)
    best: list[Detection] = []
    for k in rotations:
        sq = np.rot90(sq0, k) if k % 4 else sq0
        faces = _detect_square(sq, min_score)
        if not faces or (best and best[0].score >= faces[0].score):
            continue
        best = []
        for f in faces:
            # Square coords of the rotated copy -> square coords of sq0 -> image px.
            kp = _unrot(f.keypoints, k)
            corners = _unrot(np.array([[f.box[0], f.box[1]], [f.box[2], f.box[3]]]), k)
            kp_px = (kp - [px, py]) / s
            c_px = (corners - [px, py]) / s
            box = (float(c_px[:, 0].min()), float(c_px[:, 1].min()), float(c_px[:, 0].max()), float(c_px[:, 1].max()))
            best.append(Detection(score=f.score, box=box, keypoints=kp_px))
        if best[0].score >= CONFIDENT_SCORE:
            break
    return best


def _unrot(pts: np.ndarray, k: int) -> np.ndarray:
    """Map (x, y) points on np.rot90(square, k) back to the square (side DET_SIZE)."""
    n = DET_SIZE
    x, y = pts[:, 0], pts[:, 1]
    k %= 4
    if k == 1:  # rot90 CCW: source (x, y) -> (y, n - x)
        return np.column_stack([n - y, x])
    if k == 2:
        return np.column_stack([n - x, n - y])
    if k == 3:
        return np.column_stack([y, n - x])
    return np.column_stack([x, y])


def _detect_square(sq: np.ndarray, min_score: float) -> list[Detection]:
    """Detections on one 128x128 square, in its pixel coordinates."""
    x = sq.astype(np.float32) / 127.5 - 1.0
    reg, cls = _model(DETECTOR_FILE)(x)
    scores = 1.0 / (1.0 + np.exp(-np.clip(cls[:, 0].astype(np.float64), -100, 100)))
    keep = np.nonzero(scores >= min_score)[0]
    if keep.size == 0:
        return []
    anc = _anchors()[keep]
    r = reg[keep] / DET_SIZE
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
        box = (boxes[idx] * wts).sum(0) / wts.sum() * DET_SIZE
        kp = (kps[idx] * wts[:, :, None]).sum(0) / wts.sum() * DET_SIZE
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
    out, presence = _model(LANDMARK_FILE)(crop.astype(np.float32) / 255.0)
    lm = out.reshape(468, 3).astype(np.float64)
    xy = _apply(m, lm[:, :2])
    z = lm[:, 2] * (size / LMK_SIZE)
    prob = 1.0 / (1.0 + math.exp(-float(np.clip(presence.ravel()[0], -100, 100))))
    return np.column_stack([xy, z]), prob


def face_landmarks(rgb: np.ndarray, det: Detection, *, refine: bool = True) -> FaceMesh | None:
    """468 landmarks for a detection (None when the landmark model sees no face).

    The first pass uses MediaPipe's ROI from the detection (box x1.5, square,
    rotated so the eyes are level); with ``refine`` a second pass uses the
    ROI from the first pass's landmarks, as MediaPipe's tracking does.
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
    """(5, 2) iris points for the person's right and left eye: centre then 4
    boundary points, image px. The model is made for one eye; the person's
    left eye is mirrored in and out, as in MediaPipe's iris graph."""
    res = []
    for outer, inner, flip in ((RIGHT_EYE_OUTER, RIGHT_EYE_INNER, False), (LEFT_EYE_OUTER, LEFT_EYE_INNER, True)):
        p0, p1 = xy[outer], xy[inner]
        a, b = (p0, p1) if not flip else (p1, p0)  # left-to-right along the eye line in the image
        angle = math.atan2(b[1] - a[1], b[0] - a[0])
        size = float(np.hypot(*(p1 - p0))) * EYE_ROI_SCALE
        center = (p0 + p1) / 2
        m = _roi_matrix(center, size, angle, IRIS_SIZE)
        crop = _crop(rgb, m, IRIS_SIZE, flip=flip)
        _, iris = _model(IRIS_FILE)(crop.astype(np.float32) / 255.0)
        pts = iris.reshape(5, 3)[:, :2].astype(np.float64)
        if flip:
            pts[:, 0] = IRIS_SIZE - pts[:, 0]
        res.append(_apply(m, pts))
    return res[0], res[1]


def iris_diameter_px(iris: np.ndarray) -> float:
    """Iris diameter from the 4 boundary points (mean of the two chords)."""
    return float((np.hypot(*(iris[1] - iris[3])) + np.hypot(*(iris[2] - iris[4]))) / 2)


def find_face(rgb: np.ndarray, *, with_iris: bool = True, rotations: tuple[int, ...] = (0, 1, 3, 2)) -> FaceMesh | None:
    """The most confident face with landmarks (and irises), or None.

    ``rotations``: quarter turns tried by the detector (see :func:`detect_faces`);
    the landmark crop is rotated to the face, so sideways faces get upright landmarks.
    """
    dets = detect_faces(rgb, rotations=rotations)
    for det in dets[:3]:
        mesh = face_landmarks(rgb, det)
        if mesh is None:
            continue
        if with_iris:
            try:
                mesh.iris_right, mesh.iris_left = iris_landmarks(rgb, mesh.xy)
            except Exception:  # noqa: BLE001 - an iris failure must not lose the face
                log.debug("iris model failed", exc_info=True)
        return mesh
    return None
