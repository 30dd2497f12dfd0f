"""Where to look: the skin regions of a photo.

For a close-up the whole frame (or the user's ROI) is one region called
``frame``. Full-face photos are split into forehead, nose, cheeks and chin by
:mod:`porescope.measure.face`; this module is the seam between the two, so the
rest of the pipeline only ever sees a list of :class:`Region` (the records live
in :mod:`porescope.measure.regionset`).
"""

from __future__ import annotations

import numpy as np

from porescope.measure.regionset import REGION_LABELS, Region, RegionSet, closeup_regions

__all__ = ["REGION_LABELS", "Region", "RegionSet", "closeup_regions", "find_regions"]


def find_regions(rgb: np.ndarray, *, mode: str = "auto", roi: np.ndarray | None = None, valid: np.ndarray | None = None,
                 camera: dict | None = None) -> RegionSet:
    """Find the skin regions to analyze.

    ``mode``: 'closeup' (whole frame), 'face' (face regions; error if no face),
    or 'auto' (face regions when a face is found, else the whole frame).
    ``camera``: EXIF camera fields (``LoadedImage.exif``) for the mirrored-selfie check.
    """
    if mode == "closeup":
        return closeup_regions(rgb.shape[:2], roi=roi, valid=valid)
    from porescope.measure import face  # imported here: close-ups never load the face models

    return face.face_regions(rgb, mode=mode, roi=roi, valid=valid, camera=camera)
