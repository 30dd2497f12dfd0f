"""Compatibility path: the code lives in :mod:`porescope.measure.pipeline`."""

from porescope.measure.pipeline import (  # noqa: F401
    Run,
    ANALYSIS_PX_PER_MM,
    MAX_UPSAMPLE,
    analysis_factor,
    resample,
    diameter_range_px,
    load_image,
    run,
    analyze,
)

__all__ = ['Run', 'ANALYSIS_PX_PER_MM', 'MAX_UPSAMPLE', 'analysis_factor', 'resample', 'diameter_range_px', 'load_image', 'run', 'analyze']
