"""Words for the metrics the web app plots: one table (the lead will share it with the other shells)."""

from __future__ import annotations

#: Metric -> the label a plot shows (all: lower = less visible pores).
METRIC_LABELS = {
    "visibility_score": "Visibility score (0-100)",
    "density": "Pore density",
    "coverage_pct": "Coverage (%)",
}
#: Density unit (``RegionMetrics.density_unit``) -> the words after "Pore density".
DENSITY_UNIT_WORDS = {"per_cm2": " per cm²", "per_mpx": " per MP"}
MIXED_UNITS = " (mixed units)"


def metric_label(key: str, density_units: set[str] | frozenset[str] = frozenset()) -> str:
    """The label of a metric on a plot.

    Parameters
    ----------
    key : str
        A key of :data:`METRIC_LABELS`.
    density_units : set of str
        For ``density``: the units of the values plotted; one unit is named, several are called mixed.

    Returns
    -------
    str
        For example "Pore density per cm²".
    """
    label = METRIC_LABELS[key]
    if key == "density":
        only = next(iter(density_units)) if len(density_units) == 1 else None
        label += DENSITY_UNIT_WORDS.get(only, MIXED_UNITS) if only is not None else MIXED_UNITS
    return label
