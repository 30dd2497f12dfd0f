"""Where to look: the skin regions of a photo.

For a close-up the whole frame (or the user's ROI) is one region called
``frame``. Full-face photos are split into forehead, the skin between the brows, nose, cheeks and chin by
:mod:`porescope.measure.face.regions`; this module is the seam between the two, so the
rest of the pipeline only ever sees a list of :class:`Region` (the records live
in :mod:`porescope.measure.regionset`).
"""

from __future__ import annotations

import numpy as np

from porescope.errors import PorescopeError
from porescope.measure.regionset import REGION_LABELS, Region, RegionSet, closeup_regions

__all__ = ["MODES", "REGION_LABELS", "Region", "RegionSet", "check_mode", "closeup_regions", "find_regions"]

#: What a photo can show: decided from the photo, a whole face, or a close-up of skin.
MODES = ("auto", "face", "closeup")


def check_mode(mode: str, name: str = "mode") -> str:
    """The one check of a mode option.

    Parameters
    ----------
    mode : str
        The value given.
    name : str
        The option's name for the message (``--mode`` on the command line).

    Returns
    -------
    str
        ``mode`` unchanged.

    Raises
    ------
    PorescopeError
        One line when ``mode`` is not one of :data:`MODES`.
    """
    if mode not in MODES:
        raise PorescopeError(f"{name} must be auto, face or closeup, not {mode!r}.")
    return mode


def find_regions(rgb: np.ndarray, *, mode: str = "auto", roi: np.ndarray | None = None, valid: np.ndarray | None = None,
                 camera: dict | None = None) -> RegionSet:
    """Find the skin regions to analyze.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo in display orientation.
    mode : {'auto', 'face', 'closeup'}
        'closeup': the whole frame; 'face': face regions (an error if no face is
        found); 'auto': face regions when a face is found, else the whole frame.
    roi : ndarray, optional
        (H, W) bool mask the regions are limited to.
    valid : ndarray, optional
        (H, W) bool, False where the photo was transparent.
    camera : dict, optional
        EXIF camera fields (``LoadedImage.exif``) for the mirrored-selfie check.

    Returns
    -------
    RegionSet
        The regions, their union, a scale found from the face and any problems.
    """
    if mode == "closeup":
        return closeup_regions(rgb.shape[:2], roi=roi, valid=valid)
    from porescope.measure.face import regions as face  # imported here: close-ups never load the face models

    return face.face_regions(rgb, mode=mode, roi=roi, valid=valid, camera=camera)
