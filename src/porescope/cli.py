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

from porescope import __version__
from porescope.errors import PorescopeError
from porescope.glossary import REGION_NAMES

app = typer.Typer(
    # Plain click help: "--json FILE", "--mode [auto|face|closeup]" (Typer\'s rich panels show
    # Python types such as <bool> and <list[Path]>, and importing them slows every --help).
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=True,
    help="porescope: find, measure and track visible skin pores on your own machine. Cosmetic guidance, not a diagnosis.",
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)


from porescope.cli_types import Mode, plain_help  # noqa: E402

plain_help()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"porescope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print porescope's version and exit."
    ),
) -> None:
    """porescope: find, measure and track visible skin pores on your own machine. Cosmetic guidance, not a diagnosis."""



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


def _planned_outputs(images, per_image, json_out, overlay_out, mask_out, csv_out, regions_out) -> dict:
    """Every file each photo will write, in order; fail when two would land on the same file."""
    planned: dict = {}
    owner: dict = {}
    inputs = {Path(i).resolve() for i in images}
    for img in images:
        paths = []
        for p in (json_out, overlay_out, mask_out, csv_out, regions_out):
            q = per_image(p, img)
            if q is None:
                continue
            paths.append(q)
            if q is csv_out or (csv_out is not None and q == per_image(csv_out, img)):
                paths.append(q.with_name(q.stem + ".regions.csv"))
        for q in paths:
            key = q.resolve()
            if key in inputs:
                fail(f"{q}: that is one of the photos; choose another output name.")
            if key in owner:
                first = owner[key]
                why = f"for both {first} and {img}" if first != img else f"by two options for {img}"
                fail(f"{q} would be written {why}; give the photos different names or run them one by one.")
            owner[key] = img
        planned[img] = paths
    return planned


def check_output_folder(*paths) -> None:
    """Fail before analyzing when an output's folder does not exist."""
    for p in paths:
        if p is not None and not Path(p).parent.exists():
            fail(f"{p}: folder {Path(p).parent} does not exist; create it first.")




def _region_cells(r) -> list[str]:
    if r.density_per_cm2 is not None:
        dens = f"{r.density_per_cm2:.0f}/cm²"
    else:
        dens = f"{r.density_per_mpx:.0f}/MP"
    if r.median_area_mm2 is not None:
        med = f"{r.median_area_mm2:.3f} mm²"
    else:
        med = f"{r.median_area_px:.0f} px" if r.median_area_px is not None else "-"
    meaningful = r.counts_meaningful
    return [
        REGION_NAMES.get(r.name, r.name.replace("_", " ")),
        str(r.pore_count) if meaningful else "n/a",
        dens if meaningful else "n/a",
        med,
        f"{r.coverage_pct:.1f}",
        f"{r.mean_elongation:.2f}" if r.mean_elongation else "-",
        f"{100 * r.dark_share:.0f}",
        f"{r.visibility_score:.0f}/100",
    ]


SUMMARY_HEADERS = ["region", "pores", "density", "median size", "cover %", "length/width", "dark %", "visibility"]


def summary_lines(analyses: list, title: str = "porescope") -> list[str]:
    """One block per image: a table of its regions when it fits the terminal, else one line per region.

    Never a cut word, never a line wider than the terminal (see porescope.textout).
    """
    from porescope.textout import Blocks

    b = Blocks()
    b.heading(title)
    for a in analyses:
        name = Path(a.source.path).name if a.source.path else "image"
        if len(analyses) > 1:
            b.blank()
            b.para(f"{name}:")
        rows = [_region_cells(r) for r in a.regions]
        # Regions with too little visible skin: no numbers at all, never zeros.
        missing = [(REGION_NAMES.get(g.name, g.name.replace("_", " ")), g.reason) for g in a.regions_not_measured]
        rows += [[nm, "not measured", *(["-"] * (len(SUMMARY_HEADERS) - 2))] for nm, _ in missing]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(SUMMARY_HEADERS)] if rows else []
        if rows and sum(widths) + 2 * (len(widths) - 1) <= b.width:
            fmt = lambda cells: "  ".join(  # noqa: E731 - a tiny local formatter
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
            b.lines.append(fmt(SUMMARY_HEADERS))
            b.lines.extend(fmt(row) for row in rows)
        else:
            for row in rows[: len(a.regions)]:
                b.para(", ".join(f"{h} {c}" for h, c in zip(SUMMARY_HEADERS[1:], row[1:], strict=True)), first=f"{row[0]}: ", hang=2)
            for nm, why in missing:
                b.para(f"not measured ({why})", first=f"{nm}: ", hang=2)
    return b.lines


def print_summary(analyses: list, title: str = "porescope") -> None:
    sys.stdout.write("\n".join(summary_lines(analyses, title)) + "\n")


def print_explanations(a) -> None:
    """Capture problems, then a plain-language line per region and the likely causes."""
    from porescope.explain import summary_lines as explain_lines
    from porescope.textout import Blocks

    print_quality(a)
    b = Blocks()
    for line in explain_lines(a):
        b.para(line)
    if not a.dark_class_validated:
        b.para("Dark % (plugged pores) is not yet validated on real skin: read it as a rough indication only.")
    b.print()


def print_quality(a) -> None:
    from porescope.textout import Blocks

    b = Blocks()
    for p in a.quality.problems:
        b.para(f"{p.severity}, {p.code.replace('_', ' ')}: {p.message}")
    if not a.quality.measurable:
        b.para("The pore numbers for this photo are not meaningful because of the photo problems just listed.")
    if b.lines:
        b.print()


@app.command()
def analyze(
    images: list[Path] = typer.Argument(..., metavar="PHOTO", help="Photo files (JPEG, PNG, TIFF, WebP, HEIC)."),
    roi: Optional[Path] = typer.Option(
        None, "--roi", metavar="MASK", help="Mask image, same size as the photo: white = the skin to analyze."
    ),
    px_per_mm: Optional[float] = typer.Option(
        None, "--px-per-mm", metavar="NUMBER", help="Physical scale: pixels per millimetre on the skin."
    ),
    mode: Mode = typer.Option(Mode.auto, "--mode", case_sensitive=False, help="What the photo shows: auto decides from the photo."),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE", help="Write the result JSON to FILE (.json)."),
    overlay_out: Optional[Path] = typer.Option(
        None, "--overlay", metavar="FILE", help="Write the photo with pores outlined to FILE (.png or .jpg)."
    ),
    mask_out: Optional[Path] = typer.Option(None, "--mask-out", metavar="FILE", help="Write the pore mask to FILE (.png; 255 = pore)."),
    csv_out: Optional[Path] = typer.Option(
        None, "--csv", metavar="FILE", help="Write one row per pore to FILE (.csv), and one per region to FILE.regions.csv."
    ),
    regions_out: Optional[Path] = typer.Option(
        None, "--regions-out", metavar="FILE", help="Write the region label image to FILE (.png; 0 = not analyzed)."
    ),
    sensitivity: float = typer.Option(
        1.0, "--sensitivity", min=0.25, max=4.0, metavar="NUMBER", help="0.25-4; above 1 finds fainter pores."
    ),
) -> None:
    """Find and measure the pores in one or more photos, and list the files written.

    With several photos, output paths get the photo's name inserted
    (out.json -> out.PHOTO.json); two outputs that would land on the same file
    are refused before anything is analyzed.
    """
    from porescope.pipeline import run

    _suffix_check(json_out, (".json",), "--json")
    _suffix_check(csv_out, (".csv",), "--csv")
    for p, opt in ((overlay_out, "--overlay"), (mask_out, "--mask-out"), (regions_out, "--regions-out")):
        _suffix_check(p, (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff") if opt == "--overlay" else (".png",), opt)
    mode = mode.value
    check_output_folder(json_out, overlay_out, mask_out, csv_out, regions_out)
    if roi is not None and len(images) > 1:
        fail("--roi applies to a single photo; run the images one by one with their own masks.")
    many = len(images) > 1

    def per_image(p: Path | None, img: Path) -> Path | None:
        if p is None or not many:
            return p
        return p.with_name(f"{p.stem}.{img.stem}{p.suffix}")

    planned = _planned_outputs(images, per_image, json_out, overlay_out, mask_out, csv_out, regions_out)
    written: list[Path] = []

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
                written.extend(planned[img])
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
        print_summary(analyses)
        for a in analyses:
            if len(analyses) > 1:
                sys.stdout.write(f"\n{Path(a.source.path).name if a.source.path else 'image'}:\n")
            print_explanations(a)
    if written:
        from porescope.textout import Blocks

        b = Blocks()
        b.blank()
        b.para("Wrote:")
        for p in written:  # one path a line: a path is one word and is never cut
            b.para(str(p), indent=2)
        b.print()
    if failures:
        fail(f"{failures} of {len(images)} images could not be analyzed (see above).")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("porescope-demo"), "--out", metavar="FOLDER", help="Folder for the demo outputs."),
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
    print_summary([r.analysis], title="porescope demo: synthetic close-up (sample_closeup.jpg)")
    print_explanations(r.analysis)
    csv_regions = files["csv_out"].with_name(files["csv_out"].stem + ".regions.csv")
    from porescope.textout import Blocks

    b = Blocks()
    b.para("Wrote:")
    for p in (*files.values(), csv_regions):
        b.para(str(p), indent=2)
    b.para(r.analysis.disclaimer)
    b.print()


@app.command("explain")
def explain_cmd(
    metric: Optional[str] = typer.Argument(
        None, metavar="METRIC", help="A number porescope shows, e.g. visibility, elongation, dark_share (none: list all)."
    ),
) -> None:
    """Say in one plain sentence what a number porescope shows means."""
    from porescope.glossary import find, terms
    from porescope.textout import Blocks

    b = Blocks()
    if metric is None:
        for t in terms():
            b.para(f"{t.name}: {t.sentence}", first="* ", hang=2)
            b.para(f"(porescope explain {t.key})", indent=2)
        b.print()
        return
    t = find(metric)
    if t is None:
        fail(f"no metric called {metric!r}; known: {', '.join(x.key for x in terms())}.")
    b.para(f"{t.name}: {t.sentence}")
    b.print()


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
    from porescope.textout import pipe_safe_stdout

    tune_process()
    pipe_safe_stdout()
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
