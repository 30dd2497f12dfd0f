"""Compatibility path: the code lives in :mod:`porescope.cli.serve`."""

from porescope.cli.serve import (  # noqa: F401
    is_loopback,
    register,
)

__all__ = [
    "is_loopback", "register",
]
