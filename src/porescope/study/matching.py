"""Compare a study's visits at the same detail (issue 20: same skin, any camera).

Phones blur, smooth, sharpen, zoom and compress; two visits photographed with
other phones or settings then hold different detail, and the pores counted
follow the camera rather than the skin. The history store handles this pair
by pair (:func:`porescope.track.change.compare_visits`); a study does the same
for every subject's baseline and later visit, with the same rules
(:func:`porescope.measure.match.common_detail`):

* a pair whose difference of detail no filter can undo (only one visit holds
  too little detail for pores, or the difference has the shape sharpening or a
  beauty filter leaves), whose visits were taken with different cameras or at
  ISO more than a stop apart (:func:`porescope.measure.match.capture_mismatch`),
  or one of whose visits does not resolve pores at all
  (:func:`porescope.measure.quality.unresolved_pores`), is **not compared**: its change rows say why
  (:data:`~porescope.study.columns.NOT_COMPARABLE`) and it is left out of every
  statistic, like a subject whose baseline is missing;
* otherwise the visit whose photos hold finer detail is **re-measured** from its
  photos through the filter that removes what the other visit's photos do not
  hold. Those re-measures are ordinary jobs of the study's Dask run, cached
  like the rest (their key adds the filter to the photo's key), so a rerun
  does not repeat them.

A visit's detail is its captures' mean spectrum (dB per band), and it has a
detail problem when any of its captures has one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from porescope.study.manifest import Row

__all__ = ["VisitPair", "subject_visits", "plan_pairs", "matched_key", "match_jobs", "pair_results"]


@dataclass(frozen=True)
class VisitPair:
    """A subject's baseline and one later visit, and how they are brought to the same detail."""

    subject: str
    baseline: str
    visit: str
    #: (band centres, gain dB per band) for the baseline's and the visit's photos; None: measured as they are.
    filters: tuple[tuple | None, tuple | None] = (None, None)
    #: Why the two are not compared (None: they are).
    reason: str | None = None

    def how(self) -> str:
        """In words: at which detail the pair was compared."""
        if self.reason:
            return "not compared: " + self.reason
        if self.filters[0] is not None:
            return f"baseline re-measured at {self.visit}'s detail"
        if self.filters[1] is not None:
            return f"{self.visit} re-measured at the baseline's detail"
        return "as measured (same detail)"


def subject_visits(rows: list[Row], results: dict[int, dict]):
    """({subject: {visit: [(row, result), ...]}} of measurable photos, {subject: (date, line, visit)} of its first visit).

    The first visit is the subject's earliest in the manifest, measured or not:
    a later visit is never promoted to baseline.
    """
    by_subject: dict[str, dict[str, list]] = {}
    first_visit: dict[str, tuple] = {}
    for r in rows:
        key = (r.date, r.line, r.visit)
        if r.subject not in first_visit or key < first_visit[r.subject]:
            first_visit[r.subject] = key
        res = results.get(r.line)
        if res is None or not res["analysis"]["quality"]["measurable"]:
            continue
        by_subject.setdefault(r.subject, {}).setdefault(r.visit, []).append((r, res))
    return by_subject, first_visit


def visit_quality(caps: list[tuple[Row, dict]]):
    """One Quality standing for a visit's captures: their mean spectrum, and every detail problem any of them has."""
    from porescope.results import Quality

    qs = [Quality.model_validate(res["analysis"]["quality"]) for _, res in caps]
    if any(q.detail is None for q in qs):
        return qs[0]
    specs = np.array([[np.nan if v is None else v for v in q.detail.spectrum_db] for q in qs], float)
    with np.errstate(all="ignore"):
        mean = np.nanmean(specs, axis=0) if len(qs) > 1 else specs[0]
    spectrum = [None if not np.isfinite(v) else round(float(v), 3) for v in mean]
    problems = {p.code: p for q in qs for p in q.problems}
    return qs[0].model_copy(update={"detail": qs[0].detail.model_copy(update={"spectrum_db": spectrum}), "problems": list(problems.values())})


def visit_source(caps: list[tuple[Row, dict]]):
    """One SourceImage standing for a visit's captures: their camera when they all name the same one, their median ISO."""
    from porescope.results import SourceImage

    srcs = [SourceImage.model_validate(res["analysis"]["source"]) for _, res in caps]
    cameras = {s.camera for s in srcs}
    isos = [s.iso for s in srcs if s.iso]
    return srcs[0].model_copy(update={"camera": cameras.pop() if len(cameras) == 1 else None,
                                      "iso": float(np.median(isos)) if isos else None})


def plan_pairs(rows: list[Row], results: dict[int, dict]) -> dict[tuple[str, str], VisitPair]:
    """Per (subject, later visit): how it and the subject's baseline are compared at the same detail."""
    from porescope.measure.match import common_detail
    from porescope.measure.quality import unresolved_pores
    from porescope.results import Analysis

    def unresolved(caps) -> str | None:
        return next((why for _, res in caps if (why := unresolved_pores(Analysis.model_validate({**res["analysis"], "pores": []})))), None)

    by_subject, first_visit = subject_visits(rows, results)
    plans = {}
    for subject, visits in by_subject.items():
        base = first_visit[subject][2]
        if base not in visits:
            continue
        qb, sb = visit_quality(visits[base]), visit_source(visits[base])
        base_unresolved = unresolved(visits[base])
        for v, caps in visits.items():
            if v == base:
                continue
            plan = common_detail(qb, visit_quality(caps), ids=(base, v), sources=(sb, visit_source(caps)))
            why = (base, base_unresolved) if base_unresolved else None
            if why is None and (visit_unresolved := unresolved(caps)):
                why = (v, visit_unresolved)
            if why and not (plan and plan.reason):
                plans[(subject, v)] = VisitPair(subject, base, v, reason=f"visit {why[0]}'s photos do not resolve pores ({why[1]}): "
                                                "what they show as pores are larger spots and shadows, so no change of the pores is judged.")
            elif plan is None:  # a visit without a detail reading (cached by an older porescope): compared as measured
                continue
            elif plan.reason:
                plans[(subject, v)] = VisitPair(subject, base, v, reason=plan.reason)
            else:
                filters = tuple(None if g is None else (tuple(plan.centres), tuple(g)) for g in plan.gains)
                plans[(subject, v)] = VisitPair(subject, base, v, filters=filters)
    return plans


def matched_key(key: str, detail_filter) -> str:
    """Cache key of a photo re-measured through ``detail_filter``: its own key plus the filter."""
    payload = json.dumps({"photo": key, "filter": [list(map(float, detail_filter[0])), [round(float(g), 3) for g in detail_filter[1]]]})
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def match_jobs(rows: list[Row], line_key: dict[int, str], results: dict[int, dict], plans: dict[tuple[str, str], VisitPair]) -> list:
    """The re-measures the plans need, as runner Jobs (no noise re-analyses: a visit keeps its photos' noise)."""
    from porescope.study.runner import Job

    by_subject, _ = subject_visits(rows, results)
    jobs = {}
    for (subject, v), pair in plans.items():
        for visit, flt in zip((pair.baseline, v), pair.filters):
            if flt is None:
                continue
            for r, _ in by_subject[subject][visit]:
                key = matched_key(line_key[r.line], flt)
                if key in jobs:
                    jobs[key].rows.append(r)
                else:
                    jobs[key] = Job(key=key, rows=[r], image=str(r.image.resolve()), roi=str(r.roi.resolve()) if r.roi else None,
                                    px_per_mm=r.px_per_mm, perturb=0, detail_filter=flt)
    return list(jobs.values())


def pair_results(pair: VisitPair, caps_by_visit: dict[str, list], line_key: dict[int, str], load) -> dict[str, list] | None:
    """The (row, result) captures of the pair's two visits at their common detail; None when a re-measure is missing.

    ``load(key)`` reads a cached result (None when absent or failed). A
    re-measured photo keeps its own noise estimate (made on the photo as taken).
    """
    out = {}
    for visit, flt in zip((pair.baseline, pair.visit), pair.filters):
        caps = caps_by_visit[visit]
        if flt is None:
            out[visit] = caps
            continue
        fresh = []
        for r, res in caps:
            m = load(matched_key(line_key[r.line], flt))
            if m is None or not m.get("ok", True) or not m["analysis"]["quality"]["measurable"]:
                return None
            fresh.append((r, {**m, "noise": res.get("noise")}))
        out[visit] = fresh
    return out
