"""Plain-language lines for a person: one per region, the scale, likely causes.

Used by the CLI's one-screen summary; any shell may reuse it. Words only,
no markup: the caller styles them.
"""

from __future__ import annotations

from porescope.measure.causes import aligned_words, cause_line, shape_words
from porescope.results import Analysis, RegionMetrics

NICE_NAMES = {
    "frame": "Photo",
    "forehead": "Forehead",
    "between_brows": "Between the brows",
    "nose": "Nose",
    "left_cheek": "Left cheek",
    "right_cheek": "Right cheek",
    "chin": "Chin",
    "face": "Whole face",
}
#: Visibility score bands (0-100, pores/score.py), lower bound -> words.
VISIBILITY_WORDS = ((80, "very visible"), (60, "clearly visible"), (40, "visible"), (20, "faintly visible"), (0, "barely visible"))
SCALE_SOURCE_WORDS = {
    "user": "as you gave it",
    "iris": "from the iris size (about 11.7 mm in adults)",
    "interpupillary": "from the distance between the eyes (about 63 mm in adults)",
    "face_width": "from the face width",
}


def visibility_words(score: float) -> str:
    """The visibility score in words.

    Parameters
    ----------
    score : float
        Visibility score (0-100).

    Returns
    -------
    str
        The phrase of the band the score falls in (VISIBILITY_WORDS).
    """
    return next(w for lo, w in VISIBILITY_WORDS if score >= lo)


def region_line(r: RegionMetrics) -> str:
    """One sentence about a region's pores.

    Parameters
    ----------
    r : RegionMetrics
        The region's metrics.

    Returns
    -------
    str
    """
    name = NICE_NAMES.get(r.name, r.name.replace("_", " ").capitalize())
    if r.area_px == 0:
        return f"{name}: not measured (hidden, in shadow or outside the photo; see the photo problems listed)."
    vis = f"pores {visibility_words(r.visibility_score)} ({r.visibility_score:.0f}/100)"
    if not r.counts_meaningful:
        return f"{name}: {vis}; the photo is too coarse to count or size pores here."
    bits = [vis]
    if r.density_per_cm2 is not None:
        bits.append(f"{r.pore_count} pores, {r.density_per_cm2:.0f} per cm²")
    else:
        bits.append(f"{r.pore_count} pores")
    if r.median_area_mm2 is not None:
        bits.append(f"typical size {r.median_area_mm2:.3f} mm²")
    if r.pore_count:
        bits.append(f"{100 * r.dark_share:.0f}% look plugged")
        if r.mean_elongation:
            shape = shape_words(r.mean_elongation)
            coh = r.orientation_coherence
            aligned = f" that {aligned_words(coh)}" if shape == "stretched" and coh is not None else ""
            bits.append(f"pores {shape}{aligned} (mean length/width {r.mean_elongation:.2f})")
    return f"{name}: " + ", ".join(bits) + "."


def scale_line(a: Analysis, given: str | None = None) -> str:
    """One sentence saying the photo's scale and where it came from.

    Parameters
    ----------
    a : Analysis
        The analysis.
    given : str, optional
        How a scale the user gave is described (default: the CLI's "given with --px-per-mm").

    Returns
    -------
    str
    """
    s = a.scale
    if not s.px_per_mm:
        return "Scale: unknown, so sizes are in pixels (give --px-per-mm, or use a full-face photo)."
    unc = f", ±{s.uncertainty_pct:.0f}%" if s.uncertainty_pct else ""
    words = given if given and s.source == "user" else SCALE_SOURCE_WORDS.get(s.source, s.source)
    line = f"Scale: {s.px_per_mm:.1f} px per mm, {words}{unc}."
    if s.resolves_pores is False:
        line += " That is too coarse to resolve pores (about 8 px/mm needed): only visibility is reported. Move closer."
    return line


def summary_lines(a: Analysis, with_causes: bool = True, scale_given: str | None = None) -> list[str]:
    """The explanation of an analysis in plain sentences.

    Parameters
    ----------
    a : Analysis
        The analysis.
    with_causes : bool
        Add the likely causes, strongest first (see :func:`~porescope.measure.causes.cause_line`).
    scale_given : str, optional
        How a scale the user gave is described (see :func:`scale_line`).

    Returns
    -------
    list of str
        The scale, one line per region (whole face last), then the causes.
    """
    lines = [scale_line(a, scale_given)] if a.settings.mode == "face" or a.scale.px_per_mm else []
    lines += [region_line(r) for r in a.regions if r.name != "face"]
    lines += [region_line(r) for r in a.regions if r.name == "face"]
    for c in sorted(a.causes, key=lambda c: -c.strength) if with_causes else []:
        lines.append(cause_line(c))
    return lines
