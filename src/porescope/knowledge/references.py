"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.references`."""

from porescope.advise.knowledge.references import (  # noqa: F401
    Reference,
    check_citation,
    parse_citation,
    references,
    render,
    render_each,
)

__all__ = [
    "Reference", "references", "parse_citation", "check_citation", "render_each", "render",
]
