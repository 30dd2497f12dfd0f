"""Where to look: the skin regions of a photo.

For a close-up the whole frame (or the user's ROI) is one region called
``frame``. Full-face photos are split into forehead, nose, cheeks and chin by
:mod:`porescope.measure.face` when it is available; this module is the seam between the
two, so the rest of the pipeline only ever sees a list of :class:`Region`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Label values written by ``--regions-out`` (0 = not analyzed). The
#: close-up's whole-frame region has its own value (6), so a label image
#: never mixes up a close-up frame with a forehead.
REGION_LABELS = {
    "frame": 6,
    "forehead": 1,
    "nose": 2,
    "left_cheek": 3,
    "right_cheek": 4,
    "chin": 5,
}


@dataclass
class Region:
    """A named skin region: a boolean mask of the image's size."""

    name: str
    mask: np.ndarray  # (H, W) bool
    label: int = 1
    outline_only: bool = False  # True for an aggregate region (e.g. 'face') not written to the label image


@dataclass
class RegionSet:
    """The regions of one photo plus how they were found."""

    mode: str  # 'closeup' or 'face'
    regions: list[Region]
    skin: np.ndarray  # (H, W) bool: union of all analyzed skin
    scale_px_per_mm: float | None = None  # a scale found from the face (iris), if any
    scale_source: str = "none"
    scale_uncertainty_pct: float | None = None
    problems: list = field(default_factory=list)  # QualityProblem records found while locating regions
    extra: dict = field(default_factory=dict)  # landmarks, pose, etc. for overlays and causes
    #: Face regions left out (too little visible skin): name -> reason in words.
    not_measured: dict = field(default_factory=dict)

    def label_image(self) -> np.ndarray:
        """(H, W) uint8 label image: 0 = not analyzed, else the region's label."""
        out = np.zeros(self.skin.shape, np.uint8)
        for r in self.regions:
            if not r.outline_only:
                out[r.mask] = r.label
        return out


def closeup_regions(shape: tuple[int, int], *, roi: np.ndarray | None = None, valid: np.ndarray | None = None) -> RegionSet:
    """The whole frame (intersected with ``roi`` and ``valid`` when given) as one region."""
    mask = np.ones(shape, bool)
    if roi is not None:
        mask &= roi
    if valid is not None:
        mask &= valid
    return RegionSet(mode="closeup", regions=[Region("frame", mask, REGION_LABELS["frame"])], skin=mask)


def find_regions(rgb: np.ndarray, *, mode: str = "auto", roi: np.ndarray | None = None, valid: np.ndarray | None = None,
                 camera: dict | None = None) -> RegionSet:
    """Find the skin regions to analyze.

    ``mode``: 'closeup' (whole frame), 'face' (face regions; error if no face),
    or 'auto' (face regions when a face is found, else the whole frame).
    ``camera``: EXIF camera fields (``LoadedImage.exif``) for the mirrored-selfie check.
    """
    if mode == "closeup":
        return closeup_regions(rgb.shape[:2], roi=roi, valid=valid)
    try:
        from porescope.measure import face  # optional stage, see module docstring
    except ImportError:
        face = None
    if face is None:
        if mode == "face":
            from porescope.errors import PorescopeError

            raise PorescopeError("face mode is not available in this build; use --mode closeup.")
        return closeup_regions(rgb.shape[:2], roi=roi, valid=valid)
    return face.face_regions(rgb, mode=mode, roi=roi, valid=valid, camera=camera)
