"""How porescope names its metrics and regions to people: the one table every shell reads.

The result schema's ids (``visibility_score``, ``coverage_pct``, ``left_cheek``)
are for machines. The CLI, the web pages, the history report, the study report
and the change summaries all name them from here, so a number is called the
same everywhere. What each number *means* is in :mod:`porescope.glossary`
(``MetricLabel.term`` is its glossary key).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["METRICS", "MetricLabel", "REGION_NAMES", "DENSITY_UNITS", "metric", "metric_label", "metric_words",
           "metric_short", "region_name"]


class MetricLabel(NamedTuple):
    """One metric's names.

    key: the schema id; label: short label for an axis, a title or a table
    header; unit: shown in brackets after the label ("" for none); words: the
    plain words used in a sentence; term: its key in :mod:`porescope.glossary`; short: one or two words
    for a narrow table column (the compact comparison, :mod:`porescope.track.compact`).
    """

    key: str
    label: str
    unit: str
    words: str
    term: str
    short: str = ""


#: The metrics tracked over time and compared between visits (``porescope.track.models.KEY_METRICS``), in display order.
METRICS: tuple[MetricLabel, ...] = (
    MetricLabel("visibility_score", "Visibility score", "0-100", "visibility score", "visibility", "visibility"),
    MetricLabel("pore_count", "Pore count", "", "pore count", "pores", "pores"),
    MetricLabel("density", "Pore density", "pores/cm² or /MP", "pore density", "density", "density"),
    MetricLabel("coverage_pct", "Coverage", "%", "pore coverage (%)", "coverage", "coverage"),
    MetricLabel("mean_elongation", "Elongation", "length/width", "elongation (length/width)", "elongation", "elongation"),
    MetricLabel("dark_share", "Dark (plugged) share", "", "share of dark (plugged) pores", "dark_share", "dark share"),
)
_BY_KEY = {m.key: m for m in METRICS}

#: Density unit (``RegionMetrics.density_unit``) -> the unit shown after "Pore density".
DENSITY_UNITS = {"per_cm2": "pores/cm²", "per_mpx": "pores/MP"}

#: How regions are named to people.
REGION_NAMES = {"frame": "photo", "face": "whole face", "between_brows": "between the brows", "left_cheek": "left cheek",
                "right_cheek": "right cheek"}


def metric(key: str) -> MetricLabel:
    """The names of a metric; an unknown id gets its id in words (``median_area_mm2`` -> "median area mm2")."""
    found = _BY_KEY.get(key)
    if found is not None:
        return found
    words = key.replace("_", " ")
    return MetricLabel(key, words[:1].upper() + words[1:], "", words, "", words)


def metric_label(key: str, density_units=frozenset()) -> str:
    """The short label of a metric with its unit, e.g. "Visibility score (0-100)", "Pore density (pores/cm²)".

    ``density_units``: for ``density``, the ``density_unit`` values of what is shown; one unit is
    named, several are called mixed, none gives the generic "pores/cm² or /MP".
    """
    m = metric(key)
    unit = m.unit
    if key == "density" and density_units:
        units = set(density_units)
        unit = DENSITY_UNITS.get(next(iter(units)), unit) if len(units) == 1 else "mixed units: pores/cm² and /MP"
    return f"{m.label} ({unit})" if unit else m.label


def metric_words(key: str) -> str:
    """The metric in a sentence: "pore density", "share of dark (plugged) pores"."""
    return metric(key).words


def metric_short(key: str, density_unit: str | None = None) -> str:
    """The metric in a narrow column: "visibility", "dark share"; density with its unit when known ("density/cm²")."""
    short = metric(key).short or metric(key).words
    if key == "density" and density_unit in DENSITY_UNITS:
        return f"{short}/{DENSITY_UNITS[density_unit].split('/')[1]}"
    return short


def region_name(region: str) -> str:
    """A region id in words: 'frame' -> 'photo', 'left_cheek' -> 'left cheek'."""
    return REGION_NAMES.get(region, region.replace("_", " "))
