"""The subject page's trend plots: small inline SVG line plots, drawn by the template (no JS library)."""

from __future__ import annotations

from datetime import datetime

from porescope.labels import metric_label
from porescope.plots import region_order, trend_series

#: Metrics the subject page plots over time, in order (labels from :mod:`porescope.labels`).
TREND_METRICS = ("visibility_score", "density", "coverage_pct")
TREND_COLOURS = ("#d9480f", "#1971c2", "#2b8a3e", "#862e9c", "#e67700", "#495057")
#: Plot size and margin, px.
WIDTH_PX, HEIGHT_PX, PAD_PX = 520, 170, 34
#: More points than this on a line: no dots (each dot is an SVG element with a tooltip).
MAX_DOTS = 120


def _lines(series: dict[str, list[tuple[float, float]]], t0: float, span: float, lo: float, hi: float) -> list[dict]:
    w, h, pad = WIDTH_PX, HEIGHT_PX, PAD_PX
    lines = []
    for i, (name, pts) in enumerate(series.items()):
        coords = [(pad + (t - t0) / span * (w - 2 * pad), h - pad - (y - lo) / (hi - lo) * (h - 2 * pad)) for t, y in pts]
        dots = [{"x": round(x, 1), "y": round(y, 1), "v": v} for (x, y), (_, v) in zip(coords, pts, strict=True)]
        lines.append({"name": name, "colour": TREND_COLOURS[i % len(TREND_COLOURS)],
                      "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                      "dots": dots if len(pts) <= MAX_DOTS else []})
    return lines


def trend_svgs(visits) -> list[dict]:
    """The data of the subject page's trend plots: one per metric, one line per region.

    Parameters
    ----------
    visits : list of porescope.track visit records
        A subject's visits, oldest first.

    Returns
    -------
    list of dict
        Per metric with data: ``key``, ``title``, plot size (``w``, ``h``, ``pad``), value range
        (``lo``, ``hi``), ``lines`` (name, colour, SVG points, dots) and the first and last dates.
        Empty for fewer than two visits.
    """
    if len(visits) < 2:
        return []
    times = [v.taken_at.timestamp() for v in visits]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1.0
    regions = region_order(visits)
    out = []
    for key in TREND_METRICS:
        series = {name: [(t.timestamp(), y) for t, y in pts] for name, pts in trend_series(visits, key, regions).items()}
        if not series:
            continue
        vals = [y for pts in series.values() for _, y in pts]
        lo, hi = min(vals), max(vals)
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        units = {r.density_unit for v in visits for r in v.regions} if key == "density" else set()
        out.append({"key": key, "title": metric_label(key, units), "w": WIDTH_PX, "h": HEIGHT_PX, "pad": PAD_PX,
                    "lo": lo, "hi": hi, "lines": _lines(series, t0, span, lo, hi),
                    "first": datetime.fromtimestamp(t0).strftime("%Y-%m-%d"),
                    "last": datetime.fromtimestamp(t1).strftime("%Y-%m-%d")})
    return out
