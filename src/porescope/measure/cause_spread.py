"""How far each cause strength moves when only the capture changes, measured on one photo.

The photo is re-analysed under every change the change engine applies to a
single photo (:data:`porescope.measure.recapture.CAPTURE_CHANGES`, then the
phone processing of ``PROCESSING_CHANGES``, as
``track.change.perturbation_noise`` does for the metrics), with the detector
parameters the photo was measured with, and the causes are
scored on each (:func:`porescope.measure.causes.strength_spread` gives their SD and range). Apart from
:mod:`porescope.measure.causes` because it runs the pipeline, which itself
scores the causes.
"""

from __future__ import annotations

from porescope.errors import PorescopeError
from porescope.measure.causes import likely_causes, same_signals, strength_spread
from porescope.measure.pipeline import analyze
from porescope.measure.pores.params import DetectorParams
from porescope.measure.recapture import CAPTURE_CHANGES, PROCESSING_CHANGES, recapture
from porescope.results import Analysis

__all__ = ["recapture_strength_sd", "recapture_strengths"]


def recapture_strength_sd(rgb, analysis: Analysis, *, roi=None, profile=None) -> dict[str, float]:
    """Each cause strength's SD over :func:`recapture_strengths` (see there); empty when no re-capture could be analyzed."""
    return {c: v[0] for c, v in strength_spread(recapture_strengths(rgb, analysis, roi=roi, profile=profile)).items()}


def recapture_strengths(rgb, analysis: Analysis, *, roi=None, profile=None) -> dict[str, list[float]]:
    """Each cause's strength on one photo and on its re-analyses under every change the change engine applies
    to one photo (capture changes, then phone processing, as ``track.change.perturbation_noise``).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8: the photo as analyzed.
    analysis : Analysis
        Its analysis (mode, scale and detector parameters are reused).
    roi : ndarray, optional
        The mask it was analyzed with.
    profile : object or dict, optional
        As for :func:`porescope.measure.causes.likely_causes`.

    Returns
    -------
    dict of str to list of float
        cause -> its strength on the photo, then on each re-capture that could be analyzed (give it to
        :func:`porescope.measure.causes.strength_spread`). Takes about one analysis' time per change.
    """
    s = analysis.settings
    # The parameters it was measured with (older results record only the sensitivity), as track.change.stored_params.
    params = DetectorParams(**s.params) if s.params else DetectorParams(sensitivity=s.sensitivity)
    analyses = [analysis]
    for name in (*CAPTURE_CHANGES, *PROCESSING_CHANGES):
        rc = recapture(name, rgb, roi, s.px_per_mm_given)
        try:
            a = analyze(rc.rgb, roi=rc.mask, px_per_mm=rc.px_per_mm, mode=s.mode, params=params)
        except PorescopeError:  # e.g. a face no longer found: not a sample (as the change engine skips it)
            continue
        if analysis.quality.measurable and not a.quality.measurable:
            continue
        analyses.append(a)
    out: dict[str, list[float]] = {}
    for a in same_signals(analyses):  # a re-capture that lost a signal (pore shapes) is no sample of its spread
        for c in likely_causes(a, profile):
            out.setdefault(c.cause, []).append(c.strength)
    return out if len(analyses) > 1 else {}
