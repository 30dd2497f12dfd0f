"""Compatibility path: the code lives in :mod:`porescope.track.models`."""

from porescope.track.models import (  # noqa: F401
    KEY_METRICS,
    Comparison,
    MetricChange,
    NoiseSource,
    ProductUse,
    RegionChange,
    RegionSummary,
    SubjectInfo,
    Verdict,
    VersionRecord,
    VisitInfo,
)

__all__ = [
    "Verdict", "NoiseSource", "KEY_METRICS", "RegionSummary", "VisitInfo", "SubjectInfo", "MetricChange",
    "RegionChange", "Comparison", "VersionRecord", "ProductUse",
]
