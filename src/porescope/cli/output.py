"""What the measuring commands print and write: summary tables, explanations,
quality notes and the output files of ``analyze``."""

from __future__ import annotations

import sys
from pathlib import Path

from porescope.cli.base import fail
from porescope.labels import region_name


def check_suffix(path: Path | None, allowed: tuple[str, ...], opt: str) -> None:
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

        from porescope.output import render

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
        from porescope.output import render

        if json_out:
            render.write_text(json_out, analysis.model_dump_json(indent=1))
        if csv_out:
            render.write_text(csv_out, render.pores_csv(analysis))
            render.write_text(Path(csv_out).with_name(Path(csv_out).stem + ".regions.csv"), render.regions_csv(analysis))

    return write


def write_outputs(run, *, json_out=None, overlay_out=None, mask_out=None, csv_out=None, regions_out=None) -> None:
    """Write the requested files for one finished :class:`porescope.measure.pipeline.Run`
    (what :func:`image_writer` and :func:`text_writer` write during a run).
    Each file lands by an atomic rename."""
    hook = image_writer(overlay_out=overlay_out, mask_out=mask_out, regions_out=regions_out)
    if hook:
        hook(run.image, run.labels, run.pore_kind_dark, run.regions)
    texts = text_writer(json_out=json_out, csv_out=csv_out)
    if texts:
        texts(run.analysis)


def planned_outputs(images, per_image, json_out, overlay_out, mask_out, csv_out, regions_out) -> dict:
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
    # Too coarse a scale: counts *and sizes* are not meaningful (the photo problem says so), so no size,
    # shape or dark share either: "n/a", never a number the next line calls meaningless.
    return [
        region_name(r.name),
        str(r.pore_count) if meaningful else "n/a",
        dens if meaningful else "n/a",
        med if meaningful else "n/a",
        f"{r.coverage_pct:.1f}",
        (f"{r.mean_elongation:.2f}" if r.mean_elongation else "-") if meaningful else "n/a",
        f"{100 * r.dark_share:.0f}" if meaningful else "n/a",
        f"{r.visibility_score:.0f}/100",
    ]


SUMMARY_HEADERS = ["region", "pores", "density", "median size", "cover %", "length/width", "dark %", "visibility"]


def summary_lines(analyses: list, title: str = "porescope") -> list[str]:
    """One block per image: a table of its regions when it fits the terminal, else one line per region.

    Never a cut word, never a line wider than the terminal (see porescope.cli.textout).
    """
    from porescope.cli.textout import Blocks

    b = Blocks()
    b.heading(title)
    for a in analyses:
        name = Path(a.source.path).name if a.source.path else "image"
        if len(analyses) > 1:
            b.blank()
            b.para(f"{name}:")
        rows = [_region_cells(r) for r in a.regions]
        # A column no region has a number for (too coarse a scale) is named once below, not printed as n/a per row.
        heads = list(SUMMARY_HEADERS)
        idle = [i for i in range(1, len(heads)) if rows and all(row[i] in ("n/a", "-") for row in rows) and any(row[i] == "n/a" for row in rows)]
        if idle:
            rows = [[c for i, c in enumerate(row) if i not in idle] for row in rows]
            heads = [h for i, h in enumerate(heads) if i not in idle]
        # Regions with too little visible skin: no numbers at all, never zeros.
        missing = [(region_name(g.name), g.reason) for g in a.regions_not_measured]
        rows += [[nm, "not measured", *(["-"] * (len(heads) - 2))] for nm, _ in missing]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(heads)] if rows else []
        if rows and sum(widths) + 2 * (len(widths) - 1) <= b.width:
            fmt = lambda cells, widths=widths: "  ".join(  # noqa: E731 - a tiny local formatter
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
            b.lines.append(fmt(heads))
            b.lines.extend(fmt(row) for row in rows)
        else:
            for row in rows[: len(a.regions)]:
                b.para(", ".join(f"{h} {c}" for h, c in zip(heads[1:], row[1:], strict=True)), first=f"{row[0]}: ", hang=2)
            for nm, why in missing:
                b.para(f"not measured ({why})", first=f"{nm}: ", hang=2)
        if idle:
            b.para(f"Not meaningful in this photo, so not shown: {', '.join(SUMMARY_HEADERS[i] for i in idle)}.")
    return b.lines


def print_summary(analyses: list, title: str = "porescope") -> None:
    sys.stdout.write("\n".join(summary_lines(analyses, title)) + "\n")


def region_words(r) -> str:
    """What the summary table's numbers of a region mean, in words only, without the region's name: each
    number is said once, in the table (issue 22: not a table and then sentences repeating it)."""
    from porescope.measure.causes import shape_words
    from porescope.output.explain import visibility_words

    if r.area_px == 0:
        return "not measured (hidden, in shadow or outside the photo; see the photo problems listed)."
    words = f"pores {visibility_words(r.visibility_score)}"
    if not r.counts_meaningful:
        return f"{words}; the photo is too coarse to count or size pores here."
    if r.pore_count and r.mean_elongation:
        shape = shape_words(r.mean_elongation)
        aligned = " in one direction" if shape == "stretched" and (r.orientation_coherence or 0) >= 0.5 else ""
        words += f", {shape}{aligned}"
    return f"{words}."


def region_word_lines(regions) -> list[str]:
    """One line per distinct description, naming every region it fits ("Left cheek, right cheek: pores visible."),
    whole face last; six regions that read alike are said once."""
    groups: dict[str, list[str]] = {}
    for r in sorted(regions, key=lambda r: r.name == "face"):
        groups.setdefault(region_words(r), []).append(region_name(r.name))
    out = []
    for words, names in groups.items():
        named = ", ".join(names)
        out.append(f"{named[:1].upper()}{named[1:]}: {words}")
    return out


def print_explanations(a) -> None:
    """Capture problems, the scale, a words-only line per region (its numbers are in the table above)
    and the likely causes."""
    from porescope.cli.textout import Blocks
    from porescope.measure.causes import cause_line
    from porescope.output.explain import scale_line

    print_quality(a)
    b = Blocks()
    if a.settings.mode == "face" or a.scale.px_per_mm:
        b.para(scale_line(a))
    for line in region_word_lines(a.regions):
        b.para(line)
    for c in sorted(a.causes, key=lambda c: -c.strength):
        b.para(cause_line(c))
    if not a.dark_class_validated and any(r.counts_meaningful for r in a.regions):  # said only where a dark % is shown
        b.para("Dark % (plugged pores) is not yet validated on real skin: read it as a rough indication only.")
    b.print()


def print_quality(a) -> None:
    from porescope.cli.textout import Blocks

    b = Blocks()
    for p in a.quality.problems:
        b.para(f"{p.severity}, {p.code.replace('_', ' ')}: {p.message}")
    if not a.quality.measurable:
        b.para("The pore numbers for this photo are not meaningful because of the photo problems just listed.")
    if b.lines:
        b.print()
