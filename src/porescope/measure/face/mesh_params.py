"""The fixed numbers of the face search (:mod:`porescope.measure.face.mesh`):
model input sizes, MediaPipe's ROI rules, the score and presence thresholds
of each retry, and the landmark indices it reads; each with its reason."""

from __future__ import annotations

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
#: Input sizes (px) of the short-range and the full-range face detector.
DET_SIZE = 128
FULL_DET_SIZE = 192
#: Retry with padding: the photo fills only this share of the detector's
#: square (a grey border around it). BlazeFace short range was trained on
#: faces with some context around them; a face filling the frame, cut at the
#: forehead or the chin, is often found only once it has a border.
PADDED_OCCUPY = 0.6
#: Retry without a detection: the landmark model run on the whole frame
#: (a square ROI of this many times the photo's long side, centred), for faces
#: filling the frame that no detector framing finds. At 2.5 the photo is a
#: small patch in the model's input: a face cut at the eyes and mouth then
#: still reads as a face (presence 1.0 on the astronaut cropped eyes to mouth,
#: <= 0.001 on real and synthetic skin close-ups).
WHOLE_FRAME_ROI_SCALES = (1.5, 2.5)
#: Retries also try the landmark model on weak detections (score >= this):
#: its face-presence output, not the detector's score, decides. Measured: the
#: padded detector scores up to 0.59 on synthetic skin close-ups and 0.38 on a
#: real cheek close-up, where the landmark model's presence stays ~0.0.
TRY_DETECTION_SCORE = 0.3
#: The search keeps a face only when the landmark model, re-centred on its
#: own landmarks, is this sure it sees one: a real face reads 0.99-1.0 after
#: re-centring, while landmarks from a weak detection in the wrong place read
#: ~0.5 (measured on the framings in tests/face_variants.py); the next retry
#: then gets its chance.
ACCEPT_PRESENCE = 0.9
#: A candidate from a confident detection (score >= MIN_DETECTION_SCORE)
#: with at least this presence ends the search at once; weaker candidates
#: are compared across the detector retries and the surest is kept.
SURE_PRESENCE = 0.99
#: A detection's eye keypoints and its landmarks' eye centres must agree
#: within this share of the eye distance (coarse keypoints of an upside-down
#: selfie are off by ~0.5 of it; landmarks on the wrong spot by > 1).
EYES_AGREE = 0.6
#: Landmark passes re-centred on the previous pass's landmarks, in the search.
REFINE_PASSES = 2
#: The search looks at a copy of the photo with this long side (px): the
#: detectors see 128-192 px and a small face (~9% of the width) still spans
#: ~70 px in it. Making it costs ~5-15 ms for a 12 MP photo.
SEARCH_COPY_PX = 768
#: A landmark-model face presence of at least this means "looks like a face"
#: when no face could be placed (0.98-1.0 on the astronaut cropped eyes to
#: mouth; <= 0.001 on every real and synthetic skin close-up tried).
FACE_HINT_SCORE = 0.5
#: Input sizes (px) of the landmark model and the iris model.
LMK_SIZE = 192
IRIS_SIZE = 64

# Face-mesh indices used here (MediaPipe canonical face model numbering).
# "right"/"left" are the PERSON's sides: the person's right eye is on the
# image's left in a non-mirrored photo.
RIGHT_EYE_OUTER, RIGHT_EYE_INNER = 33, 133
LEFT_EYE_INNER, LEFT_EYE_OUTER = 362, 263
