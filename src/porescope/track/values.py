"""How the store normalizes what it is given: times (naive UTC for record
times, naive local wall-clock time for visits) and subject names."""

from __future__ import annotations

from datetime import UTC, datetime

from porescope.errors import PorescopeError

__all__ = ["KEY_METRICS", "utcnow", "naive_local", "check_name"]

#: The key metrics kept in indexed columns beside the whole result JSON, per
#: region. For every one of them *lower* means less visible pores (improved).
KEY_METRICS = ("pore_count", "density", "visibility_score", "coverage_pct", "mean_elongation", "dark_share")



def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def naive_local(t: datetime) -> datetime:
    """Visit times are stored as naive local wall-clock time (what the person saw)."""
    if t.tzinfo is not None:
        t = t.astimezone().replace(tzinfo=None)
    return t


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise PorescopeError("a subject needs a name (e.g. --subject me).")
    name = name.strip()
    if len(name) > 200:
        raise PorescopeError("a subject name is at most 200 characters.")
    return name
