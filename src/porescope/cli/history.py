"""``porescope history ...`` and ``porescope report``: thin shells over
:mod:`porescope.track`. Every user error is one line on stderr, exit 2.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from porescope.cli import base
from porescope.cli.types import Mode
from porescope.errors import PorescopeError

DB_HELP = "Store to use: a PostgreSQL URL, sqlite:///path or a .db file path (default: $PORESCOPE_DB_URL, else SQLite in the user data folder)."
history_app = typer.Typer(
    # Plain click help: "--json FILE", "--mode [auto|face|closeup]" (Typer\'s rich panels show
    # Python types such as <bool> and <list[Path]>, and importing them slows every --help).
    rich_markup_mode=None,
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Keep every analysis per person and visit; compare visits honestly (with measurement noise).",
)


def _fail(message: str, code: int = 2) -> None:
    base.print_error(message)
    raise typer.Exit(code)


def _store(db: str | None):
    from porescope.track import Store

    return Store(db)


def _parse_value(v: str):
    low = v.strip().lower()
    for cast in (int, float):
        try:
            return cast(low)
        except ValueError:
            pass
    return v.strip()


def _conditions(items: list[str]) -> dict:
    cond = {}
    for it in items:
        if "=" not in it:
            raise PorescopeError(f"--condition {it!r}: write key=value, e.g. --condition cleansed=yes --condition since_wash_h=2.")
        k, v = it.split("=", 1)
        if not k.strip():
            raise PorescopeError(f"--condition {it!r}: the key is empty.")
        cond[k.strip()] = _parse_value(v)
    return cond


def _date(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        raise PorescopeError(f"--date {s!r}: use an ISO date or date-time, e.g. 2026-03-01 or 2026-03-01T08:30.") from None


def _fmt(v, nd: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{nd}f}"
    return str(v)


def _visits_text(visits, title: str) -> str:
    """Plain aligned rows, no wider than the terminal (COLUMNS): one per visit and region; a visit's
    conditions go on a wrapped line of their own beneath it (they are free text of any length)."""
    from porescope.cli.textout import Blocks
    from porescope.labels import region_name

    head = ("visit", "taken", "capt", "region", "pores", "density", "visib.", "cover%")
    rows, conds = [], []
    for v in visits:
        cond = ", ".join(f"{k}={val}" for k, val in v.condition.items())
        for i, r in enumerate(v.regions or [None]):
            first = i == 0
            dens = "n/a"
            if r is not None and r.density is not None and r.counts_meaningful:
                dens = f"{r.density:.0f}/{'cm2' if r.density_unit == 'per_cm2' else 'MP'}"
            rows.append((
                str(v.id) if first else "", f"{v.taken_at:%Y-%m-%d %H:%M}" if first else "", str(v.captures) if first else "",
                region_name(r.name) if r else "-", (str(r.pore_count) if r.counts_meaningful else "n/a") if r else "-", dens,
                _fmt(r.visibility_score, 1) if r else "-", _fmt(r.coverage_pct, 2) if r else "-",
            ))
            conds.append("")
        conds[-1] = cond  # the conditions follow the visit's last row
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {0, 2, 4, 5, 6, 7}

    def line(cells):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    b = Blocks()
    b.para(title)
    b.lines += [line(head), line(["-" * w for w in widths])]
    for row, cond in zip(rows, conds):
        b.lines.append(line(row))
        if cond:
            b.para(cond, indent=widths[0] + 2, first="conditions: ")
    return "\n".join(b.lines) + "\n"


@history_app.command("add")
def add(
    photo: Path = typer.Argument(..., metavar="PHOTO", help="The photo of this visit (JPEG, PNG, TIFF, WebP, HEIC)."),
    subject: str = typer.Option(..., "--subject", metavar="NAME", help="Whose skin (a name or study code)."),
    date: Optional[str] = typer.Option(None, "--date", metavar="DATE", help="When it was taken (ISO); default: the photo's EXIF time, else now."),
    condition: list[str] = typer.Option([], "--condition", metavar="KEY=VALUE",
        help="Capture condition key=value (repeatable): cleansed=yes, makeup=no, since_wash_h=2."),
    device: Optional[str] = typer.Option(None, "--device", metavar="TEXT", help="Camera or phone used."),
    lighting: Optional[str] = typer.Option(None, "--lighting", metavar="TEXT", help="A note on the light, e.g. 'window, noon'."),
    roi: Optional[Path] = typer.Option(None, "--roi", metavar="MASK", help="Mask image, same size as the photo: white = the skin to analyze."),
    px_per_mm: Optional[float] = typer.Option(None, "--px-per-mm", metavar="NUMBER", help="Physical scale: pixels per millimetre on the skin."),
    mode: Mode = typer.Option(Mode.auto, "--mode", case_sensitive=False, help="What the photo shows: auto decides from the photo."),
    repeat_of: Optional[int] = typer.Option(None, "--repeat-of", metavar="VISIT_ID",
        help="Add this photo as a second capture of visit ID (measures the noise)."),
    as_json: bool = typer.Option(False, "--json", help="Print the visit as JSON."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Analyze a photo and store it as a visit of SUBJECT."""
    mode = mode.value
    try:
        from porescope.track.photos import analyze_visit_photo

        store = _store(db)
        with base.spinner(f"analyzing {photo.name}"):
            data, r = analyze_visit_photo(photo, roi=roi, px_per_mm=px_per_mm, mode=mode)
            v = store.add_visit(
                data, subject, analysis=r.analysis, skin_mask=r.regions.skin if roi is not None else None,
                taken_at=_date(date), condition=_conditions(condition), device=device, lighting=lighting, repeat_of=repeat_of,
            )
        if repeat_of is None and v.measurable:
            # The visit's noise (its photo re-analysed under the capture and phone-processing
            # changes) is work of the add, not of the first comparison, which then stays fast.
            with base.spinner("measuring how much a re-take would change this visit's numbers"):
                store.noise(v.id)
    except PorescopeError as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(v.model_dump_json(indent=1) + "\n")
        return
    what = f"capture {v.captures} of visit {v.id}" if repeat_of else f"visit {v.id}"
    # Plain text, not the rich console: importing rich.console is ~20 ms of every add, and a
    # subject such as "[b]x" must print as typed, never as markup.
    sys.stdout.write(f"stored {what} of {v.subject} ({v.taken_at:%Y-%m-%d %H:%M})\n")
    sys.stdout.write(_visits_text([v], title=f"{v.subject}: visit {v.id}"))
    if not v.measurable:
        base.out.print("[red]This photo failed the capture-quality gate; its numbers are not meaningful (see 'porescope history show').[/]")


@history_app.command("list")
def list_(
    subject: Optional[str] = typer.Option(None, "--subject", metavar="NAME", help="List this subject's visits (default: list subjects)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """List subjects, or one subject's visits."""
    from porescope.track import rows as records
    from porescope.track import sqlite_read

    try:
        # A SQLite store at the current revision is read with sqlite3 alone (no SQLAlchemy,
        # ~0.2 s less start-up); anything else opens the Store (track/sqlite_read.py).
        rows = sqlite_read.visits(db, subject) if subject else sqlite_read.subject_rows(db)
        if rows is None:
            store = _store(db)
            rows = store.visits(subject) if subject else store.subject_rows()
    except PorescopeError as exc:
        _fail(str(exc))
    if as_json:
        if not subject:  # the records Store.subjects() gives
            rows = records.subject_infos(rows)
        sys.stdout.write(json.dumps([r.model_dump(mode="json") for r in rows], indent=1) + "\n")
        return
    if subject:
        # Plain aligned text, not a rich Table: rich takes ~2 s for 1,000 visits,
        # plain text ~10 ms (benchmarks/bench_history.py).
        sys.stdout.write(_visits_text(rows, title=f"{subject}: {len(rows)} visit(s)"))
        return
    # Plain aligned text (rich tables cut long names at 80 columns).
    head = ("subject", "visits", "first visit", "last visit")
    cells = [(name, str(n), f"{first:%Y-%m-%d}" if first else "-", f"{last:%Y-%m-%d}" if last else "-")
             for name, _created, n, first, last in rows]
    from porescope.cli.textout import terminal_width

    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(head)]
    lines = [f"{len(rows)} subject(s)"]
    fmt = lambda c, ws=widths: "  ".join(x.ljust(w) for x, w in zip(c, ws)).rstrip()  # noqa: E731
    if sum(widths) + 2 * (len(widths) - 1) > terminal_width():  # a long name: on a line of its own, its numbers beneath
        lines += [head[0], "  " + fmt(head[1:], widths[1:])]
        for c in cells:
            lines += [c[0], "  " + fmt(c[1:], widths[1:])]
    else:
        lines += [fmt(head), *map(fmt, cells)]
    sys.stdout.write("\n".join(lines) + "\n")
    if not rows:
        sys.stdout.write("No visits yet: porescope history add PHOTO --subject NAME\n")


@history_app.command("show")
def show(
    visit_id: int = typer.Argument(..., metavar="VISIT_ID", help="Visit id (see 'porescope history list --subject NAME')."),
    as_json: bool = typer.Option(False, "--json", help="Print the visit's full analysis JSON."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Show one visit: conditions, metrics, quality problems, likely causes."""
    try:
        store = _store(db)
        v = store.visit(visit_id)
        a = store.analysis(visit_id)
        path = store.photo_path(visit_id)
    except PorescopeError as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(a.model_dump_json(indent=1) + "\n")
        return
    # Wrapped blocks, like `porescope analyze`: no word is cut at any terminal width.
    from porescope.cli.output import summary_lines
    from porescope.cli.textout import Blocks
    from porescope.measure.causes import cause_line

    b = Blocks()
    b.lines += summary_lines([a], title=f"{v.subject}: visit {v.id}")
    b.field("Taken", f"{v.taken_at:%Y-%m-%d %H:%M}; captures: {v.captures}")
    b.field("Conditions", ", ".join(f"{k}={val}" for k, val in v.condition.items()) or "-")
    b.field("Device", v.device or "-")
    b.field("Lighting", v.lighting or "-")
    b.para("Photo (stored copy):")
    b.para(str(path), indent=2)  # a path is one word: on its own line it never pushes a label past the width
    for p in a.quality.problems:
        b.para(f"{p.severity}, {p.code.replace('_', ' ')}: {p.message}")
    for c in sorted(a.causes, key=lambda c: -c.strength):
        b.para(cause_line(c))
    b.para(a.disclaimer)
    b.print()


@history_app.command("compare")
def compare(
    subject: str = typer.Option(..., "--subject", metavar="NAME", help="Whose visits."),
    a: Optional[int] = typer.Option(None, "--a", metavar="VISIT_ID", help="Baseline visit id (default: the first)."),
    b: Optional[int] = typer.Option(None, "--b", metavar="VISIT_ID", help="Visit to compare (default: the latest)."),
    show_all: bool = typer.Option(False, "--all", help="Also show pore count, elongation and dark share (default: visibility, density, coverage)."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Compare two visits per region: improved / no detectable change / worse, with 95% intervals."""
    try:
        with base.spinner("comparing (the first time measures each visit's noise: a few seconds)"):
            store = _store(db)
            c = store.compare(subject, a, b)
            units = compact_units(store, c)
    except PorescopeError as exc:
        _fail(str(exc))
    if as_json:
        sys.stdout.write(c.model_dump_json(indent=1) + "\n")
        return
    print_comparison(c, show_all=show_all, units=units)


def compact_units(store, c) -> dict[str, str]:
    """region -> density unit of the two compared visits (porescope.track.compact.density_units)."""
    from porescope.track import compact

    return compact.density_units(store.visit(c.baseline_visit), store.visit(c.latest_visit))


def print_comparison(c, *, show_all: bool = False, units: dict[str, str] | None = None) -> None:
    """The compact comparison (porescope.track.compact): one aligned row per region and headline metric,
    the notes, where the noise came from; no summary repeating the rows."""
    from porescope.cli.textout import Blocks
    from porescope.track import compact

    b = Blocks()
    b.heading(f"{c.subject}: visit {c.baseline_visit} ({c.baseline_taken_at:%Y-%m-%d}) -> "
              f"visit {c.latest_visit} ({c.latest_taken_at:%Y-%m-%d})")
    if c.regions:
        b.lines += compact.text_table(c, b.width, everything=show_all, units=units)
    else:
        b.para("No region could be compared between these two visits.")
    hidden = compact.hidden_count(c)
    if hidden and not show_all:
        b.para(f"({hidden} more rows -- {', '.join(compact.hidden_names(c))}: add --all)")
    b.blank()
    if c.regions:  # what the numbers mean, only where there are numbers
        b.para(compact.LEGEND)
        b.para(compact.noise_words(c))
    if show_all:
        b.para(f"Alignment: {c.alignment}.")
    for n in c.notes:
        b.para(f"Note: {n}")
    b.print()


@history_app.command("export")
def export(
    csv_out: Path = typer.Option(..., "--csv", metavar="FILE", help="Write the CSV here (one row per visit, capture and region)."),
    subject: Optional[str] = typer.Option(None, "--subject", metavar="NAME", help="Only this subject (default: everyone)."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Export key metrics and capture conditions as CSV."""
    from porescope.output.render import write_text

    if csv_out.suffix.lower() != ".csv":
        _fail(f"--csv {csv_out}: use a file ending in .csv.")
    try:
        text = _store(db).export_csv(subject)
        write_text(csv_out, text)
    except PorescopeError as exc:
        _fail(str(exc))
    base.out.print(f"wrote {max(0, text.count(chr(10)) - 1)} row(s) to {csv_out}", highlight=False, markup=False)


@history_app.command("delete")
def delete(
    subject: str = typer.Option(..., "--subject", metavar="NAME", help="The subject to erase with all their photos and data."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Erase a subject: visits, analyses, profile, routine, products and photos (right to be forgotten)."""
    try:
        store = _store(db)
        n = len(store.visits(subject))
        if not yes and not typer.confirm(f"Erase {subject!r} with {n} visit(s) and their photos? This cannot be undone.", default=False):
            _fail("nothing deleted.", code=1)
        n = store.delete_subject(subject)
    except PorescopeError as exc:
        _fail(str(exc))
    base.out.print(f"erased {subject} ({n} visit(s)) and their photos", highlight=False, markup=False)


def report(
    subject: str = typer.Option(..., "--subject", metavar="NAME", help="Whose history."),
    html: Optional[Path] = typer.Option(None, "--html", metavar="FILE", help="Write a self-contained HTML report here."),
    pdf: Optional[Path] = typer.Option(None, "--pdf", metavar="FILE", help="Write a PDF report here."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL_OR_FILE", help=DB_HELP),
) -> None:
    """Write a report of a subject's history: first vs latest overlays, trends, causes, routine, conditions."""
    from porescope.track.report import build_report, write_html, write_pdf

    if html is None and pdf is None:
        _fail("give --html OUT.html and/or --pdf OUT.pdf.")
    if html is not None and html.suffix.lower() not in (".html", ".htm"):
        _fail(f"--html {html}: use a file ending in .html.")
    if pdf is not None and pdf.suffix.lower() != ".pdf":
        _fail(f"--pdf {pdf}: use a file ending in .pdf.")
    # The output paths are checked before any work (building a report can take seconds).
    import os

    for p, opt in ((html, "--html"), (pdf, "--pdf")):
        if p is None:
            continue
        if p.is_dir():
            _fail(f"{opt} {p}: that is a folder; give a file name inside it.")
        if not p.parent.is_dir():
            _fail(f"{opt} {p}: folder {p.parent} does not exist; create it first.")
        if not os.access(p.parent, os.W_OK):
            _fail(f"{opt} {p}: folder {p.parent} cannot be written to.")
    if html is not None and pdf is not None and html.resolve() == pdf.resolve():
        _fail("--html and --pdf name the same file.")
    try:
        with base.spinner("building the report (a first comparison measures each visit's noise: seconds)"):
            rep = build_report(_store(db), subject)
        if html is not None:
            write_html(rep, html)
            base.out.print(f"wrote {html}", highlight=False, markup=False)
        if pdf is not None:
            write_pdf(rep, pdf)
            base.out.print(f"wrote {pdf}", highlight=False, markup=False)
    except PorescopeError as exc:
        _fail(str(exc))


def register(app: typer.Typer) -> None:
    """Add ``history`` and ``report`` to the ``porescope`` command."""
    app.add_typer(history_app, name="history")
    app.command("report")(report)
