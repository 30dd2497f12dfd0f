"""Compatibility path: the code lives in :mod:`porescope.track.db`."""

from porescope.track.db import (  # noqa: F401
    analyses,
    metadata,
    photos,
    product_uses,
    profiles,
    region_metrics,
    routines,
    subjects,
    visits,
)

__all__ = [
    "metadata", "subjects", "photos", "visits", "analyses", "region_metrics", "profiles", "routines",
    "product_uses",
]
