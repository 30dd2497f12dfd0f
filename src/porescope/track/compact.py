"""A comparison of two visits at a glance: the one table every shell shows.

The terminal (``porescope history compare``), the web compare page and the
PDF and HTML history reports all show a :class:`~porescope.track.models.Comparison`
through :func:`rows`: per region the headline metrics first (visibility,
density, coverage), each in one row with its change, 95% interval and verdict;
the others (pore count, elongation, dark share) only when asked for (``--all``,
a "more" toggle). Numbers are rounded to 3 significant figures (never a
rounded-away integer digit), shares are percentages, and where the noise came
from is said in plain words. Nothing here judges a change: the verdicts are
the change engine's (:mod:`porescope.track.change`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["HEADLINE_METRICS", "MORE_METRICS", "Row", "row", "rows", "number", "noise_words", "VERDICT_WORDS", "LEGEND",
           "text_table", "display", "density_units", "hidden_count", "hidden_names"]

#: Shown for every region (issue 22: "the headline metrics (visibility, density, coverage)").
HEADLINE_METRICS = ("visibility_score", "density", "coverage_pct")
#: Shown with ``--all`` / behind "more".
MORE_METRICS = ("pore_count", "mean_elongation", "dark_share")
#: Metrics that are shares, shown as percentages (``dark_share`` is stored 0-1, ``coverage_pct`` already in %).
PERCENT_SCALE = {"dark_share": 100.0, "coverage_pct": 1.0}
VERDICT_WORDS = {"improved": "improved", "worse": "worse", "no_detectable_change": "no detectable change"}
#: Where a visit's noise estimate came from (``Noise.source``), in plain words.
NOISE_WORDS = {
    "repeat_capture": "the spread between the photos taken at the same visit",
    "perturbation": "re-measuring each photo as if it had been re-taken (other light, exposure, angle, distance, phone processing)",
    "none": "a minimum of 2% of each value (the photo could not be re-measured)",
}
LEGEND = ("Lower numbers mean less visible pores. 'No detectable change' means the difference is within what "
          "re-taking the same photo would give.")
#: Significant figures shown.
SIG_FIGS = 3
#: Region names up to this long share a line with their first metric; longer ones get a line of their own.
REGION_COLUMN = 11


class Row(NamedTuple):
    """One metric of one region, ready to print: every cell already a string."""

    region: str  # the region id (name it with porescope.labels.region_name)
    metric: str  # the metric id
    name: str  # short metric name
    before: str
    after: str
    change: str
    interval: str  # "-4.2 to +0.6"
    verdict: str  # the verdict id
    headline: bool


def _decimals(x: float, sig: int = SIG_FIGS) -> int:
    """Decimals that give ``sig`` significant figures of ``x`` (never fewer than 0)."""
    if not x or not math.isfinite(x):
        return 0
    return max(0, sig - 1 - math.floor(math.log10(abs(x))))


def number(x: float, decimals: int, *, signed: bool = False, percent: bool = False) -> str:
    """``x`` with ``decimals`` decimals ("-0" printed as "0"), a sign when ``signed``, "%" when ``percent``."""
    s = f"{x:+.{decimals}f}" if signed else f"{x:.{decimals}f}"
    if s.lstrip("+-").strip("0.") == "":
        s = f"{0:.{decimals}f}"
    return s + ("%" if percent else "")


def row(m, density_unit: str | None = None) -> Row:
    """A :class:`~porescope.track.models.MetricChange` as strings (``density_unit``: 'per_cm2' or 'per_mpx', when known)."""
    from porescope.labels import metric_short

    scale = PERCENT_SCALE.get(m.metric, 1.0)
    pct = m.metric in PERCENT_SCALE
    a, b, d, lo, hi = (scale * v for v in (m.baseline, m.latest, m.delta, m.low, m.high))
    if m.metric == "pore_count":
        dv = dd = 0
    else:
        half = (hi - lo) / 2
        # Values to 3 significant figures; two zeros get the decimals of the noise (so "0%", "0.05" never read as "0 to 0").
        dv = _decimals(max(abs(a), abs(b))) if (a or b) else (_decimals(half, 2) if half > 0 else 0)
        # The change and its interval: to 2 significant figures of the interval's half-width (a difference
        # is never shown more finely than the noise allows), and never more finely than the values themselves.
        dd = min(_decimals(half, 2), dv) if half > 0 else dv
    return Row(
        region=m.region, metric=m.metric,
        name=metric_short(m.metric, density_unit),
        before=number(a, dv, percent=pct), after=number(b, dv, percent=pct),
        change=number(d, dd, signed=True), interval=f"{number(lo, dd, signed=True)} to {number(hi, dd, signed=True)}",
        verdict=m.verdict, headline=m.metric in HEADLINE_METRICS,
    )


def density_units(*visits) -> dict[str, str]:
    """region -> density unit of the visits' records (:class:`~porescope.track.models.VisitInfo`), when they agree."""
    units: dict[str, set] = {}
    for v in visits:
        for r in getattr(v, "regions", None) or []:
            units.setdefault(r.name, set()).add(r.density_unit)
    return {k: u.pop() for k, u in units.items() if len(u) == 1}


def rows(comparison, *, everything: bool = False, units: dict[str, str] | None = None) -> list[Row]:
    """The comparison's rows, region by region (headline metrics first, in HEADLINE_METRICS order).

    Without ``everything`` only the headline metrics; a region with none of them
    (e.g. counts not meaningful and no score) shows what it has. ``units``: see :func:`density_units`.
    """
    units = units or {}
    order = {m: i for i, m in enumerate(HEADLINE_METRICS + MORE_METRICS)}
    out: list[Row] = []
    for r in comparison.regions:
        ms = sorted(r.metrics, key=lambda m: order.get(m.metric, len(order)))
        shown = ms if everything else [m for m in ms if m.metric in HEADLINE_METRICS] or ms[:1]
        out += [row(m, units.get(r.name)) for m in shown]
    return out


def hidden_count(comparison) -> int:
    """How many metric rows :func:`rows` leaves out without ``everything``."""
    return sum(len(r.metrics) for r in comparison.regions) - len(rows(comparison))


def hidden_names(comparison) -> list[str]:
    """The short names of the metrics :func:`rows` leaves out without ``everything``, in display order."""
    shown = {(r.region, r.metric) for r in rows(comparison)}
    left = {m.metric for r in comparison.regions for m in r.metrics if (r.name, m.metric) not in shown}
    from porescope.labels import metric_short

    return [metric_short(m) for m in HEADLINE_METRICS + MORE_METRICS if m in left]


def noise_words(comparison) -> str:
    """One plain sentence: where the measurement noise behind the intervals came from."""
    src = comparison.noise_source
    if not src:
        return ""
    kinds = set(src.values())
    if len(kinds) == 1:
        return f"The intervals come from {NOISE_WORDS.get(kinds.pop(), 'each photo')}."
    return "The intervals come, " + "; ".join(f"for visit {k}, from {NOISE_WORDS.get(v, v)}" for k, v in src.items()) + "."


def text_table(comparison, width: int, *, everything: bool = False, units: dict[str, str] | None = None,
               more_only: bool = False) -> list[str]:
    """The rows as aligned plain text no wider than ``width`` (``more_only``: just the rows ``everything`` adds).

    One line per metric with the region named on its first line; when that does
    not fit ``width``, the region goes on a line of its own above its metrics.
    """
    from porescope.labels import region_name

    rs = rows(comparison, everything=everything or more_only, units=units)
    if more_only:  # only what the headline rows leave out (a report's "More measures")
        rs = [r for r in rs if not (r.headline or _only_row(comparison, r))]
    head = ("region", "metric", "before", "after", "change", "95% interval", "verdict")
    cells = []
    last = None
    for r in rs:
        cells.append([region_name(r.region) if r.region != last else "", r.name, r.before, r.after, r.change, r.interval,
                      VERDICT_WORDS.get(r.verdict, r.verdict)])
        last = r.region
    right = {2, 3, 4, 5}

    def widths(table, header):
        return [max(len(header[i]), *(len(c[i]) for c in table)) if table else len(header[i]) for i in range(len(header))]

    def fmt(c, w, gaps):
        parts = []
        for i, (x, n) in enumerate(zip(c, w, strict=True)):
            parts.append((x.rjust(n) if i in right else x.ljust(n)) + (" " * gaps[i] if i < len(c) - 1 else ""))
        return "".join(parts).rstrip()

    w = widths(cells, head)
    # A long region name ("between the brows") goes on a line of its own when the table would not fit with it.
    longest = max((len(c[0]) for c in cells), default=0)
    own_line: set[str] = set()
    if longest > REGION_COLUMN and sum(w) + 7 > width:
        own_line = {c[0] for c in cells if len(c[0]) > REGION_COLUMN}
        cells = [["", *c[1:]] if c[0] in own_line else c for c in cells]
        w = widths(cells, head)
    for gaps in ([3, 2, 2, 2, 2, 3, 0], [1, 1, 1, 1, 1, 2, 0]):  # airy where there is room (a report), tight at 80 columns
        if sum(w) + sum(gaps) <= width:
            out = [fmt(head, w, gaps)]
            for r, c in zip(rs, cells, strict=True):
                if c[0] == "" and region_name(r.region) in own_line and (not out or out[-1] != region_name(r.region)) \
                        and r is next(x for x in rs if x.region == r.region):
                    out.append(region_name(r.region))
                out.append(fmt(c, w, gaps))
            return out
    # Narrow: the region on its own line, the metrics indented under it.
    head2 = head[1:]
    sub = [["  " + c[1], *c[2:]] for c in cells]
    w2 = widths(sub, head2)
    gaps2 = [1, 1, 1, 1, 2, 0]
    if sum(w2) + sum(gaps2) > width:  # narrower still: one wrapped sentence a metric
        import textwrap

        out, last = [], None
        for r in rs:
            if r.region != last:
                out.append(region_name(r.region))
                last = r.region
            text = (f"{r.name}: {r.before} -> {r.after}, change {r.change} (95% interval {r.interval}): "
                    f"{VERDICT_WORDS.get(r.verdict, r.verdict)}")
            out += textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ", break_long_words=False)
        return out
    out = [_fmt_sub(head2, w2, gaps2, right)]
    last = None
    for r, s in zip(rs, sub, strict=True):
        if r.region != last:
            out.append(region_name(r.region))
            last = r.region
        out.append(_fmt_sub(s, w2, gaps2, right))
    return out


def _fmt_sub(c, w, gaps, right) -> str:
    parts = []
    for i, (x, n) in enumerate(zip(c, w, strict=True)):
        parts.append((x.rjust(n) if (i + 1) in right else x.ljust(n)) + (" " * gaps[i] if i < len(c) - 1 else ""))
    return "".join(parts).rstrip()


def grouped(comparison, *, headline: bool, units: dict[str, str] | None = None) -> list[dict]:
    """Rows per region for a page or report: ``[{"region": "Forehead", "rows": [Row-as-dict + verdict_words]}]``;
    ``headline`` picks the headline metrics, else the others (what ``--all`` / "more" adds)."""
    from porescope.labels import region_name

    out: list[dict] = []
    for r in rows(comparison, everything=True, units=units):
        if (r.headline or _only_row(comparison, r)) != headline:
            continue
        if not out or out[-1]["id"] != r.region:
            name = region_name(r.region)
            out.append({"id": r.region, "region": name[:1].upper() + name[1:], "rows": []})
        out[-1]["rows"].append({**r._asdict(), "verdict_words": VERDICT_WORDS.get(r.verdict, r.verdict)})
    return out


def _only_row(comparison, r: Row) -> bool:
    """A region without any headline metric shows its first metric among the headline rows (see :func:`rows`)."""
    reg = comparison.region(r.region)
    return reg is not None and not any(m.metric in HEADLINE_METRICS for m in reg.metrics) and reg.metrics[0].metric == r.metric


def display(comparison, units: dict[str, str] | None = None) -> dict:
    """Everything a page shows of a comparison, as plain JSON (cells already formatted)."""
    return {
        "more_names": ", ".join(hidden_names(comparison)),
        "headline": grouped(comparison, headline=True, units=units),
        "more": grouped(comparison, headline=False, units=units),
        "legend": LEGEND,
        "noise": noise_words(comparison),
        "notes": list(comparison.notes),
        "alignment": comparison.alignment,
    }
