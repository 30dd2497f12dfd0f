"""The face models that ship with porescope (MediaPipe BlazeFace, Face Mesh
and Iris, Apache-2.0; see models/README.md) and the LiteRT interpreter that
runs them. Used by :mod:`porescope.measure.face.mesh`."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import cache
from importlib import resources

import numpy as np

__all__ = ["DETECTOR_FILE", "FULL_RANGE_FILE", "LANDMARK_FILE", "IRIS_FILE", "Model", "model", "available"]

DETECTOR_FILE = "face_detection_short_range.tflite"
#: BlazeFace full range (192x192 input, 48x48 anchors): faces far from the
#: camera, i.e. small in the frame. Same source and license as the others.
FULL_RANGE_FILE = "face_detection_full_range_sparse.tflite"
LANDMARK_FILE = "face_landmark.tflite"
IRIS_FILE = "iris_landmark.tflite"


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


class Model:
    """A loaded TFLite model; ``__call__`` is serialized (interpreters are not thread safe)."""

    def __init__(self, name: str):
        from ai_edge_litert.interpreter import Interpreter

        data = (resources.files("porescope.measure.face") / "models" / name).read_bytes()
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


@cache
def model(name: str) -> Model:
    """The loaded model ``name`` (one per process).

    Parameters
    ----------
    name : str
        A model file in ``measure/face/models`` (DETECTOR_FILE, FULL_RANGE_FILE, LANDMARK_FILE, IRIS_FILE).

    Returns
    -------
    Model
        Callable on one input array; calls are serialized.
    """
    with _lock:
        return Model(name)


def available() -> bool:
    """Whether the face models ship with this installation.

    Returns
    -------
    bool
        True when the detector and landmark model files are present (the
        interpreter is a dependency: a broken install raises ImportError).
    """
    import ai_edge_litert.interpreter  # noqa: F401  (a dependency: a broken install must show, not read as "no face")

    return all((resources.files("porescope.measure.face") / "models" / f).is_file() for f in (DETECTOR_FILE, LANDMARK_FILE))
