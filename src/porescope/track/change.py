"""Honest change between two photos of the same skin.

Pure functions (arrays and :class:`~porescope.results.Analysis` in, pydantic
records out); no files or database. Used by the history store and by the
study runner.

The rule: a difference between two visits is reported as *improved* or
*worse* only when it is larger than the measurement noise of both visits,
i.e. when the 95% interval ``delta ± 1.96·sqrt(noise_a² + noise_b²)``
excludes zero. For every key metric (visibility score, pore count, density,
coverage, elongation, dark share) *lower* means less visible pores.

Every shell that says whether pores changed (``history compare``, the
history report's trend plot, the web compare page, the study's change table)
calls :func:`compare_metrics` / :func:`metric_change` here, on the same
stored, capture-invariant metrics (see :mod:`porescope.measure.pores.score`): nothing
is re-measured or colour-corrected after the fact, so no correction can flip
the sign of a real change.

Noise of one visit comes from

* its repeat captures (two photos taken at the same sitting), when there are
  two or more: the SD of each metric across them; or
* re-analysing its photo under the family of capture changes a re-take brings
  (:data:`porescope.measure.recapture.CAPTURE_CHANGES`: exposure x0.8/x1.2, warmer and
  cooler light, JPEG q75, 5° rotation, camera distance x0.85/x1.15, sensor
  noise σ 3): the SD of each metric across those re-analyses.

Either way the SD is held at or above :func:`noise_floor` (2% of the value:
the low end of the 2-4% week-to-week repeatability reported for VISIA pores,
Henseler 2022, doi:10.3205/iprs000165), because a handful of samples can by
chance agree exactly.

Close-ups are registered (:mod:`porescope.measure.register`: ORB features +
RANSAC, refined by ECC) only to check that the two photos show the same patch
of skin and how much of it they share; when registration fails, the comparison says so and says what was
compared instead. Face photos are compared region by region.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from pydantic import Field

from porescope.errors import PorescopeError
from porescope.measure.quality import unresolved_pores
from porescope.measure.recapture import CAPTURE_CHANGES, PROCESSING_CHANGES, recapture
from porescope.measure.register import ALIGN_MAX_SIDE_PX, Alignment, align
from porescope.results import Analysis, StrictModel
from porescope.track.models import KEY_METRICS, Comparison, MetricChange, RegionChange, Verdict

log = logging.getLogger(__name__)

#: Two-sided 95% normal quantile for the change interval.
Z95 = 1.96
#: Relative noise floor: 2% of the value, the low end of VISIA's 2-4% pore
#: repeatability (Henseler 2022, doi:10.3205/iprs000165).
REL_NOISE_FLOOR = 0.02
#: Absolute noise floors, per metric, for values near zero (units of the metric):
#: one pore; 0.5 score points; 0.05 coverage points; 0.01 elongation / dark share.
ABS_NOISE_FLOOR = {
    "pore_count": 1.0, "density": 0.0, "visibility_score": 0.5, "coverage_pct": 0.05,
    "mean_elongation": 0.01, "dark_share": 0.01,
}


class Noise(StrictModel):
    """Measurement noise (1 SD) of one visit's metrics, per region and metric."""

    source: Literal["repeat_capture", "perturbation", "none"]
    samples: int = Field(description="Analyses the SD was computed from.")
    sd: dict[str, dict[str, float]] = Field(default_factory=dict, description="region -> metric -> SD (floor applied).")
    perturbations: list[str] = Field(default_factory=list)
    cause_strengths: dict[str, list[float]] = Field(
        default_factory=dict,
        description="cause -> its strength on the photo, then on each re-analysis (or capture) the SD came from: the visit's "
        "cause spread (measure.causes.strength_spread), from the same analyses. Empty in noise stored before it was kept.")

    def get(self, region: str, metric: str, value: float) -> float:
        """The SD for a metric, or the floor when the region/metric was not sampled."""
        return max(self.sd.get(region, {}).get(metric, 0.0), noise_floor(metric, value))


# ------------------------------------------------------------------ metrics
def key_metrics(analysis: Analysis) -> dict[str, dict[str, float]]:
    """region -> key metric -> value (None-valued and not-meaningful counts left out).

    ``density`` is per cm² when the scale is known, else per megapixel.
    """
    out: dict[str, dict[str, float]] = {}
    for r in analysis.regions:
        if r.area_px == 0:  # no skin seen (older results kept such regions): not measured, not a zero
            continue
        d = {
            "pore_count": float(r.pore_count),
            "density": r.density_per_cm2 if r.density_per_cm2 is not None else r.density_per_mpx,
            "visibility_score": r.visibility_score,
            "coverage_pct": r.coverage_pct,
            "mean_elongation": r.mean_elongation,
            "dark_share": r.dark_share,
        }
        if not r.counts_meaningful:
            d.pop("pore_count")
            d.pop("density")
        out[r.name] = {k: float(v) for k, v in d.items() if v is not None and math.isfinite(v)}
    return out


def noise_floor(metric: str, value: float) -> float:
    """Smallest SD a metric is allowed (see module docstring)."""
    return max(REL_NOISE_FLOOR * abs(value), ABS_NOISE_FLOOR.get(metric, 0.0))


def _sd_from_samples(samples: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    regions = set().union(*(s.keys() for s in samples))
    for reg in sorted(regions):
        per = {}
        for m in KEY_METRICS:
            vals = np.array([s[reg][m] for s in samples if reg in s and m in s[reg]], float)
            if len(vals) < 2:
                continue
            per[m] = float(np.std(vals, ddof=1))
        # A count over a slightly different area (rotation/scale crop the edge) varies
        # with the area; its noise is the density's relative noise times the count.
        dens = np.array([s[reg]["density"] for s in samples if reg in s and "density" in s[reg]], float)
        counts = [s[reg]["pore_count"] for s in samples if reg in s and "pore_count" in s[reg]]
        if "pore_count" in per and len(dens) >= 2 and dens.mean() > 0 and samples[0].get(reg, {}).get("pore_count") is not None:
            per["pore_count"] = float(np.std(dens, ddof=1) / dens.mean() * counts[0])
        out[reg] = per
    return out


def _apply_floor(sd: dict[str, dict[str, float]], ref: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        reg: {m: round(max(v, noise_floor(m, ref.get(reg, {}).get(m, 0.0))), 6) for m, v in per.items()}
        for reg, per in sd.items()
    }


def noise_from_repeats(analyses: list[Analysis]) -> Noise:
    """Noise from two or more captures of the same sitting: SD across them (the causes' spread too)."""
    from porescope.measure.cause_spread import cause_strengths

    noise = noise_from_samples([key_metrics(a) for a in analyses])
    if analyses and analyses[0].quality.measurable:  # capture 1 is the photo whose causes are shown
        noise.cause_strengths = cause_strengths([a for a in analyses if a.quality.measurable])
    return noise


def noise_from_samples(samples: list[dict[str, dict[str, float]]]) -> Noise:
    """:func:`noise_from_repeats` on the captures' :func:`key_metrics` (when only those are kept)."""
    if len(samples) < 2:
        raise PorescopeError("a repeat-capture noise estimate needs at least two photos of the same visit.")
    return Noise(source="repeat_capture", samples=len(samples), sd=_apply_floor(_sd_from_samples(samples), samples[0]))


# ------------------------------------------------------------------ capture noise
def stored_params(settings):
    """The detector parameters a stored result was measured with (results from before they were
    recorded carry only the sensitivity: the other values are their detector version's defaults)."""
    from porescope.measure.pores.params import DetectorParams

    return DetectorParams(**settings.params) if settings.params else DetectorParams(sensitivity=settings.sensitivity)


#: The changes a single-photo noise estimate applies: every capture change and
#: the phone processing the gate accepts (issue 20), in that order.
PERTURBATIONS = (*CAPTURE_CHANGES, *PROCESSING_CHANGES)
#: How many of them a single-photo noise estimate uses by default: all.
DEFAULT_PERTURBATIONS = len(PERTURBATIONS)


def perturbation_noise(rgb: np.ndarray, analysis: Analysis, *, roi: np.ndarray | None = None, n: int = DEFAULT_PERTURBATIONS) -> Noise:
    """Noise from re-analysing ``rgb`` under the first ``n`` of :data:`PERTURBATIONS` (capture changes, then phone processing).

    ``analysis`` is the photo's own result (its settings are reused: mode,
    scale, the detector's parameters); ``roi`` the mask it was analyzed with, if any. A
    re-capture that the quality gate would refuse is not a sample of the noise
    of an accepted photo and is skipped (the person would retake it).
    """
    from porescope.measure.pipeline import analyze

    s = analysis.settings
    params = stored_params(s)
    samples = [key_metrics(analysis)]
    analyses = [analysis]
    names = []
    for name in PERTURBATIONS[: max(1, n)]:
        rc = recapture(name, rgb, roi, s.px_per_mm_given)
        try:
            a = analyze(rc.rgb, roi=rc.mask, px_per_mm=rc.px_per_mm, mode=s.mode, params=params)
        except PorescopeError as exc:  # e.g. a face no longer found: skip that sample
            log.info("capture change %s skipped: %s", name, exc)
            continue
        if analysis.quality.measurable and not a.quality.measurable:
            log.info("capture change %s skipped: the quality gate blocks it", name)
            continue
        samples.append(key_metrics(a))
        analyses.append(a)
        names.append(name)
    if len(samples) < 2:
        return Noise(source="none", samples=1, sd=_apply_floor({k: {m: 0.0 for m in v} for k, v in samples[0].items()}, samples[0]))
    from porescope.measure.cause_spread import cause_strengths

    # The causes' spread from the same re-analyses (the pipeline scored each one's causes): no second set of analyses.
    return Noise(source="perturbation", samples=len(samples), sd=_apply_floor(_sd_from_samples(samples), samples[0]), perturbations=names,
                 cause_strengths=cause_strengths(analyses) if analysis.quality.measurable else {})


# ------------------------------------------------------------------ verdicts
def interval(delta: float, noise_a: float, noise_b: float, z: float = Z95) -> tuple[float, float]:
    """``delta ± z·sqrt(noise_a² + noise_b²)``."""
    half = z * math.sqrt(noise_a**2 + noise_b**2)
    return delta - half, delta + half


def verdict(low: float, high: float) -> Verdict:
    """Lower is better for every key metric: an interval wholly below 0 is 'improved'."""
    if high < 0:
        return "improved"
    if low > 0:
        return "worse"
    return "no_detectable_change"


def metric_change(region: str, metric: str, baseline: float, latest: float, noise_baseline: float, noise_latest: float) -> MetricChange:
    delta = latest - baseline
    lo, hi = interval(delta, noise_baseline, noise_latest)
    return MetricChange(
        region=region, metric=metric, baseline=round(baseline, 4), latest=round(latest, 4), delta=round(delta, 4),
        noise_baseline=round(noise_baseline, 4), noise_latest=round(noise_latest, 4), low=round(lo, 4), high=round(hi, 4),
        verdict=verdict(lo, hi),
    )


def compare_metrics(metrics_a: dict[str, dict[str, float]], metrics_b: dict[str, dict[str, float]], noise_a: Noise, noise_b: Noise) -> list[RegionChange]:
    """Region-by-region verdicts for two sets of :func:`key_metrics`."""
    out = []
    for reg in [r for r in metrics_a if r in metrics_b]:
        changes = []
        for m in KEY_METRICS:
            if m in metrics_a[reg] and m in metrics_b[reg]:
                va, vb = metrics_a[reg][m], metrics_b[reg][m]
                changes.append(metric_change(reg, m, va, vb, noise_a.get(reg, m, va), noise_b.get(reg, m, vb)))
        if not changes:
            continue
        head = next((c for c in changes if c.metric == "visibility_score"), changes[0])
        out.append(RegionChange(name=reg, verdict=head.verdict, metrics=changes))
    return out


_VERDICT_WORDS = {"improved": "improved", "worse": "worse", "no_detectable_change": "no detectable change"}


def summarize(regions: list[RegionChange], notes: list[str]) -> str:
    """Plain-language summary of a comparison."""
    from porescope.labels import metric_words, region_name

    if not regions:
        return "No region could be compared between these two visits."
    lines = []
    for r in regions:
        head = next((m for m in r.metrics if m.metric == "visibility_score"), r.metrics[0])
        moved = [m for m in r.metrics if m.verdict != "no_detectable_change" and m is not head]
        s = (
            f"{region_name(r.name)}: {metric_words(head.metric)} {head.baseline:g} -> {head.latest:g} "
            f"(change {head.delta:+.3g}, 95% interval {head.low:+.3g} to {head.high:+.3g}): {_VERDICT_WORDS[r.verdict]}."
        )
        if moved:
            s += " Also " + "; ".join(f"{metric_words(m.metric)} {_VERDICT_WORDS[m.verdict]}" for m in moved) + "."
        lines.append(s)
    lines.append(
        "'No detectable change' means the difference is within what re-taking the same photo would give. "
        "Lower numbers mean less visible pores; care changes how visible pores look, not their anatomy."
    )
    return " ".join(lines)


@dataclass
class Side:
    """One visit of a comparison.

    ``visit`` needs ``.id`` and ``.taken_at`` (and optionally ``.condition``,
    ``.device``, ``.lighting``); ``analysis`` and ``noise`` are what the visit
    stored; ``photo`` (a path, bytes or an RGB array) and ``roi`` (the analyzed
    skin's mask) are only needed to register close-ups.
    """

    visit: Any
    analysis: Analysis
    noise: Noise
    photo: Any = None
    roi: np.ndarray | None = None


def compare_visits(subject: str, a: Side, b: Side, *, align: bool = True) -> Comparison:  # noqa: A002 - keyword for callers
    """Compare visit ``b`` with baseline ``a`` on their stored, capture-invariant metrics.

    The photos are only registered, to check that they show the same skin and
    how much of it they share (``roi`` limits that to the analyzed skin); the
    numbers compared are the ones each visit stored, so they are the same
    numbers the history list, the trend plots and studies show. Pore *counts*
    are compared only when both visits measured the same skin area (within
    :data:`SAME_AREA_TOLERANCE`); densities, coverage and scores are per area
    and always compared.
    """
    visit_a, visit_b, photo_a, photo_b, roi_a, roi_b = a.visit, b.visit, a.photo, b.photo, a.roi, b.roi
    notes: list[str] = []
    analysis_a, noise_a = _current_engine(a.analysis, a.noise, photo_a, roi_a, visit_a.id, notes)
    analysis_b, noise_b = _current_engine(b.analysis, b.noise, photo_b, roi_b, visit_b.id, notes)
    analysis_a, analysis_b, not_comparable = _at_common_detail((visit_a, analysis_a, photo_a, roi_a), (visit_b, analysis_b, photo_b, roi_b), notes)
    ma, mb = key_metrics(analysis_a), key_metrics(analysis_b)
    mode = analysis_a.settings.mode
    if analysis_b.settings.mode != mode:
        notes.append(f"the visits were analyzed in different modes ({mode} vs {analysis_b.settings.mode}); only regions with the same name are compared.")
    alignment = "not checked: each visit's stored metrics compared"
    if photo_a is not None and photo_b is not None and align and mode == "closeup" and analysis_b.settings.mode == "closeup":
        alignment, more = _check_same_skin(photo_a, photo_b, roi_a, roi_b)
        notes += more
    elif mode == "face":
        alignment = "face regions located by landmarks in each photo; each visit's stored per-region metrics compared"
    notes += _drop_counts_of_different_areas(analysis_a, analysis_b, ma, mb)
    unmeasurable = [(v.id, an) for v, an in ((visit_a, analysis_a), (visit_b, analysis_b)) if not an.quality.measurable]
    for vid, an in unmeasurable:
        codes = ", ".join(p.code for p in an.quality.problems if p.severity == "blocking") or "capture problems"
        notes.append(f"visit {vid}'s photo is not measurable ({codes}): no change can be judged against it. "
                     "Retake that visit's photo, or compare other visits.")
    if not_comparable and not unmeasurable:
        notes.append(not_comparable)
    unresolved = [] if (unmeasurable or not_comparable) else [(v.id, why) for v, an in ((visit_a, analysis_a), (visit_b, analysis_b))
                                                             if (why := unresolved_pores(an))]
    if unresolved:
        reasons = list(dict.fromkeys(why for _, why in unresolved))
        who = (f"visit {unresolved[0][0]}'s photo does" if len(unresolved) == 1 else
               f"the photos of visits {unresolved[0][0]} and {unresolved[1][0]} do")
        notes.append(f"{who} not resolve pores ({'; '.join(reasons)}): what such a photo shows as pores are larger spots and shadows, so "
                     "no change of the pores is judged. Take the photos closer or with more pixels on the face, in focus, and compare again.")
    regions = [] if (unmeasurable or not_comparable or unresolved) else compare_metrics(ma, mb, noise_a, noise_b)
    # Regions measured in only one visit (cut by the frame, hidden): said, not compared as zeros.
    one_sided = sorted(set(ma) ^ set(mb))
    if one_sided and analysis_b.settings.mode == mode:
        from porescope.labels import region_name

        notes.append(f"not compared (measured in only one of the visits): {', '.join(region_name(r) for r in one_sided)}.")
    notes += _condition_notes(visit_a, visit_b)
    cmp = Comparison(
        subject=subject,
        baseline_visit=visit_a.id, latest_visit=visit_b.id,
        baseline_taken_at=visit_a.taken_at, latest_taken_at=visit_b.taken_at,
        alignment=alignment,
        noise_source={str(visit_a.id): noise_a.source, str(visit_b.id): noise_b.source},
        regions=regions, notes=notes,
    )
    cmp.summary = summarize(regions, notes)
    return cmp


def _current_engine(analysis: Analysis, noise: Noise, photo, roi, visit_id, notes: list[str]) -> tuple[Analysis, Noise]:
    """The visit measured by this porescope's detector: a visit stored by an older
    version (other metric definitions) is re-measured from its photo, so both sides
    of a comparison mean the same thing; without its photo it is compared as stored, with a note."""
    from porescope.measure.pores.detect import DETECTOR

    if analysis.settings.detector == DETECTOR:
        return analysis, noise
    if photo is None:
        notes.append(f"visit {visit_id} was measured by an older porescope ({analysis.settings.detector}) and its photo is not "
                     "available: its numbers may not be comparable.")
        return analysis, noise
    from porescope.measure.pipeline import load_image, run

    s = analysis.settings
    img = load_image(photo)
    fresh = run(img, roi=roi, px_per_mm=s.px_per_mm_given, mode=s.mode, sensitivity=s.sensitivity).analysis
    notes.append(f"visit {visit_id} was measured by an older porescope ({s.detector}); it was re-measured from its photo "
                 "with this version so both visits use the same definitions.")
    if noise.source != "repeat_capture":
        mask = roi if roi is not None else img.valid
        noise = perturbation_noise(img.rgb, fresh, roi=mask)
    return fresh, noise


def _with_camera(analysis: Analysis, photo) -> Analysis:
    """``analysis`` with its photo's camera, ISO and software, read from the photo when the result was stored without them (schema < 1.4)."""
    src = analysis.source
    if src.camera or src.iso or src.software or photo is None:
        return analysis
    from porescope.measure.io import photo_camera

    fields = photo_camera(photo)
    if not any(fields.values()):
        return analysis
    return analysis.model_copy(update={"source": src.model_copy(update=fields)})


def _at_common_detail(side_a, side_b, notes: list[str]) -> tuple[Analysis, Analysis, str | None]:
    """Both visits measured at the detail the less detailed photo holds, or why they cannot be.

    Phones blur, smooth, sharpen, zoom and compress; two photos of the same skin
    then hold different detail, and the pores counted follow the camera. Each
    visit stores its skin's spectrum (``quality.detail``);
    :func:`porescope.measure.detail.common_detail` says which visit to filter and
    how (or why the two cannot be compared), and the sharper visit is
    re-measured here from its photo through that filter, so what is compared
    is the same detail of the same skin. Without its photo, a note says the
    detail was not matched.
    """
    from porescope.measure.match import common_detail

    (va, a, photo_a, _), (vb, b, photo_b, _) = side_a, side_b
    if not (a.quality.measurable and b.quality.measurable):
        return a, b, None
    a, b = _with_camera(a, photo_a), _with_camera(b, photo_b)
    plan = common_detail(a.quality, b.quality, ids=(va.id, vb.id), sources=(a.source, b.source))
    named = [v.id for v, an in ((va, a), (vb, b)) if an.source.camera]
    if len(named) == 1:
        other = vb.id if named[0] == va.id else va.id
        notes.append(f"visit {other}'s photo does not say which camera took it (no EXIF: a PNG, a screenshot or a copy sent through "
                     f"a messaging app) while visit {named[0]}'s does: if another phone took it, its processing alone can move the "
                     "numbers. Use the original photo files.")
    if plan is None or plan.reason:
        return a, b, plan.reason if plan else None
    out = []
    for (visit, analysis, photo, roi), gain, other in zip((side_a, side_b), plan.gains, (vb, va)):
        if gain is None:
            out.append(analysis)
        elif photo is None:
            notes.append(f"visit {visit.id}'s photo holds finer detail than visit {other.id}'s (up to {-min(gain):.0f} dB more "
                         "texture), and its photo is not available to measure it at the same detail: a difference may come from the "
                         "cameras or their processing rather than the skin.")
            out.append(analysis)
        else:
            from porescope.measure.pipeline import load_image, run

            s = analysis.settings
            out.append(run(load_image(photo), roi=roi, px_per_mm=s.px_per_mm_given, mode=s.mode, params=stored_params(s),
                           detail_filter=(plan.centres, gain)).analysis)
            notes.append(f"visit {visit.id}'s photo holds finer detail than visit {other.id}'s (sharper focus, less smoothing or "
                         f"compression: up to {-min(gain):.0f} dB more fine texture); it was measured at visit {other.id}'s detail, so "
                         "both are compared on the same detail of the skin.")
    return out[0], out[1], None


#: Two visits measured "the same skin area" when their region areas (cm² when
#: the scale is known, else pixels) differ by at most this share; otherwise
#: their pore counts are not compared (a count grows with the area framed).
SAME_AREA_TOLERANCE = 0.10
#: Share of the baseline's skin that the later photo must cover, once
#: registered, for the two to count as the same patch of skin.
MIN_SHARED_SKIN = 0.5


def _check_same_skin(photo_a, photo_b, roi_a, roi_b) -> tuple[str, list[str]]:
    """Register close-up ``b`` onto ``a``: how it went, and notes for the reader."""
    from porescope.measure.pipeline import load_image

    ia, ib = load_image(photo_a).rgb, load_image(photo_b).rgb
    al = _align_closeup(ib, ia)
    if not al.ok:
        why = al.method.removeprefix("none: ")
        note = (f"the two photos could not be registered ({why}), so porescope cannot confirm they show the same patch "
                "of skin; each photo's whole-frame metrics were compared as measured.")
        if ia.shape[:2] != ib.shape[:2]:
            note += f" The photos differ in size ({ia.shape[1]}x{ia.shape[0]} vs {ib.shape[1]}x{ib.shape[0]} px)."
        return f"none: {why}; each photo's whole-frame metrics compared", [note]
    shared = _shared_skin(al, ia.shape[:2], ib.shape[:2], roi_a, roi_b)
    corr = f", correlation {al.correlation:.2f}" if al.correlation is not None else ""
    desc = f"{al.method}: same skin{corr}; the photos share {100 * shared:.0f}% of the first visit's skin"
    notes = []
    if shared < MIN_SHARED_SKIN:
        notes.append(f"the photos share only {100 * shared:.0f}% of the first visit's skin: per-area numbers (density, "
                     "coverage, score) of partly different skin are compared.")
    return desc, notes


def _shared_skin(al: Alignment, shape_a, shape_b, roi_a, roi_b, *, max_side: int = ALIGN_MAX_SIDE_PX) -> float:
    """Share of A's analyzed skin that B's photo (and ROI) covers once registered, on ~1000 px copies."""
    fa, fb = min(1.0, max_side / max(shape_a)), min(1.0, max_side / max(shape_b))
    size_a = (max(1, round(shape_a[1] * fa)), max(1, round(shape_a[0] * fa)))
    size_b = (max(1, round(shape_b[1] * fb)), max(1, round(shape_b[0] * fb)))
    m = al.matrix.astype(np.float64).copy()
    m[:, :2] *= fa / fb
    m[:, 2] *= fa
    src = np.full((size_b[1], size_b[0]), 255, np.uint8)
    if roi_b is not None:
        src = cv2.resize(roi_b.astype(np.uint8) * 255, size_b, interpolation=cv2.INTER_NEAREST)
    cover = cv2.warpAffine(src, m.astype(np.float32), size_a, flags=cv2.INTER_NEAREST, borderValue=0) > 0
    skin_a = np.ones((size_a[1], size_a[0]), bool) if roi_a is None else cv2.resize(roi_a.astype(np.uint8), size_a, interpolation=cv2.INTER_NEAREST) > 0
    return float((cover & skin_a).sum() / max(1, skin_a.sum()))


def _drop_counts_of_different_areas(a: Analysis, b: Analysis, ma: dict, mb: dict) -> list[str]:
    """Leave pore counts out of regions whose measured areas differ (counts grow with area)."""
    from porescope.labels import region_name

    notes = []
    for reg in [r for r in ma if r in mb and "pore_count" in ma[r] and "pore_count" in mb[r]]:
        ra, rb = a.region(reg), b.region(reg)
        if ra is None or rb is None:
            continue
        aa, ab = (ra.area_cm2, rb.area_cm2) if (ra.area_cm2 and rb.area_cm2) else (ra.area_px, rb.area_px)
        if abs(aa - ab) > SAME_AREA_TOLERANCE * max(aa, ab):
            ma[reg].pop("pore_count")
            mb[reg].pop("pore_count")
            unit = "cm²" if ra.area_cm2 and rb.area_cm2 else "px"
            fa, fb = (f"{aa:.3g}", f"{ab:.3g}") if unit == "cm²" else (f"{aa:,.0f}", f"{ab:,.0f}")  # 3 significant figures; whole pixels
            notes.append(f"{region_name(reg)}: the visits measured different skin areas ({fa} vs {fb} {unit}), "
                         "so pore counts are not compared; pore density is.")
    return notes


def _align_closeup(moving: np.ndarray, fixed: np.ndarray) -> Alignment:
    try:
        return align(moving, fixed)
    except cv2.error as exc:  # pragma: no cover - defensive
        return Alignment(np.eye(2, 3, dtype=np.float32), f"none: registration error ({exc})", False)


def _condition_notes(a, b) -> list[str]:
    notes = []
    ca, cb = getattr(a, "condition", None) or {}, getattr(b, "condition", None) or {}
    diff = [k for k in sorted(set(ca) | set(cb)) if str(ca.get(k)) != str(cb.get(k))]
    if diff:
        notes.append(
            "capture conditions differ ("
            + ", ".join(f"{k}: {ca.get(k, '-')} vs {cb.get(k, '-')}" for k in diff)
            + "); a change may come from them rather than from the skin."
        )
    for attr in ("device", "lighting"):
        va, vb = getattr(a, attr, None), getattr(b, attr, None)
        if va and vb and va != vb:
            notes.append(f"different {attr} ({va} vs {vb}); a change may come from it.")
    return notes
