"""How far each cause strength moves when only the capture changes.

:func:`recapture_strengths` re-analyses one photo under every change the
change engine applies to a single photo (:data:`porescope.measure.recapture.CAPTURE_CHANGES`,
then the phone processing of ``PROCESSING_CHANGES``, as
``track.change.perturbation_noise`` does for the metrics), with the detector
parameters the photo was measured with, and scores the causes on each
(``analyze --cause-spread``). A stored visit needs no such run: its noise's
re-analyses keep their cause strengths (:func:`cause_strengths`), and
:func:`with_spread` gives its causes their SD and range (:func:`strength_spread`).
Apart from :mod:`porescope.measure.causes` because it runs the pipeline (imported
only when a photo is re-analysed).
"""

from __future__ import annotations

from porescope.measure.causes import STRENGTH_SD_FLOOR, likely_causes, signals_read
from porescope.results import Analysis, Cause

__all__ = ["cause_strengths", "recapture_strength_sd", "recapture_strengths", "same_signals", "strength_sd_from",
           "strength_spread", "with_spread"]


def strength_spread(strengths: dict[str, list[float]], *, floor: float = STRENGTH_SD_FLOOR) -> dict[str, tuple[float, float, float]]:
    """Each cause's SD and range over the strengths of the photo and its re-captures.

    Parameters
    ----------
    strengths : dict of str to list of float
        cause -> its strength on the photo, then on each re-capture (``track.change.Noise.cause_strengths``).
    floor : float
        Smallest SD returned (STRENGTH_SD_FLOOR).

    Returns
    -------
    dict of str to (float, float, float)
        cause -> (SD (ddof 1, at least ``floor``), lowest, highest); causes with fewer than two strengths left out.
    """
    out = {}
    for cause, vals in strengths.items():
        if len(vals) < 2:
            continue
        mean = sum(vals) / len(vals)
        sd = max(floor, (sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5)
        out[cause] = (round(sd, 3), min(vals), max(vals))
    return out


def same_signals(analyses: list[Analysis]) -> list[Analysis]:
    """The analyses that read the same signals as the first (:func:`porescope.measure.causes.signals_read`).

    Parameters
    ----------
    analyses : list of Analysis
        The photo first, then its re-analyses or other captures.

    Returns
    -------
    list of Analysis
        Those that read what the photo reads (the photo included).
    """
    if not analyses:
        return []
    ref = signals_read(analyses[0])
    return [a for a in analyses if signals_read(a) == ref]


def cause_strengths(analyses: list[Analysis]) -> dict[str, list[float]]:
    """Each cause's strength in the analyses that read the same signals as the photo (:func:`same_signals`).

    Parameters
    ----------
    analyses : list of Analysis
        The photo first, then its re-analyses or other captures, with their causes as the pipeline scored them
        (without a profile).

    Returns
    -------
    dict of str to list of float
        cause -> strength in each kept analysis, the photo's first (``track.change.Noise.cause_strengths``).
    """
    out: dict[str, list[float]] = {}
    for a in same_signals(analyses):
        for c in a.causes:
            out.setdefault(c.cause, []).append(float(c.strength))
    return out


def with_spread(causes: list[Cause], strengths: dict[str, list[float]]) -> list[Cause]:
    """The causes with the SD and range measured on re-analyses of their photo (:func:`strength_spread`); a cause
    without two measured strengths keeps what it had (the typical SD).

    Parameters
    ----------
    causes : list of Cause
        A photo's causes, as stored.
    strengths : dict of str to list of float
        cause -> strength on the photo and on each re-analysis.

    Returns
    -------
    list of Cause
    """
    spread = strength_spread(strengths)
    return [c.model_copy(update={"strength_sd": spread[c.cause][0], "strength_range": (round(spread[c.cause][1], 2), round(spread[c.cause][2], 2))})
            if c.cause in spread else c for c in causes]


def strength_sd_from(analyses: list[Analysis], profile=None, *, floor: float = STRENGTH_SD_FLOOR) -> dict[str, float]:
    """The SD of each cause's strength over analyses of the same skin (re-captures, or repeat photos).

    Parameters
    ----------
    analyses : list of Analysis
        The photo as captured and its re-captures (at least two).
    profile : object or dict, optional
        As for :func:`porescope.measure.causes.likely_causes`.
    floor : float
        Smallest SD returned (STRENGTH_SD_FLOOR).

    Returns
    -------
    dict of str to float
        cause -> SD (ddof 1), at least ``floor``.
    """
    rows = [{c.cause: c.strength for c in likely_causes(a, profile)} for a in analyses]
    causes = set().union(*rows) if rows else set()
    out = {}
    for cause in sorted(causes):
        vals = [r[cause] for r in rows if cause in r]
        if len(vals) < 2:
            continue
        mean = sum(vals) / len(vals)
        out[cause] = max(floor, (sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5)
    return out


def recapture_strength_sd(rgb, analysis: Analysis, *, roi=None, profile=None) -> dict[str, float]:
    """Each cause strength's SD over the photo's re-captures.

    Parameters
    ----------
    rgb, analysis, roi, profile
        As for :func:`recapture_strengths`.

    Returns
    -------
    dict of str to float
        cause -> SD (:func:`strength_spread`); empty when no re-capture could be analyzed.
    """
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
        :func:`strength_spread`). Takes about one analysis' time per change.
    """
    from porescope.errors import PorescopeError
    from porescope.measure.pipeline import analyze
    from porescope.measure.pores.params import DetectorParams
    from porescope.measure.recapture import CAPTURE_CHANGES, PROCESSING_CHANGES, recapture

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
