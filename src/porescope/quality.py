"""Compatibility path: the code lives in :mod:`porescope.measure.quality`."""

from porescope.measure.quality import (  # noqa: F401
    BLUR_BLOCKING,
    BLUR_WARNING,
    BRIGHT_WARNING_L,
    CLIPPED_BLOCKING,
    CLIPPED_WARNING,
    DARK_BLOCKING_L,
    DARK_WARNING_L,
    GLARE_WARNING,
    MIN_PX_PER_MM,
    NOISE_WARNING,
    QUALITY_TILES,
    assess,
)

__all__ = [
    "BLUR_BLOCKING", "BLUR_WARNING", "DARK_BLOCKING_L", "DARK_WARNING_L", "BRIGHT_WARNING_L",
    "CLIPPED_WARNING", "CLIPPED_BLOCKING", "GLARE_WARNING", "NOISE_WARNING", "QUALITY_TILES", "MIN_PX_PER_MM",
    "assess",
]
