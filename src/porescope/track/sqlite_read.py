"""Read-only listing of a SQLite history store with the standard library's
``sqlite3`` module, without SQLAlchemy.

Why this exists: ``porescope history list`` should answer at once (issue 13),
and importing SQLAlchemy alone costs ~0.2 s, twice the start-up of Typer and
Rich together (benchmarks/bench_cli.py). Listing needs no engine, pool or
migrations: two or three SELECTs on a store that is already there.

The quick path is taken only when all of these hold, otherwise the caller opens
the normal :class:`~porescope.track.store.Store` (which creates or migrates the
store, sweeps orphan photos and gives the usual error messages):

- the store URL is a plain SQLite file (``sqlite:///PATH``, no query string);
- that file exists and opens read-only (``file:PATH?mode=ro``);
- its ``alembic_version`` is :data:`HEAD_REVISION`, the revision the queries
  below are written for;
- for a subject's visits, the subject exists.

The queries mirror :meth:`Store.subject_rows` and :meth:`Store.visits`, and the
rows go through the same assembly and validation
(:mod:`porescope.track.rows`); tests/track/test_sqlite_read.py checks both paths give equal
rows. Times are stored by SQLAlchemy as ISO text (``YYYY-MM-DD HH:MM:SS.ffffff``)
and parsed back here with :meth:`datetime.fromisoformat`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from porescope.track.location import SQLITE_BUSY_TIMEOUT_S, resolve
from porescope.track.rows import HEAD_REVISION, SubjectRow, subject_infos, visit_infos, visit_records

if TYPE_CHECKING:
    from porescope.track.models import VisitInfo

__all__ = ["subject_rows", "visits", "subject_infos"]


_SUBJECTS_SQL = (
    "SELECT s.name, s.created_at, count(v.id), min(v.taken_at), max(v.taken_at) "
    "FROM subjects AS s LEFT OUTER JOIN visits AS v ON v.subject_id = s.id "
    "GROUP BY s.id, s.name, s.created_at ORDER BY s.name"
)
_VISITS_SQL = (
    "SELECT v.id, s.name, v.taken_at, v.condition, v.device, v.lighting, v.created_at "
    "FROM visits AS v JOIN subjects AS s ON s.id = v.subject_id WHERE v.subject_id = ? ORDER BY v.taken_at, v.id"
)
_ANALYSES_SQL = (
    "SELECT visit_id, capture, photo_sha256, schema_version, mode, measurable FROM analyses "
    "WHERE visit_id IN (SELECT id FROM visits WHERE subject_id = ?)"
)
_METRICS_SQL = (
    "SELECT visit_id, region, pore_count, density, density_unit, visibility_score, coverage_pct, mean_elongation, "
    "dark_share, counts_meaningful FROM region_metrics "
    "WHERE visit_id IN (SELECT id FROM visits WHERE subject_id = ?) AND capture = 1 ORDER BY id"
)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a plain ``sqlite:///PATH`` URL, else None."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix):]
    if not path or path == ":memory:" or "?" in path or "%" in path:
        return None  # in memory, options or escapes: leave those to SQLAlchemy
    return Path(path)


def _connect(url: str | None) -> sqlite3.Connection | None:
    """A read-only connection to a SQLite store at HEAD_REVISION, else None."""
    path = _sqlite_file(resolve(url)[0])
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=SQLITE_BUSY_TIMEOUT_S)
    except sqlite3.Error:
        return None
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:  # not a store, or not created yet
        rows = []
    if [r[0] for r in rows] != [HEAD_REVISION]:
        conn.close()
        return None
    return conn


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def subject_rows(url: str | None = None) -> list[SubjectRow] | None:
    """What :meth:`Store.subject_rows` returns, or None where the quick path does not apply."""
    conn = _connect(url)
    if conn is None:
        return None
    try:
        with conn:
            rows = conn.execute(_SUBJECTS_SQL).fetchall()
        return [(name, _time(created), n, _time(first), _time(last)) for name, created, n, first, last in rows]
    except (sqlite3.Error, ValueError):  # anything unexpected: the store opens it and words any error
        return None
    finally:
        conn.close()


def visits(url: str | None, subject: str) -> list[VisitInfo] | None:
    """What :meth:`Store.visits` returns, or None where the quick path does not apply
    (including an unknown subject: the store says so in its own words)."""
    conn = _connect(url)
    if conn is None:
        return None
    try:
        with conn:  # one read transaction: the three SELECTs see one state
            conn.execute("BEGIN")
            sid = conn.execute("SELECT id FROM subjects WHERE name = ?", (subject,)).fetchone()
            if sid is None:
                return None
            vrows = [(vid, name, _time(taken), None if cond is None else json.loads(cond), device, lighting, _time(created))
                     for vid, name, taken, cond, device, lighting, created in conn.execute(_VISITS_SQL, sid)]
            arows = conn.execute(_ANALYSES_SQL, sid).fetchall() if vrows else []
            mrows = conn.execute(_METRICS_SQL, sid).fetchall() if vrows else []
    except (sqlite3.Error, ValueError):  # anything unexpected: the store opens it and words any error
        return None
    finally:
        conn.close()
    return visit_infos(visit_records(vrows, arows, mrows))
