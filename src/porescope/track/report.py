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
from datetime import datetime
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


def _trend_figure(visits: list[VisitInfo], band: dict[str, tuple[float, float]]):
    """Per region: visibility score and pore density over time; the grey band is the
    baseline ± the 95% noise interval (changes inside it are not detectable)."""
    from porescope import plots
    from porescope.labels import metric_label, region_name

    regions = plots.region_order(visits)
    if not regions:
        return None
    series = {metric: plots.trend_series(visits, metric, regions) for metric in TREND_METRICS}
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
                ax.plot(tt, yy, "o-", color=plots.COLOURS[0])
                key = f"{name}:{metric}"
                if key in band and len(tt) > 0:
                    lo, hi = band[key]
                    ax.axhspan(lo, hi, color=plots.BAND_GREY, zorder=0, label="no detectable change vs. first visit")
                    if i == 0 and j == 0:
                        ax.legend(loc="best", fontsize=plots.FONT_PT["legend"])
            else:
                plots.note_in_axes(ax, "not meaningful at this scale")
            plots.style_axes(ax, title=f"{region_name(name)}: {metric_label(metric, units)}")
            plots.date_axis(ax, t)
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
        for m in comparison.changes:
            # The comparison's own numbers: centred on the first visit's stored value
            # (the plotted point; change.compare_visits compares stored values),
            # half-width the comparison's 95% interval, so the latest point lies
            # outside the band exactly when the comparison calls a change.
            half = 1.96 * float(np.hypot(m.noise_baseline, m.noise_latest))
            band[f"{m.region}:{m.metric}"] = (m.baseline - half, m.baseline + half)
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
        parts.append(
            f"Between the first visit ({comparison.baseline_taken_at:%d %b %Y}) and the latest "
            f"({comparison.latest_taken_at:%d %b %Y}), pore visibility per region - " + "; ".join(said) + "."
        )
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
    return render(
        "track/templates", "history_report.html", rep=rep, overlays=overlays, causes=causes,
        trends_png=_fig_png(rep.trends) if rep.trends is not None else None, terms=_report_terms(),
        verdict_words=_VERDICT_WORDS, condition_text=_condition_text, flat=_flat,
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
_SIZES = {"h1": (16, "bold", 60), "h2": (12, "bold", 85), "p": (9.5, "normal", 100), "small": (8, "normal", 118)}


def _block_lines(style: str, text: str) -> list[str]:
    width = _SIZES[style][2]
    lines: list[str] = []
    for para in text.split("\n"):
        lines += textwrap.wrap(para, width) or [""]
    return lines


def _text_pages(blocks: list[tuple[str, str]]):
    """A4 portrait figures holding ``(style, text)`` blocks; style 'h1' | 'h2' | 'p' | 'small'.

    A heading never ends a page: it moves to the next page unless the first
    KEEP_WITH_HEADING_LINES lines of what follows fit under it.
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

    for i, (style, text) in enumerate(blocks):
        size, weight, _width = _SIZES[style]
        lines = _block_lines(style, text)
        step = size * 1.45 / 72 / _A4[1]
        if style.startswith("h"):
            need = step * (len(lines) + 1.2)
            if i + 1 < len(blocks):
                nstyle, ntext = blocks[i + 1]
                nstep = _SIZES[nstyle][0] * 1.45 / 72 / _A4[1]
                need += nstep * min(KEEP_WITH_HEADING_LINES, len(_block_lines(nstyle, ntext)))
            if fig is None or y - need < 0.05:
                new_page()
            elif style == "h2":
                y -= step * 0.6
        elif fig is None:
            new_page()
        for line in lines:  # long blocks flow on to the next page line by line
            if y - step < 0.05:
                new_page()
            fig.text(0.07, y, line, fontsize=size, fontweight=weight, va="top", family="DejaVu Sans")
            y -= step
        y -= step * 0.5
    return pages


def _image_page(rep: Report):
    """The overlays on one A4 portrait page, one above the other (every page of the PDF is A4 portrait)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    pics = [(lab, img) for lab, img in (("first visit", rep.first_overlay), ("latest visit", rep.latest_overlay)) if img is not None]
    if not pics:
        return None
    fig = Figure(figsize=_A4)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(pics), 1, squeeze=False)[:, 0]
    visits = (rep.visits[0], rep.visits[-1])
    for ax, (lab, data), v in zip(axes, pics, visits):
        rgb = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
        ax.imshow(rgb)
        ax.set_axis_off()
        ax.set_title(f"{lab}: visit {v.id}, {v.taken_at:%Y-%m-%d}", fontsize=10)
    fig.suptitle("Pores outlined: orange = dark/plugged, cyan = open", fontsize=11)
    return fig


def _figure_page(source_fig, title: str, note: str = ""):
    """Another figure (any size) drawn onto an A4 portrait page with its title and a note beneath."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    png = _fig_png(source_fig)
    rgb = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]
    fig = Figure(figsize=_A4)
    FigureCanvasAgg(fig)
    h, w = rgb.shape[:2]
    width = 0.86
    height = min(0.75, width * (h / w) * (_A4[0] / _A4[1]))
    ax = fig.add_axes((0.07, 0.9 - height, width, height))
    ax.imshow(rgb)
    ax.set_axis_off()
    fig.text(0.07, 0.95, title, fontsize=12, fontweight="bold", va="top", family="DejaVu Sans")
    y = 0.9 - height - 0.02
    for line in textwrap.wrap(note, 110):
        fig.text(0.07, y, line, fontsize=8, va="top", family="DejaVu Sans")
        y -= 8 * 1.45 / 72 / _A4[1]
    return fig


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


def write_pdf(rep: Report, path: str | Path) -> None:
    """The report as a PDF (matplotlib PdfPages), written atomically."""
    from matplotlib.backends.backend_pdf import PdfPages

    from porescope.files import atomic_write
    from porescope.labels import metric_words, region_name

    blocks: list[tuple[str, str]] = [
        ("h1", f"Pore history: {rep.subject}"),
        ("small", f"Generated {rep.generated_at:%Y-%m-%d %H:%M} by porescope, on this computer."),
        ("small", rep.disclaimer),
        ("h2", "Summary"),
        ("p", rep.summary),
    ]
    if rep.comparison is not None:
        c = rep.comparison
        blocks.append(("p", c.summary))
        blocks.append(("h2", f"Change from visit {c.baseline_visit} to visit {c.latest_visit} (95% intervals; lower = less visible)"))
        rows = [f"{region_name(m.region)}, {metric_words(m.metric)}: {m.baseline:g} -> {m.latest:g}, "
                f"change {m.delta:+.3g} [{m.low:+.3g} to {m.high:+.3g}]  {_VERDICT_WORDS[m.verdict]}" for m in c.changes]
        blocks.append(("small", "\n".join(rows)))
        blocks.append(("small", f"Alignment: {c.alignment}."))
        for n in c.notes:
            blocks.append(("small", f"Note: {n}"))
    for n in rep.notes:
        blocks.append(("small", f"Note: {n}"))
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
    # Text first, as one flow (a figure page never splits a section); the figures follow, each
    # on its own A4 portrait page, so every page has the same size and prints the same way.
    figs = _text_pages(blocks)
    img = _image_page(rep)
    if img is not None:
        figs.append(img)
    if rep.trends is not None:
        figs.append(_figure_page(
            rep.trends, "Trends per region",
            "Grey band: the first visit's value plus or minus the 95% measurement-noise interval; points inside it "
            "are not a detectable change.",
        ))
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": f"porescope report: {rep.subject}", "Creator": "porescope"}) as pdf:
        for f in figs:
            pdf.savefig(f)
    atomic_write(Path(path), buf.getvalue())
