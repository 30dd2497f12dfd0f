"""Compatibility path: the code lives in :mod:`porescope.measure.pipeline`."""

from porescope.measure.pipeline import (  # noqa: F401
    ANALYSIS_PX_PER_MM,
    MAX_UPSAMPLE,
    Run,
    analysis_factor,
    analyze,
    diameter_range_px,
    load_image,
    resample,
    run,
)

__all__ = [
    "Run", "ANALYSIS_PX_PER_MM", "MAX_UPSAMPLE", "analysis_factor", "resample", "diameter_range_px",
    "load_image", "run", "analyze",
]
