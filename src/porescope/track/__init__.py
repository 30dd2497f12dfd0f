"""History: every analysis stored per subject and visit, honest comparison of
visits, reports.

>>> from porescope.track import Store
>>> store = Store()                     # SQLite in the user data dir, or $PORESCOPE_DB_URL
>>> v = store.add_visit("cheek.jpg", "me", condition={"cleansed": "yes"})
>>> store.compare("me")                 # baseline vs latest, per region, with noise intervals
"""

from porescope.track.location import ENV_DATA_DIR, ENV_DB_URL, resolve
from porescope.track.models import (
    KEY_METRICS,
    Comparison,
    MetricChange,
    ProductUse,
    RegionChange,
    RegionSummary,
    SubjectInfo,
    VersionRecord,
    VisitInfo,
)
from porescope.track.store import Store

__all__ = [
    "Store", "resolve", "ENV_DB_URL", "ENV_DATA_DIR", "KEY_METRICS",
    "VisitInfo", "SubjectInfo", "RegionSummary", "Comparison", "RegionChange", "MetricChange",
    "VersionRecord", "ProductUse",
]
