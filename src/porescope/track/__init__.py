"""History: every analysis stored per subject and visit, honest comparison of
visits, reports.

>>> from porescope.track import Store
>>> from porescope.track.photos import analyze_visit_photo
>>> store = Store()                     # SQLite in the user data dir, or $PORESCOPE_DB_URL
>>> data, run = analyze_visit_photo("cheek.jpg")   # the caller analyzes; the store only stores
>>> v = store.add_visit(data, "me", analysis=run.analysis, condition={"cleansed": "yes"})
>>> store.compare("me")                 # baseline vs latest, per region, with noise intervals
"""

from porescope.track.location import ENV_DATA_DIR, ENV_DB_URL, resolve
from porescope.track.values import KEY_METRICS

#: The pydantic records, imported on first use: `porescope history list` starts without pydantic.
_RECORDS = ("Comparison", "MetricChange", "ProductUse", "RegionChange", "RegionSummary", "SubjectInfo",
            "VersionRecord", "VisitInfo")


def __getattr__(name: str):
    if name in _RECORDS:
        from porescope.track import models

        return getattr(models, name)
    if name == "Store":  # imported on first use: SQLAlchemy alone is ~0.2 s of start-up, and
        from porescope.track.store import Store  # `history list` reads SQLite without it (sqlite_read)

        return Store
    raise AttributeError(f"module 'porescope.track' has no attribute {name!r}")


__all__ = [
    "Store", "resolve", "ENV_DB_URL", "ENV_DATA_DIR", "KEY_METRICS",
    "VisitInfo", "SubjectInfo", "RegionSummary", "Comparison", "RegionChange", "MetricChange",
    "VersionRecord", "ProductUse",
]
