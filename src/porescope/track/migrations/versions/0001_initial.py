"""Initial history schema: subjects, photos, visits, analyses, region metrics,
profile and routine versions, products used between visits.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "photos",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("ext", sa.String(10), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("width_px", sa.Integer),
        sa.Column("height_px", sa.Integer),
        sa.Column("exif", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("taken_at", sa.DateTime, nullable=False),
        sa.Column("condition", sa.JSON),
        sa.Column("device", sa.String(200)),
        sa.Column("lighting", sa.String(500)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_visits_subject_taken", "visits", ["subject_id", "taken_at"])
    op.create_table(
        "analyses",
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
    )
    op.create_index("ix_analyses_photo", "analyses", ["photo_sha256"])
    op.create_table(
        "region_metrics",
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
    )
    op.create_index("ix_region_metrics_subject_region", "region_metrics", ["subject_id", "region"])
    op.create_index("ix_region_metrics_visit", "region_metrics", ["visit_id"])
    for name, uq in (("profiles", "uq_profiles_subject_version"), ("routines", "uq_routines_subject_version")):
        op.create_table(
            name,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("data", sa.JSON, nullable=False),
            sa.Column("created_at", sa.DateTime, nullable=False),
            sa.UniqueConstraint("subject_id", "version", name=uq),
        )
    op.create_table(
        "product_uses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.Integer, sa.ForeignKey("subjects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("ingredients", sa.JSON),
        sa.Column("start", sa.DateTime),
        sa.Column("end", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_product_uses_subject", "product_uses", ["subject_id"])


def downgrade() -> None:
    for name in ("product_uses", "routines", "profiles", "region_metrics", "analyses", "visits", "photos", "subjects"):
        op.drop_table(name)
