"""Fixtures the face tests share: the astronaut photo and its framings with their regions (found once per run)."""

from __future__ import annotations

import numpy as np
import pytest
from face_variants import variants

from porescope.measure.regions import find_regions


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def framed(astronaut):
    """name -> (photo, its transform from the original, the regions found in it) for every framing of tests/face_variants.py."""
    return {name: (img, t, find_regions(img, mode="auto")) for name, (img, t) in variants(astronaut).items()}
