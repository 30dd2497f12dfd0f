"""``porescope study ...``: the study runner's commands (registered on the main command by porescope/cli/__init__.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from porescope.cli.types import Mode
from porescope.errors import PorescopeError

study_app = typer.Typer(
    # Plain click help: "--json FILE", "--mode [auto|face|closeup]" (Typer\'s rich panels show
    # Python types such as <bool> and <list[Path]>, and importing them slows every --help).
    rich_markup_mode=None,
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Studies: many photos per subject and visit, run in parallel, to tables, verdicts and a report.",
)


@study_app.command("run")
def run_cmd(
    manifest: Path = typer.Argument(..., metavar="MANIFEST", help="CSV with subject, visit, date, image [, capture, roi, px_per_mm, condition, arm]."),
    out: Path = typer.Option(..., "--out", metavar="FOLDER", help="Output folder (rerun with the same folder to resume)."),
    workers: Optional[int] = typer.Option(None, "--workers", metavar="N", help="Local worker processes (default 2), one thread each."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS", help="Address of a running Dask scheduler, e.g. tcp://host:8786."),
    memory_limit: str = typer.Option("3GiB", "--memory-limit", metavar="SIZE", help="Memory bound per local worker (Dask restarts a worker at 95%)."),
    mode: Mode = typer.Option(Mode.auto, "--mode", case_sensitive=False, help="What the photos show: auto decides per photo."),
    sensitivity: float = typer.Option(1.0, "--sensitivity", min=0.25, max=4.0, metavar="NUMBER",
        help="0.25-4; above 1 also finds and counts fainter pores (never fewer; outlines unchanged), below 1 only clearer ones."),
    perturb: int = typer.Option(12, "--perturb", min=0, max=12, metavar="N",
        help="Re-analyses per single-capture visit for its noise estimate: 9 capture changes, then 3 kinds of phone processing (12 = all)."),
    db: Optional[str] = typer.Option(None, "--db", metavar="URL", help="Also store every analysis in this history database URL (sqlite:///..., postgresql://...)."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
) -> None:
    """Analyze every photo of a study and write tables, per-subject verdicts and report.html into --out."""
    from porescope.cli.base import err, fail
    from porescope.study.manifest import ManifestError
    from porescope.study.study import StudyOptions, run_study

    if scheduler and workers is not None:
        fail("use either --workers (a local cluster) or --scheduler (an existing one), not both.")

    def on_client(s):
        where = f"scheduler {s.scheduler}" if scheduler else f"local cluster, {s.n_workers} workers"
        err.print(f"dask: {where} · dashboard: {s.dashboard}", highlight=False, soft_wrap=True, markup=False)

    try:
        options = StudyOptions(workers=workers or 2, scheduler=scheduler, memory_limit=memory_limit, mode=mode.value, sensitivity=sensitivity,
                               perturb=perturb, db=db)
        info = run_study(manifest, out, options, console=err, progress=not no_progress, on_client=on_client)
    except ManifestError as exc:
        for p in exc.problems:
            err.print(f"{exc.path}: {p}", highlight=False, soft_wrap=True, markup=False)
        fail(str(exc))
    except PorescopeError as exc:
        fail(str(exc))
    run = info["run"]
    # Wrapped at the terminal width, no word cut (issue 22: every line <= 80 columns at COLUMNS=80).
    from porescope.cli.textout import Blocks

    b = Blocks()
    b.para(f"{info['photos']} photos: {run['skipped_finished']} already finished, {run['analyzed']} analyzed, {run['failed']} failed "
           f"in {run['wall_seconds']:.1f} s; {info['pores']} pores.")
    if info.get("baseline_missing"):
        b.para(f"baseline missing (first visit not measurable; left out of every change and statistic, no later visit "
               f"used instead): {', '.join(info['baseline_missing'])}")
    if info.get("not_comparable"):
        b.para(f"not compared (the two visits' photos hold detail that cannot be matched: see the detail column of change.csv; "
               f"left out of every statistic): {', '.join(info['not_comparable'])}")
    if info.get("matched_detail"):
        b.para(f"{info['matched_detail']} visit pair(s) compared at the detail of the less detailed visit (the sharper one re-measured).")
    if info.get("db"):
        d = info["db"]
        if "added" in d:  # a URL or path is one word: on a line of its own it never breaks the sentence
            b.para(f"database: {d['added']} photos added, {d['already_stored']} already stored, {len(d['errors'])} failed; in")
            b.para(str(d["url"]), indent=2)
        else:
            b.para(f"database: {d['skipped']}")
    b.para("wrote report.html, regions.csv, change.csv, pores/, errors.csv and study.json into")
    b.para(str(out), indent=2)
    b.print()


def register(app: typer.Typer) -> None:
    app.add_typer(study_app, name="study")
