"""Compatibility path: the code lives in :mod:`porescope.track`."""

from porescope.track import (  # noqa: F401
    ENV_DATA_DIR,
    ENV_DB_URL,
    KEY_METRICS,
    Comparison,
    MetricChange,
    ProductUse,
    RegionChange,
    RegionSummary,
    Store,
    SubjectInfo,
    VersionRecord,
    VisitInfo,
    resolve,
)

__all__ = [
    "KEY_METRICS", "Comparison", "MetricChange", "ProductUse", "RegionChange", "RegionSummary", "SubjectInfo",
    "VersionRecord", "VisitInfo", "ENV_DATA_DIR", "ENV_DB_URL", "Store", "resolve",
]
