"""Tables of the history store (SQLAlchemy Core).

The schema is created and upgraded only by the Alembic migrations in
``migrations/versions`` (applied on open); this module mirrors the head
revision for queries, and a test checks the two agree.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

subjects = sa.Table(
    "subjects", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

photos = sa.Table(
    "photos", metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("ext", sa.String(10), nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("width_px", sa.Integer),
    sa.Column("height_px", sa.Integer),
    sa.Column("exif", sa.JSON),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

visits = sa.Table(
    "visits", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("taken_at", sa.DateTime, nullable=False),
    sa.Column("condition", sa.JSON),
    sa.Column("device", sa.String(200)),
    sa.Column("lighting", sa.String(500)),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_visits_subject_taken", "subject_id", "taken_at"),
)

analyses = sa.Table(
    "analyses", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False),
    sa.Column("capture", sa.Integer, nullable=False),
    sa.Column("photo_sha256", sa.String(64), sa.ForeignKey("photos.sha256"), nullable=False),
    sa.Column("roi_sha256", sa.String(64), sa.ForeignKey("photos.sha256")),
    sa.Column("schema_version", sa.String(20), nullable=False),
    sa.Column("porescope_version", sa.String(40), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("measurable", sa.Boolean, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
    sa.Column("noise", sa.JSON),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("visit_id", "capture", name="uq_analyses_visit_capture"),
    sa.Index("ix_analyses_photo", "photo_sha256"),
)

region_metrics = sa.Table(
    "region_metrics", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("analysis_id", sa.Integer, sa.ForeignKey("analyses.id", ondelete="CASCADE"), nullable=False),
    sa.Column("visit_id", sa.Integer, sa.ForeignKey("visits.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("capture", sa.Integer, nullable=False),
    sa.Column("region", sa.String(40), nullable=False),
    sa.Column("pore_count", sa.Integer),
    sa.Column("density", sa.Float),
    sa.Column("density_unit", sa.String(10), nullable=False),
    sa.Column("visibility_score", sa.Float),
    sa.Column("coverage_pct", sa.Float),
    sa.Column("mean_elongation", sa.Float),
    sa.Column("dark_share", sa.Float),
    sa.Column("counts_meaningful", sa.Boolean, nullable=False),
    sa.Index("ix_region_metrics_subject_region", "subject_id", "region"),
    sa.Index("ix_region_metrics_visit", "visit_id"),
)

profiles = sa.Table(
    "profiles", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("subject_id", "version", name="uq_profiles_subject_version"),
)

routines = sa.Table(
    "routines", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("subject_id", "version", name="uq_routines_subject_version"),
)

product_uses = sa.Table(
    "product_uses", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("ingredients", sa.JSON),
    sa.Column("start", sa.DateTime),
    sa.Column("end", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_product_uses_subject", "subject_id"),
)
