"""Visit and subject rows -> records: the one assembly both ways of reading a
store use (:class:`~porescope.track.store.Store` through SQLAlchemy, and the
quick read-only listing in :mod:`porescope.track.sqlite_read`), kept free of
SQLAlchemy so the quick path starts fast.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from porescope.track.models import SubjectInfo, VisitInfo

__all__ = ["HEAD_REVISION", "SubjectRow", "subject_infos", "visit_records", "visit_infos"]

#: The newest migration's revision. A store already at it opens without importing
#: alembic (~0.2 s of start-up) and can be listed by sqlite_read;
#: tests/track/test_store.py checks it is alembic's head.
HEAD_REVISION = "0001"

#: ``(name, created_at, visits, first_visit, last_visit)`` of one subject.
SubjectRow = tuple[str, datetime, int, datetime | None, datetime | None]


def visit_records(vrows, arows, mrows) -> list[dict[str, Any]]:
    """The visit records (dicts for :func:`visit_infos`) from the three row sets of a
    visit query, shared by the store and the quick path.

    ``vrows``: ``(id, subject, taken_at, condition, device, lighting, created_at)`` by time;
    ``arows``: ``(visit_id, capture, photo_sha256, schema_version, mode, measurable)`` of
    every capture; ``mrows``: ``(visit_id, region, pore_count, density, density_unit,
    visibility_score, coverage_pct, mean_elongation, dark_share, counts_meaningful)``
    of capture 1, in stored order.
    """
    first: dict[int, tuple] = {}
    ncap: dict[int, int] = {}
    for r in arows:
        ncap[r[0]] = ncap.get(r[0], 0) + 1
        if r[1] == 1:
            first[r[0]] = r
    regions: dict[int, list[dict]] = {r[0]: [] for r in vrows}
    for r in mrows:
        regions[r[0]].append(
            dict(
                name=r[1], pore_count=r[2], density=r[3], density_unit=r[4], visibility_score=r[5],
                coverage_pct=r[6], mean_elongation=r[7], dark_share=r[8], counts_meaningful=bool(r[9]),
            )
        )
    out = []
    for vid, name, taken, cond, device, lighting, created in vrows:
        fa = first.get(vid)
        out.append(
            dict(
                id=vid, subject=name, taken_at=taken, condition=cond or {}, device=device, lighting=lighting,
                photo_sha256=fa[2] if fa else "", captures=ncap.get(vid, 0), mode=fa[4] if fa else "closeup",
                measurable=bool(fa[5]) if fa else False, schema_version=fa[3] if fa else "", created_at=created,
                regions=regions[vid],
            )
        )
    return out


@cache
def _visit_list():
    """The validator of a list of visit records (built on first use)."""
    from pydantic import TypeAdapter

    from porescope.track.models import VisitInfo

    return TypeAdapter(list[VisitInfo])


def visit_infos(records: list[dict[str, Any]]) -> list[VisitInfo]:
    """:class:`~porescope.track.models.VisitInfo` records of :func:`visit_records`' dicts.

    One bulk validation in pydantic-core: ~2x faster than model_construct per row.
    """
    return _visit_list().validate_python(records)


def subject_infos(rows: list[SubjectRow]) -> list[SubjectInfo]:
    """:class:`~porescope.track.models.SubjectInfo` records of :func:`subject_rows`' tuples."""
    from porescope.track.models import SubjectInfo

    return [SubjectInfo(name=n, created_at=c, visits=k, first_visit=lo, last_visit=hi) for n, c, k, lo, hi in rows]
