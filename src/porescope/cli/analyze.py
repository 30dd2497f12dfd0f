"""``porescope analyze``, ``demo``, ``explain`` and ``schema``: measuring photos
and explaining the words, a thin shell over :mod:`porescope.measure`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from porescope.cli import base
from porescope.cli.base import fail
from porescope.cli.output import (
    check_output_folder,
    check_suffix,
    image_writer,
    planned_outputs,
    print_explanations,
    print_summary,
    text_writer,
    write_outputs,
)
from porescope.cli.types import Mode
from porescope.errors import PorescopeError

__all__ = ["register", "analyze", "demo", "explain_cmd", "schema"]

PROFILE_HELP = "Your profile as JSON (see 'porescope routine --example-profile'): age, sun exposure and skin type feed the likely causes."
CAUSE_SPREAD_HELP = ("Measure how far each cause strength moves on this photo: re-analyse it under the change engine's 9 capture "
                     "changes (about 10x the time). Without it, causes carry the typical spread.")


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
        1.0, "--sensitivity", min=0.25, max=4.0, metavar="NUMBER",
        help="0.25-4; above 1 also finds and counts fainter pores (never fewer; outlines unchanged), below 1 only clearer ones.",
    ),
    profile: Optional[Path] = typer.Option(None, "--profile", "-p", metavar="FILE", help=PROFILE_HELP, callback=lambda p: _load_profile(p) if p else None),
    cause_spread: bool = typer.Option(False, "--cause-spread", help=CAUSE_SPREAD_HELP),
) -> None:
    """Find and measure the pores in one or more photos, and list the files written.

    With several photos, output paths get the photo's name inserted
    (out.json -> out.PHOTO.json); two outputs that would land on the same file
    are refused before anything is analyzed.
    """
    from porescope.measure.pipeline import run

    check_suffix(json_out, (".json",), "--json")
    check_suffix(csv_out, (".csv",), "--csv")
    for p, opt in ((overlay_out, "--overlay"), (mask_out, "--mask-out"), (regions_out, "--regions-out")):
        check_suffix(p, (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff") if opt == "--overlay" else (".png",), opt)
    mode = mode.value
    check_output_folder(json_out, overlay_out, mask_out, csv_out, regions_out)
    if roi is not None and len(images) > 1:
        fail("--roi applies to a single photo; run the images one by one with their own masks.")
    many = len(images) > 1

    def per_image(p: Path | None, img: Path) -> Path | None:
        if p is None or not many:
            return p
        return p.with_name(f"{p.stem}.{img.stem}{p.suffix}")

    planned = planned_outputs(images, per_image, json_out, overlay_out, mask_out, csv_out, regions_out)
    written: list[Path] = []

    analyses = []
    failures = 0
    if many:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=base.err, transient=True)
    else:
        progress = None
    task = progress.add_task("analyzing", total=len(images)) if progress else None
    if progress:
        progress.start()
    try:
        for img in images:
            try:
                hook = image_writer(overlay_out=per_image(overlay_out, img), mask_out=per_image(mask_out, img), regions_out=per_image(regions_out, img))
                texts = _with_profile(text_writer(json_out=per_image(json_out, img), csv_out=per_image(csv_out, img)), profile)
                with base.spinner(f"analyzing {img.name}") if not many else _nothing():
                    r = _run_one(run, img, texts, profile, cause_spread, roi=roi, px_per_mm=px_per_mm, mode=mode, sensitivity=sensitivity, on_pores=hook)
                analyses.append(r.analysis)
                written.extend(planned[img])
            except PorescopeError as exc:
                if not many:
                    fail(str(exc))
                failures += 1
                base.print_error(exc)
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
        from porescope.cli.textout import Blocks

        b = Blocks()
        b.blank()
        b.para("Wrote:")
        for p in written:  # one path a line: a path is one word and is never cut
            b.para(str(p), indent=2)
        b.print()
    if failures:
        fail(f"{failures} of {len(images)} images could not be analyzed (see above).")


def _nothing():
    import contextlib

    return contextlib.nullcontext()


def _load_profile(path: Path):
    """The profile for the cause scoring, or one clear line and exit."""
    from porescope.advise.profile import load_profile

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read the profile {path}: {getattr(exc, 'strerror', None) or exc}")
    try:
        return load_profile(text)
    except PorescopeError as exc:
        fail(f"{path}: {exc}")


def _run_one(run, img, texts, prof, cause_spread: bool, **kw):
    """One photo through the pipeline; with ``cause_spread`` the JSON/CSV wait for the spread measured on its re-captures."""
    later, texts = (texts, None) if cause_spread else (None, texts)
    r = run(img, on_analysis=texts, **kw)
    if cause_spread:
        _measure_cause_spread(r, prof, masked=kw.get("roi") is not None)
        if later is not None:
            later(r.analysis)
    return r


def _measure_cause_spread(r, prof, *, masked: bool) -> None:
    """Score the causes again with their spread measured on this photo's re-captures (measure.causes.recapture_strength_sd)."""
    from porescope.measure.cause_spread import recapture_strengths, strength_spread
    from porescope.measure.causes import likely_causes

    a = r.analysis
    if not (a.quality.measurable and a.causes):
        return
    spread = strength_spread(recapture_strengths(r.image.rgb, a, roi=r.regions.skin if masked else None, profile=prof))
    if spread:
        a.causes = likely_causes(a, prof, strength_sd={c: v[0] for c, v in spread.items()},
                                 strength_range={c: v[1:] for c, v in spread.items()})


def _with_profile(hook, prof):
    """An ``on_analysis`` hook that scores the causes with the profile first (so the JSON and CSV written carry them)."""
    if prof is None:
        return hook

    def on_analysis(a) -> None:
        from porescope.measure.causes import likely_causes

        if a.quality.measurable:
            a.causes = likely_causes(a, prof)
        if hook is not None:
            hook(a)

    return on_analysis


def demo(
    out_dir: Path = typer.Option(Path("porescope-demo"), "--out", metavar="FOLDER", help="Folder for the demo outputs."),
) -> None:
    """Analyze the sample photo that ships with porescope and write JSON, overlay, mask and CSV."""
    from importlib import resources

    from porescope.measure.pipeline import run

    sample = resources.files("porescope") / "data" / "sample_closeup.jpg"
    out_dir.mkdir(parents=True, exist_ok=True)
    with resources.as_file(sample) as path, base.spinner("analyzing the sample photo"):
        r = run(path, mode="closeup")
    files = dict(json_out=out_dir / "result.json", overlay_out=out_dir / "overlay.png", mask_out=out_dir / "mask.png", csv_out=out_dir / "pores.csv")
    write_outputs(r, **files)
    print_summary([r.analysis], title="porescope demo: synthetic close-up (sample_closeup.jpg)")
    print_explanations(r.analysis)
    csv_regions = files["csv_out"].with_name(files["csv_out"].stem + ".regions.csv")
    from porescope.cli.textout import Blocks

    b = Blocks()
    b.para("Wrote:")
    for p in (*files.values(), csv_regions):
        b.para(str(p), indent=2)
    b.para(r.analysis.disclaimer)
    b.print()


def explain_cmd(
    metric: Optional[str] = typer.Argument(
        None, metavar="METRIC", help="A number porescope shows, e.g. visibility, elongation, dark_share (none: list all)."
    ),
) -> None:
    """Say in one plain sentence what a number porescope shows means."""
    from porescope.cli.textout import Blocks
    from porescope.glossary import find, terms

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


def schema() -> None:
    """Print the result JSON Schema."""
    from porescope.results import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


def register(app: typer.Typer) -> None:
    """Add the measuring commands to ``app`` (in the order ``--help`` lists them)."""
    app.command()(analyze)
    app.command()(demo)
    app.command("explain")(explain_cmd)
    app.command()(schema)
