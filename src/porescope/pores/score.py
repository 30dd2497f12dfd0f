"""Compatibility path: the code lives in :mod:`porescope.measure.pores.score`."""

from porescope.measure.pores.score import (  # noqa: F401
    C_CAP,
    C_REF,
    LARGE_PORE_DIAMETER_MM,
    LARGE_PORE_DIAMETER_PX_NOMINAL,
    ORIENTED_MIN_ELONGATION,
    W_REF,
    orientation_coherence,
    region_metrics,
    visibility_score,
)

__all__ = [
    "C_REF", "C_CAP", "W_REF", "LARGE_PORE_DIAMETER_MM", "LARGE_PORE_DIAMETER_PX_NOMINAL",
    "ORIENTED_MIN_ELONGATION", "visibility_score", "orientation_coherence", "region_metrics",
]
