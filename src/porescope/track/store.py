"""The history store: subjects, visits, photos and their analyses, on SQLite
(no set-up) or PostgreSQL.

Crash safety, in order of an add:

1. the caller has analyzed the photo (slow, outside any lock or transaction:
   the store never runs the measuring pipeline; it is handed the
   :class:`~porescope.results.Analysis` and the photo it was made from);
2. a *shared* lock on ``DATA_DIR/.lock`` is taken (``fcntl.flock``);
3. the photo is written to a temp file beside its final name and renamed
   (atomic), only if that content hash is not stored yet;
4. one database transaction writes subject, visit, photo, analysis and metric
   rows, then commits;
5. on any failure the transaction rolls back and a photo file written in 3 is
   removed unless another row references it.

A process killed between 3 and 4 leaves at most a photo file no row points
to; every :class:`Store` open sweeps such files under an *exclusive* lock
(which it only gets when no add is in flight, so a concurrent add's photo is
never swept). On SQLite the database runs in WAL mode with a busy timeout and
write transactions start with ``BEGIN IMMEDIATE``, so adds from several
processes queue instead of failing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from porescope.errors import PorescopeError
from porescope.files import atomic_write
from porescope.track import db
from porescope.track.care import CareRecords
from porescope.track.export import visits_csv
from porescope.track.location import make_engine, resolve
from porescope.track.lock import FileLock
from porescope.track.photos import PHOTO_EXT, exif_time, photo_bytes, read_exif
from porescope.track.rows import HEAD_REVISION, subject_infos, visit_infos, visit_records
from porescope.track.values import check_name, naive_local, utcnow

log = logging.getLogger(__name__)
if TYPE_CHECKING:  # the result schema (~0.1 s to build) is imported where an analysis is read
    from porescope.results import Analysis

    # and so are the pydantic records: `history list` prints plain rows (subject_rows), no pydantic
    from porescope.track.models import Comparison, SubjectInfo, VisitInfo


#: Where no file lock exists (Windows), the sweep only removes orphans older than this.
ORPHAN_GRACE_S = 3600

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def region_summary(r) -> dict[str, Any]:
    """Indexed key metrics of one :class:`~porescope.results.RegionMetrics`."""
    per_cm2 = r.density_per_cm2 is not None
    return dict(
        region=r.name,
        pore_count=r.pore_count,
        density=r.density_per_cm2 if per_cm2 else r.density_per_mpx,
        density_unit="per_cm2" if per_cm2 else "per_mpx",
        visibility_score=r.visibility_score,
        coverage_pct=r.coverage_pct,
        mean_elongation=r.mean_elongation,
        dark_share=r.dark_share,
        counts_meaningful=r.counts_meaningful,
    )


class Store(CareRecords):
    """The history of visits, on SQLite by default or PostgreSQL.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL (``postgresql://user@host/db``, ``sqlite:///path``) or a
        plain path to an SQLite file. None: ``$PORESCOPE_DB_URL`` if set, else
        ``porescope.db`` in ``platformdirs.user_data_dir("porescope")``.
    data_dir : str | Path, optional
        Folder for the original photos (content addressed, ``photos/ab/abcd…``).
        Default ``$PORESCOPE_DATA_DIR``, else the SQLite file's folder, else the
        user data dir.
    """

    def __init__(self, url: str | None = None, *, data_dir: str | Path | None = None):
        self.url, self.data_dir = resolve(url, data_dir)
        self.photos_dir = self.data_dir / "photos"
        try:
            self.photos_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PorescopeError(f"cannot create the photo folder {self.photos_dir} ({exc.strerror or exc}).") from None
        self._lock = FileLock(self.data_dir / ".lock")
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self._migrate()
        self.sweep_orphans()

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.engine.url.render_as_string(hide_password=True)!r}, data_dir={str(self.data_dir)!r})"

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """A write transaction (BEGIN IMMEDIATE on SQLite, so writers queue)."""
        with self.engine.connect() as conn:
            conn.execution_options(porescope_immediate=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _at_head(self) -> bool:
        """True when the store's recorded revision is HEAD_REVISION (a plain query, no alembic)."""
        try:
            with self._read() as conn:
                rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
        except sa.exc.DBAPIError:
            return False  # no version table yet: a new store
        return [r[0] for r in rows] == [HEAD_REVISION]

    def _migrate(self) -> None:
        if self._at_head():
            return
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        try:
            with self._read() as conn:
                if MigrationContext.configure(conn).get_current_revision() == head:
                    return
            with self._write() as conn:
                if self.dialect == "postgresql":  # two first opens at once: one migrates, the other waits
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7263001)")
                if MigrationContext.configure(conn).get_current_revision() != head:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except sa.exc.OperationalError as exc:
            raise PorescopeError(f"cannot open the history store {self!r}: {str(exc.orig).strip().splitlines()[0]}") from None

    def _photo_file(self, sha: str, ext: str) -> Path:
        return self.photos_dir / sha[:2] / f"{sha}{ext}"

    def _put_photo(self, data: bytes, sha: str, ext: str) -> tuple[Path, bool]:
        """Write the photo to its content address (temp + fsync + rename). Returns (path, created)."""
        path = self._photo_file(sha, ext)
        if path.exists() and path.stat().st_size == len(data):
            return path, False
        atomic_write(path, data, durable=True, private=True, clear_errors=False, make_folder=True)
        return path, True

    def sweep_orphans(self) -> int:
        """Remove photo files (and temp files) no row references. Returns how many.

        Runs on every open; skipped while another process is adding (it holds
        the shared lock), so an add in flight never loses its photo.
        """
        with self._lock.try_exclusive() as held:
            if held is False:
                return 0
            with self._read() as conn:
                known = set(conn.execute(sa.select(db.photos.c.sha256)).scalars())
            removed = 0
            cutoff = time.time() - ORPHAN_GRACE_S
            for f in self.photos_dir.glob("*/*"):
                if not f.is_file():
                    continue
                sha = f.name.split(".", 1)[0]
                orphan = f.name.startswith(".") or sha not in known
                if orphan and (held or f.stat().st_mtime < cutoff):
                    with contextlib.suppress(OSError):
                        f.unlink()
                        removed += 1
            if removed:
                log.info("removed %d orphan photo file(s) from %s", removed, self.photos_dir)
            return removed

    # ------------------------------------------------------------------ subjects
    def _subject_id(self, conn: sa.Connection, name: str, *, create: bool) -> int | None:
        sid = conn.execute(sa.select(db.subjects.c.id).where(db.subjects.c.name == name)).scalar()
        if sid is None and create:
            sid = conn.execute(db.subjects.insert().values(name=name, created_at=utcnow())).inserted_primary_key[0]
        return sid

    def _need_subject(self, conn: sa.Connection, name: str) -> int:
        sid = self._subject_id(conn, name, create=False)
        if sid is None:
            raise PorescopeError(f"no subject called {name!r} in the history; see 'porescope history list'.")
        return sid

    def subject_rows(self) -> list[tuple[str, datetime, int, datetime | None, datetime | None]]:
        """``(name, created_at, visits, first_visit, last_visit)`` of every subject, by
        name: what :meth:`subjects` returns, as plain tuples (no pydantic records)."""
        s, v = db.subjects, db.visits
        q = (
            sa.select(s.c.name, s.c.created_at, sa.func.count(v.c.id), sa.func.min(v.c.taken_at), sa.func.max(v.c.taken_at))
            .select_from(s.outerjoin(v, v.c.subject_id == s.c.id))
            .group_by(s.c.id, s.c.name, s.c.created_at)
            .order_by(s.c.name)
        )
        with self._read() as conn:
            return [tuple(r) for r in conn.execute(q)]

    def subjects(self) -> list[SubjectInfo]:
        """All subjects with their visit counts, by name."""
        return subject_infos(self.subject_rows())

    def add_subject(self, name: str) -> SubjectInfo:
        name = check_name(name)
        with self._write() as conn:
            self._subject_id(conn, name, create=True)
        return next(s for s in self.subjects() if s.name == name)

    # ------------------------------------------------------------------ visits
    def add_visit(
        self,
        photo: str | Path | bytes,
        subject: str,
        *,
        analysis: Analysis,
        skin_mask=None,
        taken_at: datetime | None = None,
        condition: dict | None = None,
        device: str | None = None,
        lighting: str | None = None,
        repeat_of: int | None = None,
    ) -> VisitInfo:
        """Store a photo and its analysis as a new visit of ``subject``.

        ``analysis``: the photo's :class:`~porescope.results.Analysis` (the
        caller runs :func:`porescope.measure.pipeline.run`); it must be of this
        very photo (same SHA-256). ``skin_mask``: the analyzed skin when an ROI
        limited it (``run(...).regions.skin``), kept so later comparisons and
        noise estimates use the same skin. ``repeat_of``: the id of an existing
        visit this photo is a second capture of (same sitting); two captures
        give the visit a measured noise figure. ``taken_at`` defaults to the
        photo's EXIF time, else now. ``condition``: capture conditions, e.g.
        ``{"cleansed": "yes", "makeup": "no", "since_wash_h": 2}``.
        """
        from porescope.output.render import encode_image

        subject = check_name(subject)
        data, label = photo_bytes(photo)
        if condition is not None and not isinstance(condition, dict):
            raise PorescopeError("condition must be a dict such as {'cleansed': 'yes', 'makeup': 'no'}.")
        src = analysis.source
        sha = hashlib.sha256(data).hexdigest()
        if src.sha256 != sha:
            raise PorescopeError(f"{label}: the analysis handed in is not of this photo (its SHA-256 differs); store the photo that was analyzed.")
        ext = PHOTO_EXT.get((src.format or "").upper(), ".img")
        exif = read_exif(data)
        roi_png = None
        if skin_mask is not None:
            roi_png = encode_image(skin_mask.astype("uint8") * 255, ".png")
        when = naive_local(taken_at) if taken_at else (exif_time(exif) or datetime.now().replace(microsecond=0))

        written: list[str] = []
        with self._lock.shared():
            try:
                path, created = self._put_photo(data, sha, ext)
                if created:
                    written.append(sha)
                roi_sha = None
                if roi_png is not None:
                    roi_sha = hashlib.sha256(roi_png).hexdigest()
                    _, created = self._put_photo(roi_png, roi_sha, ".png")
                    if created:
                        written.append(roi_sha)
                with self._write() as conn:
                    sid = self._subject_id(conn, subject, create=True)
                    now = utcnow()
                    if repeat_of is not None:
                        row = conn.execute(sa.select(db.visits.c.subject_id).where(db.visits.c.id == repeat_of)).first()
                        if row is None or row[0] != sid:
                            raise PorescopeError(f"visit {repeat_of} is not a visit of {subject!r}; cannot add a repeat capture to it.")
                        vid = repeat_of
                        capture = 1 + (conn.execute(sa.select(sa.func.max(db.analyses.c.capture)).where(db.analyses.c.visit_id == vid)).scalar() or 0)
                    else:
                        vid = conn.execute(
                            db.visits.insert().values(
                                subject_id=sid, taken_at=when, condition=condition or {}, device=device, lighting=lighting, created_at=now
                            )
                        ).inserted_primary_key[0]
                        capture = 1
                    self._insert_photo(conn, sha, ext, len(data), src.width_px, src.height_px, exif, now)
                    if roi_png is not None:
                        self._insert_photo(conn, roi_sha, ".png", len(roi_png), src.width_px, src.height_px, {}, now)
                    aid = conn.execute(
                        db.analyses.insert().values(
                            visit_id=vid, capture=capture, photo_sha256=sha, roi_sha256=roi_sha,
                            schema_version=analysis.schema_version, porescope_version=analysis.porescope_version,
                            mode=analysis.settings.mode, measurable=analysis.quality.measurable,
                            result=analysis.model_dump(mode="json"), noise=None, created_at=now,
                        )
                    ).inserted_primary_key[0]
                    rows = [dict(region_summary(r), analysis_id=aid, visit_id=vid, subject_id=sid, capture=capture) for r in analysis.regions]
                    if rows:
                        conn.execute(db.region_metrics.insert(), rows)
                    if repeat_of is not None:  # a new capture changes the visit's noise figure
                        conn.execute(db.analyses.update().where(db.analyses.c.visit_id == vid).values(noise=None))
            except BaseException:
                self._discard(written)
                raise
            # A concurrent failed add of the same photo may have removed the file meanwhile.
            if not path.exists():
                self._put_photo(data, sha, ext)
        return self.visit(vid)

    def _insert_photo(self, conn, sha, ext, size, w, h, exif, now) -> None:
        values = dict(sha256=sha, ext=ext, size_bytes=size, width_px=w, height_px=h, exif=exif, created_at=now)
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover
            if conn.execute(sa.select(db.photos.c.sha256).where(db.photos.c.sha256 == sha)).first() is None:
                conn.execute(db.photos.insert().values(**values))
            return
        conn.execute(insert(db.photos).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))

    def _discard(self, shas: list[str]) -> None:
        """After a failed add: remove the photo files it wrote unless a row references them."""
        if not shas:
            return
        try:
            with self._read() as conn:
                kept = set(conn.execute(sa.select(db.photos.c.sha256).where(db.photos.c.sha256.in_(shas))).scalars())
        except Exception:  # noqa: BLE001 - the DB may be what failed; the next sweep cleans up
            return
        for sha in shas:
            if sha not in kept:
                for f in (self.photos_dir / sha[:2]).glob(f"{sha}.*"):
                    with contextlib.suppress(OSError):
                        f.unlink()

    def _visit_infos(self, conn: sa.Connection, where) -> list[VisitInfo]:
        v, s, a, m = db.visits, db.subjects, db.analyses, db.region_metrics
        vrows = conn.execute(
            sa.select(v.c.id, s.c.name, v.c.taken_at, v.c.condition, v.c.device, v.c.lighting, v.c.created_at)
            .select_from(v.join(s, s.c.id == v.c.subject_id))
            .where(where)
            .order_by(v.c.taken_at, v.c.id)
        ).all()
        if not vrows:
            return []
        sub = sa.select(v.c.id).select_from(v.join(s, s.c.id == v.c.subject_id)).where(where).scalar_subquery()
        arows = conn.execute(
            sa.select(a.c.visit_id, a.c.capture, a.c.photo_sha256, a.c.schema_version, a.c.mode, a.c.measurable).where(a.c.visit_id.in_(sub))
        ).all()
        mrows = conn.execute(
            sa.select(m.c.visit_id, m.c.region, m.c.pore_count, m.c.density, m.c.density_unit, m.c.visibility_score,
                      m.c.coverage_pct, m.c.mean_elongation, m.c.dark_share, m.c.counts_meaningful)
            .where(m.c.visit_id.in_(sub), m.c.capture == 1)
            .order_by(m.c.id)
        ).all()
        return visit_infos(visit_records(vrows, arows, mrows))

    def visits(self, subject: str) -> list[VisitInfo]:
        """A subject's visits, oldest first (key metrics of capture 1 included)."""
        with self._read() as conn:
            sid = self._need_subject(conn, subject)
            return self._visit_infos(conn, db.visits.c.subject_id == sid)

    def all_visits(self) -> list[VisitInfo]:
        """Every visit of every subject, by time."""
        with self._read() as conn:
            return self._visit_infos(conn, sa.true())

    def visit(self, visit_id: int) -> VisitInfo:
        with self._read() as conn:
            out = self._visit_infos(conn, db.visits.c.id == int(visit_id))
        if not out:
            raise PorescopeError(f"no visit {visit_id} in the history; see 'porescope history list'.")
        return out[0]

    def _analysis_row(self, conn, visit_id: int, capture: int):
        a = db.analyses
        row = conn.execute(sa.select(a).where(a.c.visit_id == int(visit_id), a.c.capture == int(capture))).first()
        if row is None:
            if conn.execute(sa.select(db.visits.c.id).where(db.visits.c.id == int(visit_id))).first() is None:
                raise PorescopeError(f"no visit {visit_id} in the history; see 'porescope history list'.")
            raise PorescopeError(f"visit {visit_id} has no capture {capture}.")
        return row

    def analysis(self, visit_id: int, capture: int = 1) -> Analysis:
        """The whole stored result of a visit's photo (capture 1 unless asked)."""
        with self._read() as conn:
            row = self._analysis_row(conn, visit_id, capture)
        result = row.result if isinstance(row.result, dict) else json.loads(row.result)
        from porescope.results import Analysis

        a = Analysis.model_validate(result)
        noise = row.noise if isinstance(row.noise, dict) or row.noise is None else json.loads(row.noise)
        if capture == 1 and noise and noise.get("cause_strengths") and a.causes:
            # The visit's cause spread, measured on the re-analyses (or captures) of its noise (Store.noise); until
            # that is measured, the causes keep the typical SD and say so.
            from porescope.measure.cause_spread import with_spread

            a.causes = with_spread(a.causes, noise["cause_strengths"])
        return a

    def analyses(self, visit_id: int) -> list[Analysis]:
        """All captures of a visit, capture 1 first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(db.analyses.c.result).where(db.analyses.c.visit_id == int(visit_id)).order_by(db.analyses.c.capture)).scalars().all()
        if not rows:
            self.visit(visit_id)  # raises the not-found error
        from porescope.results import Analysis

        return [Analysis.model_validate(r) for r in rows]

    def photo_path(self, visit_id: int, capture: int = 1) -> Path:
        """The stored original photo of a visit (capture 1 unless asked)."""
        with self._read() as conn:
            row = self._analysis_row(conn, visit_id, capture)
            ext = conn.execute(sa.select(db.photos.c.ext).where(db.photos.c.sha256 == row.photo_sha256)).scalar()
        return self._photo_file(row.photo_sha256, ext)

    def roi_mask(self, visit_id: int, capture: int = 1):
        """The ROI mask (H, W) bool the visit was analyzed with, or None."""
        with self._read() as conn:
            row = self._analysis_row(conn, visit_id, capture)
        if not row.roi_sha256:
            return None
        from porescope.measure.io import read_image

        return read_image(self._photo_file(row.roi_sha256, ".png")).rgb[..., 0] >= 128

    def delete_visit(self, visit_id: int) -> None:
        """Erase one visit: its rows, and its photos unless another visit shares them."""
        with self._lock.shared():
            with self._write() as conn:
                if conn.execute(sa.select(db.visits.c.id).where(db.visits.c.id == int(visit_id))).first() is None:
                    raise PorescopeError(f"no visit {visit_id} in the history.")
                gone = self._delete_where(conn, visit_ids=[int(visit_id)])
            self._unlink(gone)

    # ------------------------------------------------------------------ deletion
    def _delete_where(self, conn, *, visit_ids: list[int]) -> list[tuple[str, str]]:
        a = db.analyses
        shas = set()
        for col in (a.c.photo_sha256, a.c.roi_sha256):
            shas |= set(conn.execute(sa.select(col).where(a.c.visit_id.in_(visit_ids), col.is_not(None))).scalars())
        conn.execute(db.region_metrics.delete().where(db.region_metrics.c.visit_id.in_(visit_ids)))
        conn.execute(a.delete().where(a.c.visit_id.in_(visit_ids)))
        conn.execute(db.visits.delete().where(db.visits.c.id.in_(visit_ids)))
        gone = []
        for sha in sorted(shas):
            used = conn.execute(
                sa.select(sa.func.count()).select_from(a).where(sa.or_(a.c.photo_sha256 == sha, a.c.roi_sha256 == sha))
            ).scalar()
            if not used:
                ext = conn.execute(sa.select(db.photos.c.ext).where(db.photos.c.sha256 == sha)).scalar()
                conn.execute(db.photos.delete().where(db.photos.c.sha256 == sha))
                gone.append((sha, ext or ""))
        return gone

    def _unlink(self, gone: list[tuple[str, str]]) -> None:
        for sha, ext in gone:
            with contextlib.suppress(FileNotFoundError):
                self._photo_file(sha, ext).unlink()

    def delete_subject(self, subject: str) -> int:
        """Erase a subject: visits, analyses, profile/routine versions, products
        and their photos (photos another subject shares by content stay).
        Returns the number of visits erased."""
        with self._lock.shared():
            with self._write() as conn:
                sid = self._need_subject(conn, subject)
                vids = list(conn.execute(sa.select(db.visits.c.id).where(db.visits.c.subject_id == sid)).scalars())
                gone = self._delete_where(conn, visit_ids=vids) if vids else []
                for t in (db.profiles, db.routines, db.product_uses):
                    conn.execute(t.delete().where(t.c.subject_id == sid))
                conn.execute(db.subjects.delete().where(db.subjects.c.id == sid))
            self._unlink(gone)  # a crash here leaves orphans only; the next open sweeps them
        return len(vids)

    # ------------------------------------------------------------------ noise and change
    def noise(self, visit_id: int, *, perturbations: int | None = None):
        """Measurement noise of a visit's metrics (:class:`porescope.track.change.Noise`),
        from its repeat captures if it has two or more, else from perturbed
        re-analyses of its photo. Computed once, then cached in the store."""
        from porescope.track import change

        with self._read() as conn:
            row = self._analysis_row(conn, visit_id, 1)
            ncap = conn.execute(sa.select(sa.func.count()).select_from(db.analyses).where(db.analyses.c.visit_id == int(visit_id))).scalar()
        if row.noise:
            return change.Noise.model_validate(row.noise)
        if ncap >= 2:
            noise = change.noise_from_repeats(self.analyses(visit_id))
        else:
            a = self.analysis(visit_id)
            from porescope.measure.io import read_image

            rgb = read_image(self.photo_path(visit_id)).rgb
            noise = change.perturbation_noise(
                rgb, a, roi=self.roi_mask(visit_id), **({"n": perturbations} if perturbations else {})
            )
        with self._write() as conn:
            conn.execute(
                db.analyses.update().where(db.analyses.c.id == row.id).values(noise=noise.model_dump(mode="json"))
            )
        return noise

    def compare(self, subject: str, a: int | None = None, b: int | None = None, *, align: bool = True) -> Comparison:
        """Baseline (``a``, default the first visit) vs. ``b`` (default the latest),
        region by region, each metric with its noise interval and verdict."""
        from porescope.track import change

        vs = self.visits(subject)
        if a is None or b is None:
            if len(vs) < 2:
                raise PorescopeError(f"{subject!r} has {len(vs)} visit(s); a comparison needs two.")
        ids = {v.id: v for v in vs}
        va = ids.get(a) if a is not None else vs[0]
        vb = ids.get(b) if b is not None else vs[-1]
        for want, got in ((a, va), (b, vb)):
            if got is None:
                raise PorescopeError(f"visit {want} is not a visit of {subject!r}; see 'porescope history list --subject {subject}'.")
        if va.id == vb.id:
            raise PorescopeError("compare needs two different visits.")
        return change.compare_visits(
            subject,
            change.Side(visit=va, analysis=self.analysis(va.id), noise=self.noise(va.id), photo=self.photo_path(va.id), roi=self.roi_mask(va.id)),
            change.Side(visit=vb, analysis=self.analysis(vb.id), noise=self.noise(vb.id), photo=self.photo_path(vb.id), roi=self.roi_mask(vb.id)),
            align=align,
        )

    # ------------------------------------------------------------------ export
    def export_csv(self, subject: str | None = None) -> str:
        """One row per visit, capture and region: conditions and key metrics."""
        with self._read() as conn:
            subject_id = self._need_subject(conn, subject) if subject is not None else None
            return visits_csv(conn, subject_id)
