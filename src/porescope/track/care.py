"""The care side of a subject's history: versioned profiles and routines, and
the products used between visits. A part of :class:`porescope.track.Store`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from porescope.errors import PorescopeError
from porescope.track import db
from porescope.track.values import check_name, naive_local, utcnow

if TYPE_CHECKING:  # pydantic records, imported where one is built (start-up time of `history list`)
    from porescope.track.models import ProductUse, VersionRecord

__all__ = ["CareRecords"]


class CareRecords:
    """Profiles, routines and product uses of a subject (mixed into :class:`~porescope.track.Store`,
    whose ``_read``/``_write`` connections and subject look-ups it uses)."""

    # ------------------------------------------------------------------ profile, routine, products
    def _save_version(self, table, subject: str, data: dict) -> VersionRecord:
        if not isinstance(data, dict):
            raise PorescopeError("a profile or routine is saved as a dict (JSON object).")
        json.dumps(data)  # must be JSON-serializable
        subject = check_name(subject)
        with self._write() as conn:
            sid = self._subject_id(conn, subject, create=True)
            ver = 1 + (conn.execute(sa.select(sa.func.max(table.c.version)).where(table.c.subject_id == sid)).scalar() or 0)
            now = utcnow()
            rid = conn.execute(table.insert().values(subject_id=sid, version=ver, data=data, created_at=now)).inserted_primary_key[0]
        from porescope.track.models import VersionRecord

        return VersionRecord(id=rid, subject=subject, version=ver, data=data, created_at=now)

    def _versions(self, table, subject: str) -> list[VersionRecord]:
        with self._read() as conn:
            sid = self._need_subject(conn, subject)
            rows = conn.execute(sa.select(table).where(table.c.subject_id == sid).order_by(table.c.version)).all()
        from porescope.track.models import VersionRecord

        return [VersionRecord(id=r.id, subject=subject, version=r.version, data=r.data, created_at=r.created_at) for r in rows]

    def save_profile(self, subject: str, profile: dict) -> VersionRecord:
        """Save a new version of the subject's profile (skin type, age band, goals, pregnancy...)."""
        return self._save_version(db.profiles, subject, profile)

    def save_routine(self, subject: str, routine: dict) -> VersionRecord:
        """Save a new version of the subject's routine (as the advice stage produced it, with citations)."""
        return self._save_version(db.routines, subject, routine)

    def profiles(self, subject: str) -> list[VersionRecord]:
        return self._versions(db.profiles, subject)

    def routines(self, subject: str) -> list[VersionRecord]:
        return self._versions(db.routines, subject)

    def profile(self, subject: str) -> VersionRecord | None:
        """The latest profile version, or None."""
        v = self.profiles(subject)
        return v[-1] if v else None

    def routine(self, subject: str) -> VersionRecord | None:
        """The latest routine version, or None."""
        v = self.routines(subject)
        return v[-1] if v else None

    def add_product_use(
        self, subject: str, name: str, ingredients: list[str] | str | None = None,
        start: datetime | None = None, end: datetime | None = None,
    ) -> ProductUse:
        """Record a product used between visits (``end`` None = still in use)."""
        subject = check_name(subject)
        if not name or not name.strip():
            raise PorescopeError("a product needs a name.")
        if isinstance(ingredients, str):
            ingredients = [i.strip() for i in ingredients.split(",") if i.strip()]
        ingredients = list(ingredients or [])
        start = naive_local(start) if start else None
        end = naive_local(end) if end else None
        if start and end and end < start:
            raise PorescopeError(f"product {name!r}: end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}.")
        with self._write() as conn:
            sid = self._subject_id(conn, subject, create=True)
            pid = conn.execute(
                db.product_uses.insert().values(subject_id=sid, name=name.strip(), ingredients=ingredients, start=start, end=end, created_at=utcnow())
            ).inserted_primary_key[0]
        from porescope.track.models import ProductUse

        return ProductUse(id=pid, subject=subject, name=name.strip(), ingredients=ingredients, start=start, end=end)

    def product_uses(self, subject: str, *, between: tuple[datetime, datetime] | None = None) -> list[ProductUse]:
        """Products the subject used (overlapping ``between`` if given), by start."""
        t = db.product_uses
        with self._read() as conn:
            sid = self._need_subject(conn, subject)
            rows = conn.execute(sa.select(t).where(t.c.subject_id == sid).order_by(t.c.start, t.c.id)).all()
        from porescope.track.models import ProductUse

        out = [ProductUse(id=r.id, subject=subject, name=r.name, ingredients=r.ingredients or [], start=r.start, end=r.end) for r in rows]
        if between:
            lo, hi = between
            out = [p for p in out if (p.start is None or p.start <= hi) and (p.end is None or p.end >= lo)]
        return out
