"""A subject's history as a report a person can keep or show: self-contained
HTML (images inlined as base64) or PDF (matplotlib's PdfPages; nothing to
download, nothing to install beyond matplotlib).

Contents: a plain-language summary, the first and latest visit with their
pores outlined side by side, the honest comparison (verdicts with 95%
intervals), trend plots per region, likely causes, the latest saved routine
with its citations, products used, and the capture conditions of every visit.

Plots use matplotlib's object API on the Agg canvas (no pyplot, no global
backend switch), so the web app can call this in a server thread.
"""

from __future__ import annotations

import io
import logging
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from porescope.errors import PorescopeError
from porescope.results import Analysis, Cause
from porescope.track.models import Comparison, ProductUse, VersionRecord, VisitInfo

log = logging.getLogger(__name__)

#: Overlays are embedded at most this wide (px) to keep the report small.
OVERLAY_MAX_WIDTH_PX = 900
DISCLAIMER = (
    "Cosmetic guidance, not a diagnosis. Pore size is largely genetic; consistent care can change how visible "
    "pores look over weeks (typically 4-12), not their anatomy. See a dermatologist for changing, painful, "
    "bleeding or inflamed spots."
)
_CAUSE_WORDS = {
    "clogging": "clogging (oil and dead skin in the pore opening)",
    "laxity": "loss of firmness around the pores (elongated pores)",
    "photoaging": "sun damage (loss of support in the skin)",
}
#: The metrics of the trend figure, one column each (labels from porescope.labels).
TREND_METRICS = ("visibility_score", "density")
_VERDICT_WORDS = {"improved": "improved", "worse": "worse", "no_detectable_change": "no detectable change"}


@dataclass
class Report:
    subject: str
    generated_at: datetime
    visits: list[VisitInfo]
    comparison: Comparison | None
    first_overlay: bytes | None  # JPEG
    latest_overlay: bytes | None
    trends: Any  # matplotlib Figure or None
    causes: list[Cause]
    routine: VersionRecord | None
    products: list[ProductUse]
    summary: str
    notes: list[str] = field(default_factory=list)
    disclaimer: str = DISCLAIMER
    #: "region:metric" -> the no-change band of the trend plots (the comparison's own interval around the first value).
    band: dict[str, tuple[float, float]] = field(default_factory=dict)


# ------------------------------------------------------------------ building
def overlay_from_analysis(rgb: np.ndarray, analysis: Analysis, *, max_width: int = OVERLAY_MAX_WIDTH_PX) -> np.ndarray:
    """The photo with each stored pore drawn as its fitted ellipse (orange = dark, cyan = open), downscaled."""
    from porescope.output.render import DARK_RGB, OPEN_RGB

    f = min(1.0, max_width / rgb.shape[1])
    img = cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else rgb.copy()
    img = np.ascontiguousarray(img)
    for p in analysis.pores:
        axes = (max(1, int(round(p.major_axis_px * f / 2))), max(1, int(round(p.minor_axis_px * f / 2))))
        colour = DARK_RGB if p.kind == "dark" else OPEN_RGB
        cv2.ellipse(img, (int(round(p.x_px * f)), int(round(p.y_px * f))), axes, -p.orientation_deg, 0, 360, colour, 1, cv2.LINE_AA)
    return img


def _jpeg(rgb: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:  # pragma: no cover
        raise PorescopeError("could not encode an overlay for the report.")
    return buf.tobytes()


#: The no-change band of a trend plot: a light fill with dashed edges (the points and the axis stay readable).
BAND_FILL, BAND_EDGE = "#e8eef5", "#7f93a8"
#: Room above and below what a trend plot shows (points and band), as a share of its span, so the band never
#: fills the whole axis (issue 22: "every trend plot in the PDF is entirely grey").
TREND_MARGIN = 0.35
#: Visits up to this many get a tick each (their dates); more get month ticks.
DATE_TICKS_MAX = 6


def trend_limits(values, band_lo: float | None = None, band_hi: float | None = None, *, floor: float | None = 0.0) -> tuple[float, float]:
    """y limits holding the points and the band with TREND_MARGIN of room either side.

    ``floor``: the lowest value the metric can take (every trend metric is >= 0); a band reaching below it
    is cut there rather than stretching the axis to impossible values (a score of -20).
    """
    pts = [float(v) for v in values]
    lo, hi = min(pts), max(pts)
    if band_lo is not None and band_hi is not None:
        lo, hi = min(lo, band_lo), max(hi, band_hi)
    if floor is not None and min(pts) >= floor:
        lo = max(lo, floor)
    span = hi - lo
    if span <= 0:
        span = max(abs(hi) * 0.1, 1.0)
    bottom = lo - TREND_MARGIN * span
    if floor is not None and min(pts) >= floor:
        bottom = max(bottom, floor - 0.05 * span)
    return bottom, hi + TREND_MARGIN * span


def visit_date_axis(ax, times) -> None:
    """Dates people read: a tick at each visit ("5 Jan 2026") for a few visits, else one per month ("Jan 2026")."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FixedLocator

    from porescope import plots

    times = sorted(set(times))
    if not times:
        return
    span = max(times) - min(times)
    pad = max(span * 0.08, timedelta(days=2))
    ax.set_xlim(min(times) - pad, max(times) + pad)
    if len(times) <= DATE_TICKS_MAX:
        ax.xaxis.set_major_locator(FixedLocator([mdates.date2num(t) for t in times]))
        fmt = "%d %b\n%Y" if span.days < 330 else "%b %Y"
        ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt))
    else:
        loc = mdates.MonthLocator(interval=max(1, round(span.days / 30 / 5)))
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.tick_params(axis="x", labelsize=plots.FONT_PT["tick"])


def _trend_figure(visits: list[VisitInfo], band: dict[str, tuple[float, float]], *, columns: int = 2):
    """Per region: visibility score and pore density over time; the shaded band is the
    baseline ± the 95% noise interval (changes inside it are not detectable).

    ``columns=2``: a region a row (PDF, wide screens); ``columns=1``: one panel a row, for a phone's width.
    """
    from porescope import plots
    from porescope.labels import metric_label, region_name

    regions = plots.region_order(visits)
    if not regions:
        return None
    series = {metric: plots.trend_series(visits, metric, regions) for metric in TREND_METRICS}
    if columns == 1:
        fig = plots.new_figure(4.2, 2.1 * len(regions) * len(TREND_METRICS) + 0.3)
        axes = fig.subplots(len(regions) * len(TREND_METRICS), 1, squeeze=False).reshape(len(regions), len(TREND_METRICS))
    else:
        fig = plots.new_figure(8.0, 2.3 * len(regions) + 0.6)
        axes = fig.subplots(len(regions), 2, squeeze=False)
    for i, name in enumerate(regions):
        t = [v.taken_at for v in visits if v.region(name) is not None]
        for j, metric in enumerate(TREND_METRICS):
            ax = axes[i][j]
            tt = [p[0] for p in series[metric].get(name, [])]
            yy = [p[1] for p in series[metric].get(name, [])]
            units = {v.region(name).density_unit for v in visits if v.region(name) is not None} if metric == "density" else set()
            if yy:
                ax.plot(tt, yy, "o-", color=plots.COLOURS[0], zorder=3)
                key = f"{name}:{metric}"
                lo = hi = None
                if key in band and len(tt) > 0:
                    lo, hi = band[key]
                    ax.axhspan(lo, hi, color=BAND_FILL, zorder=0, label="no detectable change vs. first visit")
                    for edge in (lo, hi):
                        ax.axhline(edge, color=BAND_EDGE, linewidth=0.8, linestyle="--", zorder=1)
                    if i == 0 and j == 0:
                        ax.legend(loc="upper left", fontsize=plots.FONT_PT["legend"], framealpha=0.9)
                ax.set_ylim(*trend_limits(yy, lo, hi))
            else:
                plots.note_in_axes(ax, "not meaningful at this scale")
            plots.style_axes(ax, title=f"{region_name(name)}: {metric_label(metric, units)}")
            visit_date_axis(ax, t)
    fig.tight_layout()
    return fig


def build_report(store, subject: str, *, compare: bool = True) -> Report:
    """Gather everything the report shows for ``subject`` from ``store``."""
    from porescope.measure.io import read_image

    visits = store.visits(subject)
    if not visits:
        raise PorescopeError(f"{subject!r} has no visits to report on.")
    first, latest = visits[0], visits[-1]
    notes: list[str] = []
    comparison = None
    if compare and len(visits) >= 2:
        comparison = store.compare(subject, first.id, latest.id)
    overlays = []
    for v in (first, latest) if len(visits) >= 2 else (first,):
        try:
            rgb = read_image(store.photo_path(v.id)).rgb
            overlays.append(_jpeg(overlay_from_analysis(rgb, store.analysis(v.id))))
        except PorescopeError as exc:
            notes.append(f"photo of visit {v.id} could not be shown: {exc}")
            overlays.append(None)
    band: dict[str, tuple[float, float]] = {}
    if comparison is not None:
        from porescope import plots

        plotted = {metric: plots.trend_series(visits, metric, [m.region for m in comparison.changes]) for metric in TREND_METRICS}
        for m in comparison.changes:
            # The comparison's own numbers: half-width its 95% interval, centred on the
            # latest plotted point less the compared change, so the latest point lies
            # outside the band exactly when the comparison calls a change. That centre
            # is the first visit's stored value (the plotted point), unless one visit
            # was re-measured for the comparison (at the other's detail, or by a newer
            # detector): then the band keeps the compared change, not the stored one.
            half = 1.96 * float(np.hypot(m.noise_baseline, m.noise_latest))
            series = plotted.get(m.metric, {}).get(m.region)
            centre = series[-1][1] - (m.latest - m.baseline) if series and series[-1][0] == latest.taken_at else m.baseline
            band[f"{m.region}:{m.metric}"] = (centre - half, centre + half)
    latest_analysis = store.analysis(latest.id)
    routine = store.routine(subject)
    products = store.product_uses(subject)
    return Report(
        subject=subject,
        generated_at=datetime.now().replace(microsecond=0),
        visits=visits,
        comparison=comparison,
        first_overlay=overlays[0],
        latest_overlay=overlays[1] if len(overlays) > 1 else None,
        trends=_trend_figure(visits, band),
        band=band,
        causes=list(latest_analysis.causes),
        routine=routine,
        products=products,
        summary=_summary(visits, comparison, latest_analysis),
        notes=notes,
    )


def _summary(visits: list[VisitInfo], comparison: Comparison | None, latest: Analysis) -> str:
    from porescope.labels import region_name

    n = len(visits)
    span = (visits[-1].taken_at - visits[0].taken_at).days
    parts = [f"{n} visit{'s' if n != 1 else ''} over {span} day{'s' if span != 1 else ''}."]
    if comparison is None:
        parts.append(
            "With one visit there is nothing to compare yet. Take the next photo in the same light, at the same "
            "distance and after the same cleansing, so that a change can be told apart from the way the photo was taken."
        )
    else:
        counts = {k: [region_name(r.name) for r in comparison.regions if r.verdict == k] for k in _VERDICT_WORDS}
        said = []
        for k in ("improved", "worse", "no_detectable_change"):
            if counts[k]:
                said.append(f"{_VERDICT_WORDS[k]}: {', '.join(counts[k])}")
        between = f"Between the first visit ({comparison.baseline_taken_at:%d %b %Y}) and the latest ({comparison.latest_taken_at:%d %b %Y})"
        if said:
            parts.append(f"{between}, pore visibility per region - " + "; ".join(said) + ".")
        else:  # not compared: the comparison's notes say why (detail, resolution, a photo not measurable)
            parts.append(f"{between}, no change of the pores was judged; the comparison's notes say why.")
        if counts["no_detectable_change"] and not counts["improved"] and not counts["worse"]:
            parts.append("The differences are within what re-taking the same photo would give, so no change can be claimed either way.")
        if counts["improved"]:
            parts.append("Improved means the pores look less visible by more than the measurement noise, not that they have become smaller.")
        if span < 28 and (counts["improved"] or counts["worse"]):
            parts.append("Less than four weeks passed; visible change from care usually takes 4-12 weeks, "
                "so a quick change more likely comes from the capture conditions.")
    if not latest.quality.measurable:
        parts.append("The latest photo failed the capture-quality check; treat its numbers with caution.")
    if latest.causes:
        from porescope.measure.causes import likelihood

        top = max(latest.causes, key=lambda c: c.strength)
        if likelihood(top.strength) != "not indicated":
            parts.append(f"The latest photo points most to {_CAUSE_WORDS.get(top.cause, top.cause)} "
                         f"({likelihood(top.strength)}, strength {top.strength:.2f} on a 0-1 scale).")
        else:
            parts.append("The latest photo does not clearly point to any cause.")
    return " ".join(parts)


# ------------------------------------------------------------------ HTML
def _fig_png(fig) -> bytes:
    from porescope.plots import png_bytes

    return png_bytes(fig)


def _condition_text(v: VisitInfo) -> str:
    return ", ".join(f"{k.replace('_', ' ')}: {val}" for k, val in v.condition.items()) or "not recorded"


def _flat(v: list) -> bool:
    """A list of plain values (shown inline or as a bullet list), not of lists or mappings."""
    return all(not isinstance(x, (dict, list)) for x in v)


def render_html(rep: Report) -> str:
    """The report as one self-contained HTML document (template ``track/templates/history_report.html``)."""
    from porescope.htmlreport import render
    from porescope.measure.causes import cause_line, likelihood

    first, latest = rep.visits[0], rep.visits[-1]
    overlays = [(label, v, img) for label, v, img in (("First visit", first, rep.first_overlay),
                                                     ("Latest visit", latest, rep.latest_overlay)) if img is not None]
    causes = [(cause_line(c), c.care if likelihood(c.strength) != "not indicated" else "")
              for c in sorted(rep.causes, key=lambda c: -c.strength)]
    from porescope.track import compact

    shown = None
    if rep.comparison is not None:
        shown = compact.display(rep.comparison, compact.density_units(first, latest))
    return render(
        "track/templates", "history_report.html", rep=rep, overlays=overlays, causes=causes,
        trends_png=_fig_png(rep.trends) if rep.trends is not None else None,
        trends_narrow_png=_fig_png(_trend_figure(rep.visits, rep.band, columns=1)) if rep.trends is not None else None,
        terms=_report_terms(),
        verdict_words=_VERDICT_WORDS, condition_text=_condition_text, flat=_flat, shown=shown, trend_note=TREND_NOTE,
    )


#: The metrics a history report shows, explained at its end (porescope.glossary).
REPORT_TERMS = ("visibility", "pores", "density", "coverage", "elongation", "dark_share", "change", "cause_strength")


def _report_terms():
    from porescope.glossary import find

    return [find(k) for k in REPORT_TERMS]


def write_html(rep: Report, path: str | Path) -> None:
    from porescope.output.render import write_text

    write_text(path, render_html(rep))


# ------------------------------------------------------------------ PDF
_A4 = (8.27, 11.69)


#: Lines of the following block that must fit under a heading on the same page.
KEEP_WITH_HEADING_LINES = 3
_SIZES = {"h1": (16, "bold", 60), "h2": (12, "bold", 85), "p": (9.5, "normal", 100), "small": (8, "normal", 118),
          "mono": (7.5, "normal", 112)}
#: A picture that does not fit the rest of a page is shrunk to fit when it keeps at least this share of its size.
MIN_PICTURE_SCALE = 0.7
#: Width of the text column and of pictures on a page (share of the A4 width), and the page's bottom margin.
_COLUMN, _BOTTOM = 0.86, 0.05


def _block_lines(style: str, text) -> list[str]:
    if style == "img":
        return []
    width = _SIZES[style][2]
    if style == "mono":  # pre-formatted (an aligned table): never re-wrapped
        return text.split("\n")
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, width) or [""]
    return lines


def _img_height(rgb: np.ndarray, max_frac: float = 0.8) -> tuple[float, float]:
    """(width, height) as shares of the A4 page for a picture across the text column, at most ``max_frac`` of its height."""
    h, w = rgb.shape[:2]
    width = _COLUMN
    height = width * _A4[0] * (h / w) / _A4[1]
    if height > max_frac:
        width, height = width * max_frac / height, max_frac
    return width, height


def _text_pages(blocks: list[tuple[str, Any]]):
    """A4 portrait figures holding ``(style, text)`` blocks in one flow; style 'h1' | 'h2' | 'p' | 'small' | 'mono',
    or 'img' with ``(rgb, caption)``: a picture across the text column, on the page where it fits.

    A heading never ends a page: it moves to the next page unless the first
    KEEP_WITH_HEADING_LINES lines of what follows (or the picture) fit under it.
    Pictures flow with the text, so no page is left half empty before one.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    pages: list = []
    fig, y = None, 0.0

    def new_page():
        nonlocal fig, y
        fig = Figure(figsize=_A4)
        FigureCanvasAgg(fig)
        pages.append(fig)
        y = 0.95

    def step_of(style):
        return _SIZES[style][0] * 1.45 / 72 / _A4[1]

    for i, (style, text) in enumerate(blocks):
        if style == "img":
            rgb, caption = text
            w, h = _img_height(rgb)
            cap = textwrap.wrap(caption, 118)
            need = h + step_of("small") * (len(cap) + 0.5)
            room = (y - _BOTTOM) if fig is not None else 0.0
            if need > room >= need * MIN_PICTURE_SCALE:  # a little smaller, rather than a half-empty page before it
                f = (room - step_of("small") * (len(cap) + 0.5)) / h
                w, h = w * f, h * f
            elif fig is None or (need > room and y < 0.9):
                new_page()
            ax = fig.add_axes((0.07, y - h, w, h))
            ax.imshow(rgb)
            ax.set_axis_off()
            y -= h + step_of("small") * 0.4
            for line in cap:
                fig.text(0.07, y, line, fontsize=_SIZES["small"][0], va="top", family="DejaVu Sans", color="#444444")
                y -= step_of("small")
            y -= step_of("small") * 0.8
            continue
        size, weight, _width = _SIZES[style]
        lines = _block_lines(style, text)
        step = step_of(style)
        if style.startswith("h"):
            need = step * (len(lines) + 1.2)
            if i + 1 < len(blocks):
                nstyle, ntext = blocks[i + 1]
                if nstyle == "img":
                    need += min(_img_height(ntext[0])[1], 0.5)
                else:
                    need += step_of(nstyle) * min(KEEP_WITH_HEADING_LINES, len(_block_lines(nstyle, ntext)))
            if fig is None or y - need < _BOTTOM:
                new_page()
            elif style == "h2":
                y -= step * 0.6
        elif fig is None:
            new_page()
        family = "DejaVu Sans Mono" if style == "mono" else "DejaVu Sans"
        for line in lines:  # long blocks flow on to the next page line by line
            if y - step < _BOTTOM:
                new_page()
            fig.text(0.07, y, line, fontsize=size, fontweight=weight, va="top", family=family)
            y -= step
        y -= step * 0.5
    return pages


def _side_by_side(rep: Report) -> np.ndarray | None:
    """The first and latest overlays in one picture, side by side at one height (one of them alone if only one)."""
    pics = [cv2.imdecode(np.frombuffer(d, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
            for d in (rep.first_overlay, rep.latest_overlay) if d is not None]
    if not pics:
        return None
    height = min(p.shape[0] for p in pics)
    pics = [cv2.resize(p, (max(1, round(p.shape[1] * height / p.shape[0])), height), interpolation=cv2.INTER_AREA) for p in pics]
    gap = np.full((height, max(8, height // 40), 3), 255, np.uint8)
    out = [pics[0]]
    for p in pics[1:]:
        out += [gap, p]
    return np.ascontiguousarray(np.hstack(out))


def _figure_rgb(fig) -> np.ndarray:
    png = _fig_png(fig)
    return cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[..., ::-1].copy()


def _routine_lines(v: Any, indent: int = 0) -> list[str]:
    pad = "  " * indent
    if isinstance(v, dict):
        out = []
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{str(k).replace('_', ' ')}:")
                out += _routine_lines(x, indent + 1)
            else:
                out.append(f"{pad}{str(k).replace('_', ' ')}: {x}")
        return out
    if isinstance(v, list):
        out = []
        for i, x in enumerate(v, 1):
            if isinstance(x, (dict, list)):
                out.append(f"{pad}{i}.")
                out += _routine_lines(x, indent + 1)
            else:
                out.append(f"{pad}- {x}")
        return out
    return [f"{pad}{v}"]


def pdf_blocks(rep: Report) -> list[tuple[str, Any]]:
    """What the PDF shows, in order: text blocks and pictures (see :func:`_text_pages`)."""
    from porescope.track import compact

    blocks: list[tuple[str, Any]] = [
        ("h1", f"Pore history: {rep.subject}"),
        ("small", f"Generated {rep.generated_at:%Y-%m-%d %H:%M} by porescope, on this computer."),
        ("small", rep.disclaimer),
        ("h2", "Summary"),
        ("p", rep.summary),
    ]
    for n in rep.notes:
        blocks.append(("small", f"Note: {n}"))
    pair = _side_by_side(rep)
    if pair is not None:
        first, latest = rep.visits[0], rep.visits[-1]
        which = (f"left: first visit ({first.taken_at:%d %b %Y}); right: latest visit ({latest.taken_at:%d %b %Y})"
                 if rep.latest_overlay is not None else f"visit of {first.taken_at:%d %b %Y}")
        blocks.append(("h2", "First and latest visit"))
        blocks.append(("img", (pair, f"Pores outlined ({which}): orange = dark/plugged, cyan = open.")))
    if rep.comparison is not None:
        c = rep.comparison
        blocks.append(("h2", f"Change from visit {c.baseline_visit} ({c.baseline_taken_at:%d %b %Y}) to visit {c.latest_visit} "
                             f"({c.latest_taken_at:%d %b %Y})"))
        units = compact.density_units(rep.visits[0], rep.visits[-1]) if rep.visits else {}
        if c.regions:
            blocks.append(("mono", "\n".join(compact.text_table(c, _SIZES["mono"][2], units=units))))
        else:
            blocks.append(("p", "No region could be compared between these two visits."))
        blocks.append(("small", f"{compact.LEGEND} {compact.noise_words(c)}"))
        for n in c.notes:
            blocks.append(("small", f"Note: {n}"))
        if compact.hidden_count(c):
            blocks.append(("small", f"More measures: {', '.join(compact.hidden_names(c))}."))
            blocks.append(("mono", "\n".join(compact.text_table(c, _SIZES["mono"][2], units=units, more_only=True))))
    if rep.trends is not None:
        blocks.append(("h2", "Trends per region"))
        blocks.append(("img", (_figure_rgb(rep.trends), TREND_NOTE)))
    blocks.append(("h2", "Causes (latest visit)"))
    if rep.causes:
        from porescope.measure.causes import cause_line, likelihood

        for c in sorted(rep.causes, key=lambda c: -c.strength):
            care = c.care if likelihood(c.strength) != "not indicated" else ""
            blocks.append(("p", cause_line(c) + (f" {care}" if care else "")))
    else:
        blocks.append(("p", "No likely cause was worked out for the latest photo."))
    blocks.append(("h2", "Routine"))
    if rep.routine is not None:
        blocks.append(("small", f"Routine version {rep.routine.version}, saved {rep.routine.created_at:%Y-%m-%d}."))
        blocks.append(("small", "\n".join(_routine_lines(rep.routine.data))))
    else:
        blocks.append(("p", "No routine saved yet."))
    if rep.products:
        blocks.append(("h2", "Products used between visits"))
        blocks.append(("small", "\n".join(
            f"{p.name}: {p.start:%Y-%m-%d} " if p.start else f"{p.name}: - " for p in rep.products
        )))
    blocks.append(("h2", "Visits and capture conditions"))
    blocks.append(("small", "\n".join(
        f"visit {v.id}  {v.taken_at:%Y-%m-%d %H:%M}  conditions: {_condition_text(v)}; device: {v.device or '-'}; lighting: {v.lighting or '-'}; "
        f"captures: {v.captures}; quality: {'ok' if v.measurable else 'failed the check'}"
        for v in rep.visits
    )))
    blocks.append(("h2", "What the numbers mean"))
    blocks.append(("small", "\n".join(f"{t.name}: {t.sentence}" for t in _report_terms())))
    return blocks


#: Under the trend figure (PDF and HTML).
TREND_NOTE = ("Shaded band between dashed lines: the first visit's value plus or minus the 95% measurement-noise interval; "
              "a later point inside it is not a detectable change.")


def pdf_bytes(rep: Report) -> bytes:
    """The report as PDF bytes (matplotlib PdfPages): one flow of A4 portrait pages, pictures where they fit."""
    from matplotlib.backends.backend_pdf import PdfPages

    figs = _text_pages(pdf_blocks(rep))
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": f"porescope report: {rep.subject}", "Creator": "porescope"}) as pdf:
        for f in figs:
            pdf.savefig(f)
    return buf.getvalue()


def write_pdf(rep: Report, path: str | Path) -> None:
    """The report as a PDF, written atomically."""
    from porescope.files import atomic_write

    atomic_write(Path(path), pdf_bytes(rep))
