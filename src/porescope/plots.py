"""The figures: one set-up, one style, one way to encode them, one way to read trends.

The history report (:mod:`porescope.track.report`) and the study report
(:mod:`porescope.study.report`) draw with these helpers, so their plots share
fonts, colours and wording (labels from :mod:`porescope.labels`). The web
app's trend plots (:mod:`porescope.web.trends`, SVG drawn by the page so each
dot keeps its tooltip) take their series from :func:`trend_series` and
:func:`region_order` here, as the history report's trend figure does, so the
two show the same points. Figures use
matplotlib's object API on the Agg canvas: no pyplot, no global backend switch
and no global style, so a report can be drawn in a web server's thread.
"""

from __future__ import annotations

import base64
import io
import math
from datetime import datetime, timedelta

__all__ = ["COLOURS", "DPI", "FONT_PT", "INK", "BAND_GREY", "ZERO_GREY", "new_figure", "style_axes", "date_axis",
           "note_in_axes", "png_bytes", "svg_text", "data_uri", "region_order", "trend_series"]

#: Series colours, in order (matplotlib's default cycle, so arms and regions keep their familiar colours).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
#: Single-series ink (estimates with intervals); grey of a "no detectable change" band; grey of a zero line.
INK, BAND_GREY, ZERO_GREY = "#1f4e79", "0.85", "#888888"
#: Font sizes (pt) by role; one family everywhere (ships with matplotlib, so every machine draws the same).
FONT_PT = {"suptitle": 10, "title": 9, "label": 8, "tick": 7, "legend": 7, "note": 8}
FONT_FAMILY = "DejaVu Sans"
#: Resolution of figures embedded as PNG (a report read on screen or printed on A4).
DPI = 100


def new_figure(width_in: float, height_in: float, *, dpi: int = DPI):
    """A blank figure on its own Agg canvas (``width_in`` × ``height_in`` inches)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def style_axes(ax, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> None:
    """The shared look of one panel: title, axis labels and tick labels at the shared sizes."""
    font = {"family": FONT_FAMILY}
    if title is not None:
        ax.set_title(title, fontsize=FONT_PT["title"], **font)
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=FONT_PT["label"], **font)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT_PT["label"], **font)
    ax.tick_params(labelsize=FONT_PT["tick"])


def date_axis(ax, times) -> None:
    """Concise date ticks on the x axis; one date alone gets a day either side so the locator can work."""
    import matplotlib.dates as mdates

    if times and min(times) == max(times):
        ax.set_xlim(min(times) - timedelta(days=1), max(times) + timedelta(days=1))
    loc = mdates.AutoDateLocator(maxticks=6)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.xaxis.get_offset_text().set_fontsize(FONT_PT["tick"])  # the year under the ticks, at the ticks' size


def note_in_axes(ax, text: str) -> None:
    """A short note in the middle of an empty panel (why nothing is drawn)."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=FONT_PT["note"])


def png_bytes(fig, *, dpi: int = DPI, tight: bool = False) -> bytes:
    """The figure as PNG bytes; ``tight`` crops to what is drawn (titles above the axes included)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    return buf.getvalue()


def svg_text(fig, *, tight: bool = False) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog, no DOCTYPE), ready to place in HTML."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", **({"bbox_inches": "tight"} if tight else {}))
    text = buf.getvalue()
    return text[text.index("<svg"):]


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """Image bytes as a ``data:`` URI, so a report is one self-contained file."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def region_order(visits) -> list[str]:
    """The regions measured in any of ``visits``, in order of first appearance.

    Parameters
    ----------
    visits : list of visit records
        Each with ``regions`` (records with a ``name``).

    Returns
    -------
    list of str
    """
    names: list[str] = []
    for v in visits:
        for r in v.regions:
            if r.name not in names:
                names.append(r.name)
    return names


def trend_series(visits, metric: str, regions: list[str]) -> dict[str, list[tuple[datetime, float]]]:
    """Per region, ``(taken_at, value)`` of one metric over the visits.

    A metric built from pore counts (everything but the visibility score) is
    left out of a visit whose scale is too coarse to resolve pores; missing
    and non-finite values are left out too.

    Parameters
    ----------
    visits : list of visit records
        Oldest first, each with ``taken_at`` and ``region(name)``.
    metric : str
        A region metric, e.g. ``'visibility_score'``, ``'density'``.
    regions : list of str
        The regions to read (see :func:`region_order`).

    Returns
    -------
    dict
        Region name -> points; regions without any point are absent.
    """
    out: dict[str, list[tuple[datetime, float]]] = {}
    for name in regions:
        pts = []
        for v in visits:
            r = v.region(name)
            val = getattr(r, metric, None) if r is not None else None
            if val is not None and math.isfinite(val) and (metric == "visibility_score" or r.counts_meaningful):
                pts.append((v.taken_at, float(val)))
        if pts:
            out[name] = pts
    return out
