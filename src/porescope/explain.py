"""Compatibility path: the code lives in :mod:`porescope.measure.explain`."""

from porescope.measure.explain import (  # noqa: F401
    NICE_NAMES,
    SCALE_SOURCE_WORDS,
    VISIBILITY_WORDS,
    region_line,
    scale_line,
    summary_lines,
    visibility_words,
)

__all__ = [
    "NICE_NAMES", "VISIBILITY_WORDS", "SCALE_SOURCE_WORDS", "visibility_words", "region_line", "scale_line",
    "summary_lines",
]
