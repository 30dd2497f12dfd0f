"""What phones and users do to a photo (issue 20), for the detail, change-engine and study tests;
and the benchmarks' way of changing the real crops' annotated pores (a known, real change)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

_BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
_spec = importlib.util.spec_from_file_location("bench_change", _BENCH / "bench_change.py")
bench_change = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_change)


def soft_focus(rgb, sigma_px):
    return cv2.GaussianBlur(rgb, (0, 0), sigma_px)


def sharpen(rgb, amount, radius_px=2.0):
    f = rgb.astype(np.float32)
    return np.clip(f + amount * (f - cv2.GaussianBlur(f, (0, 0), radius_px)) + 0.5, 0, 255).astype(np.uint8)


def beauty(rgb):
    """A beauty mode's skin smoothing: an edge-preserving bilateral filter."""
    return cv2.bilateralFilter(np.ascontiguousarray(rgb), 9, 25, 9)


def denoise(rgb, h):
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(rgb), None, h, h, 7, 21)


def jpeg(rgb, q):
    _, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, q])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()


def enlarged_copy(rgb, factor):
    h, w = rgb.shape[:2]
    small = cv2.resize(rgb, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
