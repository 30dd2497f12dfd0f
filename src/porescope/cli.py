"""The ``porescope`` command: a thin shell over the Python API.

Every user error is one line on stderr and exit code 2; no tracebacks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from porescope.errors import PorescopeError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="porescope: find, measure and track visible skin pores on your own machine. Cosmetic guidance, not a diagnosis.",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

#: How often (seconds) Python passes the GIL between threads in a porescope
#: process. During an analysis the image thread makes many short NumPy and
#: OpenCV calls while the main thread builds per-pore records in Python; at
#: Python's default 5 ms each of those calls can wait a whole interval to get
#: the GIL back. At 0.5 ms a 12 MP `analyze` ran 8-12% faster (interleaved
#: A/B on benchmarks/bench_speed.py's photo, 3 rounds, 2026-11-26).
GIL_SWITCH_INTERVAL_S = 0.0005


def tune_process() -> None:
    """Process-wide settings for the porescope command (see GIL_SWITCH_INTERVAL_S)."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line to stderr and exit."""
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _suffix_check(path: Path | None, allowed: tuple[str, ...], opt: str) -> None:
    if path is not None and path.suffix.lower() not in allowed:
        fail(f"{opt} {path}: use a file ending in {' or '.join(allowed)}.")


def image_writer(*, overlay_out=None, mask_out=None, regions_out=None):
    """A pipeline ``on_pores`` hook that writes the requested images, or None.

    The pipeline calls it as soon as the pores are found, so the PNGs are
    encoded (in parallel: deflate releases the GIL) while the per-pore
    records are still being built.
    """
    if not (overlay_out or mask_out or regions_out):
        return None

    def write(image, labels, dark, regions) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from porescope import render

        jobs = []
        if mask_out:
            jobs.append(lambda: render.write_image(mask_out, render.pore_mask(labels)))
        if overlay_out:
            face = regions.mode == "face"
            jobs.append(lambda: render.write_image(overlay_out, render.overlay(image.rgb, labels, dark, regions.label_image() if face else None)))
        if regions_out:
            jobs.append(lambda: render.write_image(regions_out, regions.label_image()))
        with ThreadPoolExecutor(max_workers=2) as ex:
            for f in [ex.submit(j) for j in jobs]:
                f.result()

    return write


def text_writer(*, json_out=None, csv_out=None):
    """A pipeline ``on_analysis`` hook that writes the JSON and CSV files, or None.

    The pipeline calls it as soon as the result is assembled, while the
    overlay and mask PNGs may still be encoding in another thread.
    """
    if not (json_out or csv_out):
        return None

    def write(analysis) -> None:
        from porescope import render

        if json_out:
            render.write_text(json_out, analysis.model_dump_json(indent=1))
        if csv_out:
            render.write_text(csv_out, render.pores_csv(analysis))
            render.write_text(Path(csv_out).with_name(Path(csv_out).stem + ".regions.csv"), render.regions_csv(analysis))

    return write


def write_outputs(run, *, json_out=None, overlay_out=None, mask_out=None, csv_out=None, regions_out=None) -> None:
    """Write the requested files for one finished :class:`porescope.pipeline.Run`
    (what :func:`image_writer` and :func:`text_writer` write during a run).
    Each file lands by an atomic rename."""
    hook = image_writer(overlay_out=overlay_out, mask_out=mask_out, regions_out=regions_out)
    if hook:
        hook(run.image, run.labels, run.pore_kind_dark, run.regions)
    texts = text_writer(json_out=json_out, csv_out=csv_out)
    if texts:
        texts(run.analysis)


def check_output_folder(*paths) -> None:
    """Fail before analyzing when an output's folder does not exist."""
    for p in paths:
        if p is not None and not Path(p).parent.exists():
            fail(f"{p}: folder {Path(p).parent} does not exist; create it first.")


def summary_table(analyses: list, title: str = "porescope") -> Table:
    """One row per image and region; the image column only when there are several."""
    many = len(analyses) > 1
    t = Table(title=title, show_lines=False)
    cols = (["image"] if many else []) + ["region", "pores", "density", "median size", "cover %", "elong.", "dark %", "score"]
    for col in cols:
        t.add_column(col, justify="left" if col in ("image", "region") else "right", overflow="fold")
    for a in analyses:
        name = Path(a.source.path).name if a.source.path else "image"
        for r in a.regions:
            dens = f"{r.density_per_cm2:.0f}/cm²" if r.density_per_cm2 is not None else f"{r.density_per_mpx:.0f}/MP"
            if r.median_area_mm2 is not None:
                med = f"{r.median_area_mm2:.3f} mm²"
            else:
                med = f"{r.median_area_px:.0f} px" if r.median_area_px is not None else "-"
            row = [
                r.name, str(r.pore_count) if r.counts_meaningful else "n/a", dens if r.counts_meaningful else "n/a", med,
                f"{r.coverage_pct:.1f}", f"{r.mean_elongation:.2f}" if r.mean_elongation else "-",
                f"{100 * r.dark_share:.0f}", f"{r.visibility_score:.0f}/100",
            ]
            t.add_row(*([name] if many else []), *row)
        for g in a.regions_not_measured:  # no numbers at all, never zeros
            t.add_row(*([name] if many else []), g.name, "not measured", *(["-"] * (len(cols) - 2 - many)))
    return t


def print_explanations(a) -> None:
    """Capture problems, then a plain-language line per region and the likely causes."""
    from porescope.explain import summary_lines

    print_quality(a)
    for line in summary_lines(a):
        out.print(line, highlight=False, markup=False)
    if not a.dark_class_validated:
        out.print("Dark % (plugged pores) is not yet validated on real skin: read it as a rough indication only.",
                  highlight=False, markup=False, style="dim")


def print_quality(a) -> None:
    for p in a.quality.problems:
        colour = "red" if p.severity == "blocking" else "yellow"
        out.print(f"[{colour}]{p.severity}[/] {p.code}: {p.message}", highlight=False)
    if not a.quality.measurable:
        out.print("[red]The pore numbers for this photo are not meaningful; see the problems above.[/]")


@app.command()
def analyze(
    images: list[Path] = typer.Argument(..., help="Photo files (JPEG, PNG, TIFF, WebP, HEIC)."),
    roi: Optional[Path] = typer.Option(None, "--roi", help="Mask PNG, same size as the photo: white = analyze."),
    px_per_mm: Optional[float] = typer.Option(None, "--px-per-mm", help="Physical scale: pixels per millimetre on the skin."),
    mode: str = typer.Option("auto", "--mode", help="auto | face | closeup"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result JSON here."),
    overlay_out: Optional[Path] = typer.Option(None, "--overlay", help="Write the photo with pores outlined (.png or .jpg)."),
    mask_out: Optional[Path] = typer.Option(None, "--mask-out", help="Write the pore mask PNG (255 = pore)."),
    csv_out: Optional[Path] = typer.Option(None, "--csv", help="Write one row per pore (and one per region to NAME.regions.csv)."),
    regions_out: Optional[Path] = typer.Option(None, "--regions-out", help="Write the region label PNG (0 = not analyzed)."),
    sensitivity: float = typer.Option(1.0, "--sensitivity", min=0.25, max=4.0, help="Above 1 finds fainter pores."),
) -> None:
    """Find and measure the pores in one or more photos.

    With several images, output paths get the image's name inserted
    (out.json -> out.IMAGE.json) and a summary table is printed.
    """
    from porescope.pipeline import run

    _suffix_check(json_out, (".json",), "--json")
    _suffix_check(csv_out, (".csv",), "--csv")
    for p, opt in ((overlay_out, "--overlay"), (mask_out, "--mask-out"), (regions_out, "--regions-out")):
        _suffix_check(p, (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff") if opt == "--overlay" else (".png",), opt)
    if mode not in ("auto", "face", "closeup"):
        fail(f"--mode must be auto, face or closeup, not {mode!r}.")
    check_output_folder(json_out, overlay_out, mask_out, csv_out, regions_out)
    if roi is not None and len(images) > 1:
        fail("--roi applies to a single photo; run the images one by one with their own masks.")
    many = len(images) > 1

    def per_image(p: Path | None, img: Path) -> Path | None:
        if p is None or not many:
            return p
        return p.with_name(f"{p.stem}.{img.stem}{p.suffix}")

    analyses = []
    failures = 0
    if many:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True)
    else:
        progress = None
    task = progress.add_task("analyzing", total=len(images)) if progress else None
    if progress:
        progress.start()
    try:
        for img in images:
            try:
                hook = image_writer(overlay_out=per_image(overlay_out, img), mask_out=per_image(mask_out, img), regions_out=per_image(regions_out, img))
                texts = text_writer(json_out=per_image(json_out, img), csv_out=per_image(csv_out, img))
                r = run(img, roi=roi, px_per_mm=px_per_mm, mode=mode, sensitivity=sensitivity, on_pores=hook, on_analysis=texts)
                analyses.append(r.analysis)
            except PorescopeError as exc:
                if not many:
                    fail(str(exc))
                failures += 1
                err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            if progress:
                progress.advance(task)
    finally:
        if progress:
            progress.stop()
    if analyses:
        out.print(summary_table(analyses))
        for a in analyses:
            if len(analyses) > 1:
                out.print(f"[bold]{Path(a.source.path).name if a.source.path else 'image'}[/]")
            print_explanations(a)
    if failures:
        fail(f"{failures} of {len(images)} images could not be analyzed (see above).")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("porescope-demo"), "--out", help="Folder for the demo outputs."),
) -> None:
    """Analyze the sample photo that ships with porescope and write JSON, overlay, mask and CSV."""
    from importlib import resources

    from porescope.pipeline import run

    sample = resources.files("porescope") / "data" / "sample_closeup.jpg"
    out_dir.mkdir(parents=True, exist_ok=True)
    with resources.as_file(sample) as path:
        r = run(path, mode="closeup")
    files = dict(json_out=out_dir / "result.json", overlay_out=out_dir / "overlay.png", mask_out=out_dir / "mask.png", csv_out=out_dir / "pores.csv")
    write_outputs(r, **files)
    out.print(summary_table([r.analysis], title="porescope demo: synthetic close-up (sample_closeup.jpg)"))
    print_explanations(r.analysis)
    out.print(f"wrote {', '.join(str(p) for p in files.values())}", highlight=False)
    out.print(f"[dim]{r.analysis.disclaimer}[/]")


@app.command()
def schema() -> None:
    """Print the result JSON Schema."""
    from porescope.results import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


# --- commands contributed by other stages (each module exposes register(app)) ---
def _register_stage_commands() -> None:
    import importlib
    import importlib.util

    for name in ("porescope.advice_cli", "porescope.history_cli", "porescope.study_cli", "porescope.web_cli"):
        if importlib.util.find_spec(name) is not None:  # a missing stage is fine; a broken one must show
            importlib.import_module(name).register(app)


_register_stage_commands()


def main() -> None:
    """Console-script entry point."""
    tune_process()
    try:
        app()
    except PorescopeError as exc:  # raised outside a command's own handling
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
