"""Compatibility path: the code lives in :mod:`porescope.measure.pores.measure`."""

from porescope.measure.pores.measure import (  # noqa: F401
    DARK_CORE_CONTRAST,
    PoreTable,
    contrast_pct,
    delta_lstar,
    is_dark,
    measure,
)

__all__ = [
    "DARK_CORE_CONTRAST", "is_dark", "contrast_pct", "delta_lstar", "PoreTable", "measure",
]
