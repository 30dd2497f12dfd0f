"""How strongly each cause of visible pores (clogging, oil, laxity,
photoaging, texture) speaks for a person: from their profile and, when given,
their photo's analysis. Read by :mod:`porescope.advise.routine`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from porescope.advise.knowledge.rules import rules
from porescope.advise.profile import Profile
from porescope.advise.routine_models import CAUSE_WORDS

if TYPE_CHECKING:  # the result schema is imported only where an analysis is read
    from porescope.results import Analysis

__all__ = ["cause_signals", "signals"]


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def cause_signals(analysis: Analysis) -> tuple[dict[str, float], list[str]]:
    """Cause strengths from a photo analysis, and where they came from.

    Uses ``analysis.causes`` when present. Otherwise falls back to the regions:
    pore-count-weighted ``dark_share`` -> clogging, ``mean_elongation`` ->
    laxity, scaled between the thresholds in ``rules.json`` (porescope
    heuristics, documented there).

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    signals : dict
        Cause -> strength (0-1).
    sources : list of str
        Where each came from, in words.
    """
    out: dict[str, float] = {}
    sources: list[str] = []
    if analysis.causes:
        for c in analysis.causes:
            out[c.cause] = max(out.get(c.cause, 0.0), c.strength)
            sources.append(f"your photo: {CAUSE_WORDS.get(c.cause, c.cause)}, strength {c.strength:.2f} on a 0-1 scale")
        return out, sources
    th = rules().region_thresholds
    # A photo that does not resolve pores (counts_meaningful false) has no pore shape or dark share to read.
    regions = [r for r in analysis.regions if r.pore_count > 0 and r.counts_meaningful]
    if not regions:
        return out, ["your photo: no pores measured, or too coarse a photo to resolve them, so no signal taken from it"]
    total = sum(r.pore_count for r in regions)
    dark = sum(r.dark_share * r.pore_count for r in regions) / total
    elong = [(r.mean_elongation, r.pore_count) for r in regions if r.mean_elongation is not None]
    clog = _clamp((dark - th.dark_share_start) / (th.dark_share_full - th.dark_share_start))
    out["clogging"] = clog
    sources.append(f"your photo: {100 * dark:.0f}% of pores look plugged, so clogged pores {clog:.2f} on a 0-1 scale")
    if elong:
        e = sum(v * n for v, n in elong) / sum(n for _, n in elong)
        lax = _clamp((e - th.elongation_start) / (th.elongation_full - th.elongation_start))
        out["laxity"] = lax
        sources.append(f"your photo: pores' mean length/width {e:.2f}, so loss of firmness {lax:.2f} on a 0-1 scale")
    return out, sources


def signals(profile: Profile, analysis: Analysis | None) -> tuple[dict[str, float], list[str]]:
    """Signal strengths per cause from the profile and, when given, the photo.

    Parameters
    ----------
    profile : Profile
        Concerns, skin type, age and sun exposure.
    analysis : Analysis or None
        The photo's analysis (:func:`cause_signals`).

    Returns
    -------
    signals : dict
        Cause (clogging, oil, laxity, photoaging, texture) -> strength (0-1).
    sources : list of str
        Where each came from, in words.
    """
    r = rules()
    sig: dict[str, float] = {k: 0.0 for k in ("clogging", "oil", "laxity", "photoaging", "texture")}
    sources: list[str] = []
    for concern in profile.concerns:
        for k, v in r.concern_signals[concern].items():
            sig[k] = max(sig[k], v)
        sources.append(f"you named {concern.replace('_', ' ')} as a concern")
    for k, v in r.skin_type_signals[profile.skin_type].items():
        sig[k] = max(sig[k], v)
    if profile.age is not None and profile.age >= 40:
        sig["laxity"] = max(sig["laxity"], 0.3)
        sources.append("age 40+: some loss of firmness is expected")
    if profile.sun_exposure == "high":
        sig["photoaging"] = max(sig["photoaging"], 0.5)
        sources.append("high sun exposure")
    if analysis is not None:
        photo, psrc = cause_signals(analysis)
        for k, v in photo.items():
            sig[k] = max(sig[k], v)
        sources += psrc
    return {k: round(v, 3) for k, v in sig.items()}, sources
