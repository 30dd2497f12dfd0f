"""The history as CSV: one row per visit, capture and region, with the capture
conditions and the key metrics (what ``porescope history export`` writes)."""

from __future__ import annotations

import csv
import io as _io
import json

import sqlalchemy as sa

from porescope.track import db
from porescope.track.values import KEY_METRICS

__all__ = ["visits_csv"]


def visits_csv(conn: sa.Connection, subject_id: int | None = None) -> str:
    """The CSV text of every stored region row (of one subject when ``subject_id`` is given)."""
    v, s, a, m = db.visits, db.subjects, db.analyses, db.region_metrics
    q = (
        sa.select(s.c.name, v.c.id, v.c.taken_at, m.c.capture, v.c.device, v.c.lighting, v.c.condition, a.c.photo_sha256,
                  a.c.mode, a.c.measurable, a.c.schema_version, m.c.region, m.c.pore_count, m.c.density, m.c.density_unit,
                  m.c.visibility_score, m.c.coverage_pct, m.c.mean_elongation, m.c.dark_share, m.c.counts_meaningful)
        .select_from(m.join(a, a.c.id == m.c.analysis_id).join(v, v.c.id == m.c.visit_id).join(s, s.c.id == m.c.subject_id))
        .order_by(s.c.name, v.c.taken_at, v.c.id, m.c.capture, m.c.id)
    )
    if subject_id is not None:
        q = q.where(s.c.id == subject_id)
    rows = conn.execute(q).all()
    buf = _io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["subject", "visit_id", "taken_at", "capture", "device", "lighting", "condition", "photo_sha256", "mode",
                "measurable", "schema_version", "region", *KEY_METRICS[:2], "density_unit", *KEY_METRICS[2:], "counts_meaningful"])
    for r in rows:
        r = list(r)
        r[2] = r[2].isoformat(sep=" ") if r[2] else ""
        r[6] = json.dumps(r[6] or {}, sort_keys=True, ensure_ascii=False)
        w.writerow(["" if x is None else x for x in r])
    return buf.getvalue()
