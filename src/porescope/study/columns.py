"""The study's shared column vocabulary: which metrics are plotted (their
labels are porescope.labels'), the verdicts of change rows without numbers, and the order of
visits. Read by :mod:`porescope.study.tables` and :mod:`porescope.study.report`.
"""

from __future__ import annotations

__all__ = ["PLOT_METRICS", "BASELINE_MISSING", "NOT_COMPARABLE", "UNMEASURED", "visit_order"]

#: The metrics drawn in the report's plots (all KEY_METRICS are in the tables).
PLOT_METRICS = ("visibility_score", "density", "coverage_pct")

#: Verdict of a change row whose subject's baseline visit has no measurable photo.
BASELINE_MISSING = "baseline_missing"
#: Verdict of a change row whose two visits' photos hold detail that cannot be
#: brought to the same level (porescope.study.matching): the reason is in its ``detail`` column.
NOT_COMPARABLE = "not_comparable"
#: Verdicts of change rows without numbers: left out of every statistic.
UNMEASURED = (BASELINE_MISSING, NOT_COMPARABLE)


def visit_order(df) -> list[str]:
    """Visit labels ordered by their median day offset from each subject's baseline."""
    first = df.groupby("subject")["date"].transform("min")
    days = (df["date"] - first).dt.days
    order = days.groupby(df["visit"]).median().sort_values(kind="stable")
    return list(order.index)
