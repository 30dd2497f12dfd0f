"""The one result schema every shell speaks (API, CLI JSON, web app, store, studies).

All lengths carry their unit in the name: ``_px`` for pixels of the
orientation-corrected input image, ``_mm`` / ``_mm2`` / ``_cm2`` for physical
units (only filled when the physical scale is known).

Bump :data:`SCHEMA_VERSION` on any change that renames or removes a field;
adding an optional field is a minor bump.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from porescope.strict import StrictModel  # one base for every record (re-exported here)

#: 1.1: ``regions_not_measured`` and ``dark_class_validated`` added; the close-up
#: ``frame`` region's label is 6 (was 1, shared with the forehead).
#: 1.2: ``Cause.strength_sd`` added.
#: 1.3: ``Cause.strength_range`` added (the re-captures' range a cause's word is judged on).
#: 1.4: ``SourceImage.camera``, ``SourceImage.iso`` and ``SourceImage.software`` added (two visits from different cameras, or light
#: levels far apart, are not compared: the phone's processing differs).
#: 1.5: ``Detail.pore_detail_fall_db`` added (the fall to pore detail on the photo's own pixels, which JPEG copies of
#: enlarged photos cannot hide).
#: 1.6: ``SourceImage.digital_zoom`` added (EXIF DigitalZoomRatio: a digitally zoomed photo holds less detail than its size).
SCHEMA_VERSION = "1.6"

Severity = Literal["info", "warning", "blocking"]
PoreKind = Literal["dark", "open"]
ScaleSource = Literal["user", "iris", "interpupillary", "face_width", "none"]




class QualityProblem(StrictModel):
    """One capture problem found by the quality gate."""

    code: str = Field(description="Stable machine code, e.g. 'too_blurry', 'underexposed'.")
    message: str = Field(description="Plain-language explanation and what to do about it.")
    severity: Severity = Field(
        description="'blocking' means the pore numbers are not meaningful for this photo."
    )
    value: float | None = Field(default=None, description="The measured figure behind the call.")
    limit: float | None = Field(default=None, description="The limit it was compared with.")


class Detail(StrictModel):
    """What the photo really resolves on the skin (see :mod:`porescope.measure.detail`)."""

    band_centres_cyc_per_mm: list[float] = Field(
        description="Centres of the spectrum's bands, cycles per mm on the skin (per 0.1 px when the scale is unknown).")
    spectrum_db: list[float | None] = Field(
        description="Power of the skin's log luminance per band (dB); None past the photo's Nyquist limit.")
    effective_px_per_mm: float | None = Field(
        default=None, description="Detail the photo holds, as px/mm: twice the frequency where the skin's texture sinks into the spectrum's floor. "
        "Blur, digital zoom and enlargement lower it whatever the photo's nominal scale.")
    fine_drop_db: float | None = Field(
        default=None, description="How far the skin's spectrum falls from the pore band (1.1-1.8 cycles/mm) to the fine band (2.5-3.4): "
        "blur and enlargement deepen it, sensor noise fills it.")
    pore_detail_fall_db: float | None = Field(
        default=None, description="How far the skin's texture falls from the scale of pores (0.6-1.1 cycles/mm) to the detail a 250 µm "
        "pore needs (1.75-2.5), read on the photo's own pixels with JPEG's block edges left out: an enlarged copy or soft focus deepens "
        "it, a JPEG copy does not hide that; None when the scale is unknown.")
    flat_share: float = Field(
        description="Share of skin pixels with no pixel-level variation (0-1): a real sensor leaves noise; denoising and smoothing flatten skin.")
    blockiness: float = Field(description="JPEG 8x8 block steps over the mean (1 = none; 1.2-2 at quality 60-30).")
    resolves_pores: bool | None = Field(default=None, description="Whether that detail resolves a 250 µm pore; None when it cannot be told.")


class Quality(StrictModel):
    """Capture-quality judgement of the photo, made before measuring."""

    sharpness: float = Field(description="Focus: fine-band / mid-band detail energy of L* in skin (about 1 = sharp; below 0.5 too blurry).")
    noise_sigma: float = Field(description="Estimated sensor noise (std, 8-bit grey levels).")
    mean_luminance: float = Field(description="Mean L* (0-100) of the analyzed skin.")
    clipped_fraction: float = Field(description="Share of skin pixels with a clipped (>=250) channel.")
    glare_fraction: float = Field(description=(
        "Share of skin pixels in bright, desaturated shine patches that reflect 1.5x or more the skin's median light."))
    measurable: bool = Field(description="False when a blocking problem makes pore numbers meaningless.")
    problems: list[QualityProblem] = Field(default_factory=list)
    detail: Detail | None = Field(default=None, description="What the photo really resolves on the skin (None in results from before porescope read it).")


class Scale(StrictModel):
    """Physical scale of the photo."""

    px_per_mm: float | None = Field(default=None, description="Pixels per millimetre on the skin; None if unknown.")
    source: ScaleSource = Field(default="none", description="Where the scale came from.")
    uncertainty_pct: float | None = Field(
        default=None, description="Relative 1-sigma uncertainty of px_per_mm, in percent."
    )
    resolves_pores: bool | None = Field(
        default=None,
        description="Whether a 250 µm pore spans >= 2 px (about 8-11 px/mm needed for the 250 µm detection threshold of Flament et al. 2015); None if unknown.",
    )


class Pore(StrictModel):
    """One detected pore."""

    id: int
    region: str = Field(description="Name of the region the pore's centroid falls in.")
    x_px: float = Field(description="Centroid column.")
    y_px: float = Field(description="Centroid row.")
    area_px: int
    area_mm2: float | None = None
    equiv_diameter_px: float
    equiv_diameter_mm: float | None = None
    major_axis_px: float
    minor_axis_px: float
    elongation: float = Field(description="major / minor axis (1 = round).")
    orientation_deg: float = Field(
        description="Angle of the major axis, degrees counter-clockwise from the image x axis, in [-90, 90)."
    )
    contrast_pct: float | None = Field(
        default=None,
        description="Mean relative contrast: how much less light the pore reflects than the skin around it, percent "
        "(in linear light, so exposure, white balance and skin tone cancel). The score and the dark/open class use this.",
    )
    core_pct: float | None = Field(default=None, description=(
        "Relative contrast of the pore's core, percent: its darkest point on the image smoothed at a fixed size (0.18 x the "
        "typical pore, so in mm when the scale is known). The dark/open class reads it."))
    contrast_dl: float = Field(description="ΔL* (CIELAB): mean darkness of the pore against its local, illumination-corrected background "
        "(moves with exposure; for reading, not comparing).")
    core_dl: float = Field(description="ΔL*: the pore's core (see core_pct) against the same background.")
    kind: PoreKind = Field(description="'dark' = blackhead-like plugged core, 'open' = open, shadowed pore.")
    clear: bool = Field(
        default=True,
        description="Counted in the region's headline numbers (count, density, coverage, visibility): its contrast at "
        "its own scale is clear of the detection limit. Fainter pores are found, drawn and listed, but cannot swing those numbers.",
    )


def pores_from_trusted(rows: list[dict]) -> list[Pore]:
    """Pore records from dicts the pipeline built itself, without re-validating them.

    Every dict must hold every :class:`Pore` field with the right type (the
    pipeline's own columns do). The objects are the ones
    ``Pore.model_construct(**row)`` gives (pydantic's way to skip validation
    for trusted data), set up directly: for 13,000 pores this takes ~16 ms
    where validation takes ~100 ms and ``model_construct`` ~180 ms.
    ``tests/test_results_schema.py`` checks they equal validated records.
    """
    fields_copy = set(Pore.model_fields).copy
    new, put = object.__new__, object.__setattr__
    out = []
    for row in rows:
        pore = new(Pore)
        put(pore, "__dict__", row)
        put(pore, "__pydantic_fields_set__", fields_copy())
        put(pore, "__pydantic_extra__", None)
        put(pore, "__pydantic_private__", None)
        out.append(pore)
    return out


class RegionMetrics(StrictModel):
    """Pore statistics for one analyzed region (a close-up frame, or a face region)."""

    name: str = Field(description="'frame' for close-ups; 'forehead', 'between_brows' (the glabella), 'nose', 'left_cheek', 'right_cheek', 'chin', "
                                  "'face' for faces.")
    label: int = Field(description=(
        "Value of this region in the --regions-out label image: forehead 1, nose 2, left_cheek 3, right_cheek 4, "
        "chin 5, a close-up's whole frame 6, between_brows 7 (0 = not analyzed; 'face', the union of the face regions, has 0 and no pixels of its own)."))
    area_px: int = Field(description="Skin pixels analyzed in this region.")
    area_cm2: float | None = None
    pore_count: int = Field(description="Clear pores in the region (see Pore.clear); every headline number is computed over these.")
    faint_pore_count: int = Field(default=0, description="Fainter pores found beside them: drawn and listed, not counted in the headline numbers.")
    density_per_cm2: float | None = Field(default=None, description="Pores per cm² (scale known).")
    density_per_mpx: float = Field(description="Pores per megapixel of analyzed skin.")
    mean_area_px: float | None = None
    median_area_px: float | None = None
    p90_area_px: float | None = None
    mean_area_mm2: float | None = None
    median_area_mm2: float | None = None
    p90_area_mm2: float | None = None
    coverage_pct: float = Field(description="Share of the region's skin covered by pores, percent.")
    large_pore_share: float = Field(description="Share of pores counted as large (see score.LARGE_PORE_*).")
    mean_elongation: float | None = None
    orientation_coherence: float | None = Field(
        default=None,
        description="0-1: how strongly elongated pores share one direction (1 = all aligned).",
    )
    dominant_orientation_deg: float | None = None
    dark_share: float = Field(description=(
        "Share of pores classed dark/plugged (core at least 39% darker than the skin around it, ΔL* 12.4 on skin of L* 65; "
        "see Pore.core_pct). Not validated on real skin: see Analysis.dark_class_validated."))
    mean_contrast_dl: float | None = None
    mean_contrast_pct: float | None = Field(default=None, description="Mean relative contrast of the region's pores, percent (see Pore.contrast_pct).")
    visibility_score: float = Field(description="0-100, higher = more visible pores; formula in pores/score.py.")
    counts_meaningful: bool = Field(
        default=True,
        description="False when the scale is too coarse to resolve pores: only the visibility score should be read.",
    )


class RegionNotMeasured(StrictModel):
    """A face region left out because too little of its skin is visible.

    It has no numbers at all (never zeros): it is absent from ``regions``."""

    name: str = Field(description="'forehead', 'between_brows', 'nose', 'left_cheek', 'right_cheek' or 'chin'.")
    reason: str = Field(description="Why, in words: 'outside the photo', 'in shadow', or hidden.")


class Cause(StrictModel):
    """A likely cause of visible pores, with how strongly the photo points to it."""

    cause: Literal["clogging", "laxity", "photoaging"]
    strength: float = Field(ge=0.0, le=1.0)
    strength_sd: float | None = Field(
        default=None, ge=0.0,
        description="SD of the strength when only the capture changes: measured on the photo's re-captures, or the typical SD "
        "(measure.causes.TYPICAL_STRENGTH_SD), see strength_range.")
    strength_range: tuple[float, float] | None = Field(
        default=None,
        description="Lowest and highest strength over the photo and its re-captures (the re-analyses the change engine runs "
        "for the photo's noise); null when the photo was not re-analysed, and then strength_sd is the typical SD. The word "
        "(likely / possible / not indicated) is judged on this range (or the strength alone) widened by 1.96 SD each side.")
    evidence: list[str] = Field(default_factory=list, description="The measurements behind it, in words.")
    care: str = Field(default="", description="What it means for care.")


class Settings(StrictModel):
    """Settings the analysis ran with (so a result can be reproduced)."""

    mode: Literal["closeup", "face"] = "closeup"
    roi: str | None = None
    px_per_mm_given: float | None = None
    min_diameter_px: float
    max_diameter_px: float
    detector: str
    sensitivity: float
    params: dict[str, float] | None = Field(
        default=None,
        description="The detector's tunable values the photo was measured with (porescope.measure.pores.params.DetectorParams: "
        "sensitivity, hysteresis thresholds, clear contrast, pore diameters in mm), beside the detector version. "
        "None in results stored before porescope recorded them (the defaults of their detector version).",
    )
    analysis_px_per_mm: float | None = Field(
        default=None,
        description="Resolution the pores were found at: the photo is resampled to a fixed px/mm whenever the scale is "
        "known, so the same skin gives the same pores at any camera distance. None: the photo's own pixels (scale unknown).",
    )


class SourceImage(StrictModel):
    path: str | None = None
    sha256: str | None = None
    width_px: int
    height_px: int
    format: str | None = None
    exif_orientation: int | None = None
    bit_depth: int = 8
    camera: str | None = Field(
        default=None, description="The camera module from the photo's EXIF: make, model and lens (a phone's wide, ultra-wide and "
        "telephoto cameras are separate sensors with their own processing). None when the file names none (a PNG, a screenshot, "
        "a copy whose EXIF a messaging app removed). Visits from different cameras are not compared.")
    iso: float | None = Field(
        default=None, description="The photo's sensitivity (EXIF ISO). A phone raises it in dim light and reduces the noise harder, "
        "which erases faint pores: visits of one camera more than a stop apart (ISO ratio over 2) are not compared.")
    software: str | None = Field(
        default=None, description="What saved the photo (EXIF Software): a camera's firmware or OS version, or a photo editor or "
        "beauty app (porescope.measure.exif.EDITING_APPS), whose filters may have smoothed or sharpened the skin: such a photo "
        "gets an 'edited' warning and is compared only with photos saved by the same app.")
    digital_zoom: float | None = Field(
        default=None, description="The digital zoom the phone recorded (EXIF DigitalZoomRatio), when above 1: the picture was "
        "cropped from the sensor's image and enlarged, so it holds the detail of a photo that many times smaller; such a photo "
        "gets a 'digital_zoom' warning. None when the file records no zoom.")


class Analysis(StrictModel):
    """The complete result of analyzing one photo."""

    schema_version: str = SCHEMA_VERSION
    porescope_version: str
    source: SourceImage
    scale: Scale
    quality: Quality
    regions: list[RegionMetrics]
    regions_not_measured: list[RegionNotMeasured] = Field(
        default_factory=list, description="Face regions with too little visible skin: not measured, so absent from 'regions'.")
    pores: list[Pore]
    dark_class_validated: bool = Field(
        default=False,
        description=(
            "Whether the dark/plugged pore class (kind 'dark', dark_share) has been shown to match what a person sees on "
            "real skin. False: on the real close-ups porescope was checked on, no pore's core reaches the 'dark' limit, "
            "including small dark dots a person would call plugged; read dark_share as indicative only."),
    )
    causes: list[Cause] = Field(default_factory=list)
    settings: Settings
    timings_ms: dict[str, float] = Field(default_factory=dict)
    disclaimer: str = Field(
        default=(
            "Cosmetic guidance, not a diagnosis. Pore size is largely genetic; care can change how "
            "visible pores look, not their anatomy. See a dermatologist for changing, painful, "
            "bleeding or inflamed spots."
        )
    )

    def region(self, name: str) -> RegionMetrics | None:
        """The metrics of the region called ``name``, or None."""
        return next((r for r in self.regions if r.name == name), None)


def json_schema() -> dict:
    """JSON Schema of :class:`Analysis` (what ``porescope schema`` prints)."""
    return Analysis.model_json_schema()
