"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.language`."""

from porescope.advise.knowledge.language import (  # noqa: F401
    FORBIDDEN_PROMISES,
    forbidden_phrases,
)

__all__ = [
    "FORBIDDEN_PROMISES", "forbidden_phrases",
]
