"""The regions of a photo as data: named boolean masks and how they were found.

:mod:`porescope.measure.regions` decides which regions a photo has (the whole
frame, or a face's regions from :mod:`porescope.measure.face.regions`); both build
these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["REGION_LABELS", "Region", "RegionSet", "closeup_regions"]

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
    "between_brows": 7,  # issue 21: the glabella; a new value, so the older labels keep theirs
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
    """The whole frame as one region named ``frame``.

    Parameters
    ----------
    shape : tuple of int
        The photo's (height, width).
    roi : ndarray, optional
        (H, W) bool mask to intersect with.
    valid : ndarray, optional
        (H, W) bool, False where the photo was transparent.

    Returns
    -------
    RegionSet
    """
    mask = np.ones(shape, bool)
    if roi is not None:
        mask &= roi
    if valid is not None:
        mask &= valid
    return RegionSet(mode="closeup", regions=[Region("frame", mask, REGION_LABELS["frame"])], skin=mask)
