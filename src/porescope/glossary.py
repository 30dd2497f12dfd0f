"""What each number porescope shows means, in one plain sentence.

One source for every shell: ``porescope explain METRIC`` prints it, the web
pages show it as a tooltip and a footnote, the reports as footnotes, and the
README table is generated from it (tests check they agree).
"""

from __future__ import annotations

# The names of metrics and regions live beside the glossary, in porescope.labels (one table for every shell).
from porescope.labels import REGION_NAMES, region_name  # noqa: F401 (re-exported)

__all__ = ["GLOSSARY", "Term", "find", "terms"]


class Term(tuple):
    """(key, name, sentence, aliases)."""

    __slots__ = ()

    def __new__(cls, key: str, name: str, sentence: str, aliases: tuple[str, ...] = ()):
        return super().__new__(cls, (key, name, sentence, aliases))

    key = property(lambda self: self[0])
    name = property(lambda self: self[1])
    sentence = property(lambda self: self[2])
    aliases = property(lambda self: self[3])


GLOSSARY: tuple[Term, ...] = (
    Term("visibility", "Visibility (0-100)",
         "How visible the pores are in this photo, from 0 (none seen) to 100 (very visible); it mixes how much skin "
         "they cover, how many are large and how dark they look, and it is not a health score.",
         ("visibility_score", "score")),
    Term("pores", "Pores (count)", "How many clearly visible pores porescope found in the region (at least 4.4% darker "
         "than the skin around them); fainter ones are drawn and listed but not counted, so a little noise or a "
         "different exposure cannot change the count.", ("pore_count", "count", "clear", "faint", "faint_pore_count")),
    Term("density", "Density (per cm² or per MP)",
         "Pores per square centimetre of skin when the scale is known, otherwise pores per million pixels of the photo.",
         ("density_per_cm2", "density_per_mpx")),
    Term("median_size", "Median size (mm² or px)",
         "The area of the typical pore (half are smaller, half larger), in square millimetres when the scale is known, "
         "otherwise in pixels.", ("median_area_mm2", "median_area_px", "size")),
    Term("coverage", "Cover %", "The share of the region's skin taken up by pores, in percent.", ("coverage_pct", "cover")),
    Term("large_share", "Large pores", "The share of pores counted as large: at least 0.5 mm across, twice the smallest pore a "
         "dermatoscope study of 2,585 women counted (250 µm).", ("large_pore_share",)),
    Term("elongation", "Length/width (elongation)",
         "How stretched the pores are: 1 is perfectly round, and 1.6 or more is called stretched, which is how pores "
         "look as skin loses firmness.", ("mean_elongation", "length_width")),
    Term("alignment", "Alignment (0-1)",
         "Whether stretched pores point the same way: 0 is every direction, 1 is all in one direction (the sagging "
         "pattern).", ("orientation_coherence", "coherence")),
    Term("dark_share", "Dark share (dark %)",
         "The share of pores with a dark, plugged core (blackhead-like: its core, read at a fixed size, reflects 39% or more "
         "less light than the skin around it) rather than an open, shadowed opening.",
         ("dark", "dark_pct", "plugged")),
    Term("cause_strength", "Cause strength (0-1)",
         "How strongly the photo points to a cause, with the range it takes over re-takes of the photo (or a typical "
         "spread when the photo was not re-taken), widened by 95% noise: called likely when even its low end is 0.5 or "
         "more, not indicated when even its high end is under 0.25, possible in between; it is not a diagnosis.",
         ("strength", "laxity", "clogging", "photoaging")),
    Term("scale", "Scale (px per mm)", "How many pixels of the photo span one millimetre of skin; about 8 or more is "
         "needed to see pores as shapes.", ("px_per_mm",)),
    Term("sharpness", "Sharpness", "How much fine detail the skin shows compared with coarser detail: about 1 is "
         "sharp, below 0.5 is too blurry to measure.", ()),
    Term("effective_resolution", "Detail (effective px per mm)",
         "How much detail the photo really holds on the skin, whatever its size or scale says: soft focus, digital "
         "zoom and enlarged copies lower it; below about 5.8, with the finest detail gone, pores are not resolved, so counts and sizes are left out.",
         ("effective_px_per_mm", "detail", "resolution", "effective_resolution_px_per_mm")),
    Term("pore_detail_fall", "Fall to pore detail (dB)",
         "How much fainter the skin's texture is at the fineness a 250 µm pore needs (about 2 cycles per mm) than at the "
         "size of pores themselves, read on the photo's own pixels with the edges of JPEG's 8x8 blocks left out, so a "
         "compressed copy cannot hide an enlargement: photos as taken fall 10-15 dB, copies enlarged 4 times 20 dB or "
         "more; above 19 dB pores are not resolved, so counts and sizes are left out.",
         ("pore_detail_fall_db", "fall", "enlarged", "upscaled")),
    Term("flat_share", "Smoothed skin (flat share)",
         "The share of skin with no pixel-level grain at all: a real camera always leaves some, so a large share "
         "(0.4 or more) means the photo was denoised or beautified and its faint pores were erased.",
         ("smoothed", "flat", "noise_floor")),
    Term("camera", "Camera and ISO",
         "Which camera took the photo and how sensitive it was set (from the file's EXIF): each phone, and each of a "
         "phone's cameras, reduces noise and sharpens in its own way, and in dim light it raises the ISO and smooths harder, "
         "erasing faint pores; so two visits are compared only when one camera took both, at most one stop of ISO apart.",
         ("iso", "device", "phone")),
    Term("noise", "Noise (σ)", "How grainy the photo is: the typical random variation of a pixel, in grey levels "
         "out of 255; above about 4 porescope warns that faint pores may drown in the grain.", ("noise_sigma", "sigma", "noise_σ")),
    Term("brightness", "Mean L* (brightness)",
         "How bright the skin is on the CIELAB lightness scale from 0 (black) to 100 (white); very low or very high "
         "means the photo is too dark or washed out.", ("mean_luminance", "mean_l", "l", "lightness", "luminance")),
    Term("glare", "Shine (glare)", "The share of skin covered by bright, colourless shine patches well above the skin's own light (1.5 times or "
         "more), which hide pores and often mean oily skin or direct light.", ("glare_fraction", "shine")),
    Term("clipped", "Clipped", "The share of skin pixels so bright that the camera lost detail there.",
         ("clipped_fraction",)),
    Term("contrast", "Contrast (%)", "How much less light a pore reflects than the skin around it, in percent; "
         "measured relative to the skin, so it does not change with exposure, light colour or skin tone.",
         ("contrast_pct", "core_pct", "mean_contrast_pct", "relative_contrast")),
    Term("change", "Change and its interval",
         "The difference between two visits with a 95% interval: when the interval includes 0, the change is within "
         "what retaking the same photo would give.", ("delta", "interval", "noise_interval")),
)


def terms() -> tuple[Term, ...]:
    return GLOSSARY


def _norm(text: str) -> str:
    for ch in "-*()/%":
        text = text.replace(ch, " ")
    return "_".join(text.strip().lower().split())


def find(name: str) -> Term | None:
    """The term for a key, alias or displayed name (any case), or None."""
    key = _norm(name)
    for t in GLOSSARY:
        if key in (t.key, _norm(t.name), *(_norm(a) for a in t.aliases)):
            return t
    return None
