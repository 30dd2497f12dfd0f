"""Compatibility path: the code lives in :mod:`porescope.measure.regions`."""

from porescope.measure.regions import (  # noqa: F401
    REGION_LABELS,
    Region,
    RegionSet,
    closeup_regions,
    find_regions,
)

__all__ = [
    "REGION_LABELS", "Region", "RegionSet", "closeup_regions", "find_regions",
]
