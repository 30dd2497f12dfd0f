"""Shared fixtures: synthetic skin photos with known truth, and the real crops."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from porescope.testing.synth import SkinSpec, render

REAL_PORES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-pores"


@pytest.fixture(scope="session")
def skin():
    """A default 512x512 synthetic close-up (784 pores, 5-9 px)."""
    return render(SkinSpec(height=512, width=512, pore_diameter_px=(5.0, 9.0), pore_density_per_mpx=3000, seed=7))


def write_rgb(path: Path, rgb: np.ndarray, **params) -> Path:
    """Write an RGB array with OpenCV (BGR order on disk)."""
    ok = cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]), *([list(params.values())[0]] if params else []))
    assert ok, f"could not write {path}"
    return path


@pytest.fixture(scope="session")
def real_crops():
    """The real annotated crops from ../shared, or skip."""
    if not (REAL_PORES / "cheek_imgleft.png").exists():
        pytest.skip("real pore crops (../shared/data/real-pores) not present")
    out = {}
    for name in ("cheek_imgleft", "glabella"):
        rgb = cv2.imread(str(REAL_PORES / f"{name}.png"))[..., ::-1].copy()
        gt = cv2.imread(str(REAL_PORES / f"{name}.pores.png"), 0) > 0
        roi = cv2.imread(str(REAL_PORES / f"{name}.roi.png"), 0) > 0
        out[name] = (rgb, gt, roi)
    return out
