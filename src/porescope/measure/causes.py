"""Likely causes of visible pores: what the measurements point to, and how strongly.

Three causes are weighed (dermatologists' consensus, reviewed by Dong et al., Cutis 2016): **clogging** (oil and dead skin
stretch and darken the opening), **laxity** (the tissue around the pore loses
support and the pore sags into an elongated shape) and **photoaging** (UV
breaks down collagen and elastin: the same loss of support). Each gets a 0-1
strength, the measurements behind it in words, and what it means for care.

This is cosmetic guidance read off one photo, not a diagnosis; the strengths
say how strongly the photo *points to* a cause, not that the cause is present.

Signals and their named thresholds (each mapped linearly to 0-1 between a
"no signal" and a "full signal" value):

clogging
    * dark (plugged) share of pores: DARK_SHARE_NONE .. DARK_SHARE_FULL;
    * T-zone concentration (faces): visibility on the forehead, between the
      brows, nose and chin over the cheeks (the text names only the regions
      measured in that photo): TZONE_RATIO_NONE .. TZONE_RATIO_FULL (sebaceous glands
      are densest in the T-zone, so oil-driven pores concentrate there);
    * shine: share of skin in glare patches (near-white, colourless and 1.5x the
      skin's own light, imaging.glare_pixels, so a brighter or cooler re-take
      does not create it): GLARE_NONE .. GLARE_FULL.
laxity
    * mean elongation of pores (round ~1.2-1.4 from segmentation alone;
      elongation rises with age, Kim 2018, Skin Res Technol 24:304):
      ELONG_NONE .. ELONG_FULL;
    * orientation coherence (elongated pores sharing one direction, the
      sagging pattern along skin tension lines): COHERENCE_NONE .. COHERENCE_FULL;
    * cheek predominance (faces): cheek visibility over the T-zone:
      CHEEK_RATIO_NONE .. CHEEK_RATIO_FULL.
photoaging
    Not separable from laxity in a photo. With a profile, cumulative sun
    (sun exposure x age) and the photo's laxity signal; without one, strength
    0 and a note that it cannot be judged from the photo alone.

Skin type (from a profile) adds a clogging signal: sebum output goes with
pore size (Roh et al. 2006, Br J Dermatol 155:890), so oily skin points to
clogging, combination skin half as much, normal and dry skin not at all
(weight SKIN_TYPE_WEIGHT).

Uncertainty: every strength carries ``strength_sd``, its SD when only the
capture changes, and, when the photo was re-analysed, ``strength_range``: the
lowest and highest strength over the photo and its re-captures. Both come from
the re-analyses the change engine runs for a photo's noise (capture changes and
phone processing, ``track.change.PERTURBATIONS``): a stored visit gets them
when its noise is measured (``history add``, or the web app's save), ``analyze
--cause-spread`` measures them for one photo. Without re-analyses the SD is the
typical one measured by ``benchmarks/bench_causes.py`` (TYPICAL_STRENGTH_SD),
and every text that shows it says so.

:func:`likelihood` words a strength by an interval: the re-captures' range
widened by the 95% margin of their spread (Z95 x SD, the change engine's
interval) on each side, or strength ± Z95 x SD without a range. "Likely" when
the whole interval is at or above LIKELY_MIN, "not indicated" when it is all
under POSSIBLE_MIN, "possible" when it overlaps either boundary. The range is
what makes the words stable: a capture change that pushes a strength one way
is inside every photo's range, the re-captured photo's included, so the photo
and its re-capture are judged on nearly the same interval. The inputs are read
so that such pushes are small: the dark share on each pore's core at a fixed
scale (phone sharpening moved a peak reading most: 0.17 -> 0.22 on synthetic
skin, now within 0.02), the shine against the skin's own light. ``benchmarks/bench_causes.py``
counts the words that still change between a photo and its re-captures.

All text is built from the measured values: no fixed sentence describes the
photo (a fixed "pores lined up in one direction" once followed a measured
"mixed directions").

Pore *shapes* (elongation, direction, dark cores) need pores that span
several pixels: when the scale is too coarse to resolve pores, or fewer than
MIN_PORES_FOR_SHAPE pores were found, only visibility and shine are used and
strengths are capped at COARSE_CAP.
"""

from __future__ import annotations

from collections.abc import Iterable

from porescope.measure.quality import unresolved_pores
from porescope.results import Analysis, Cause, RegionMetrics

# ---- thresholds (see module docstring) -------------------------------------
#: The synthetic generator's default is 15% plugged pores; a cheek with no
#: comedones showed ~5-10% dark-classed pores from shadowed openings when the
#: class read each pore's darkest pixel (read at a fixed scale, the real crops
#: show none: measure.DARK_CORE_CONTRAST). The full signal is the generator's "plugged" skin, 40% plugged pores. It was
#: 0.45, set when the dark class read each pore's darkest pixel and counted
#: some open pores as dark (that skin read 0.40-0.43); read at a fixed scale,
#: the dark share is the truth (0.384 for 0.385), which at 0.45 left a
#: measured 40%-plugged skin at strength 0.58, one interval from "possible"
#: (a 15% zoom-out, where the detector loses a quarter of its open pores,
#: reads 0.51-0.55 and widens the range: tests/measure/test_words_follow_numbers.py).
DARK_SHARE_NONE = 0.10
DARK_SHARE_FULL = 0.40
TZONE_RATIO_NONE = 1.1
TZONE_RATIO_FULL = 2.0
#: quality.GLARE_WARNING (0.03) sits at half the glare signal.
GLARE_NONE = 0.0
GLARE_FULL = 0.06
ELONG_NONE = 1.45
ELONG_FULL = 2.0
COHERENCE_NONE = 0.2
COHERENCE_FULL = 0.6
CHEEK_RATIO_NONE = 1.1
CHEEK_RATIO_FULL = 2.0
#: Fewer pores than this: shape statistics are noise.
MIN_PORES_FOR_SHAPE = 30
#: Cap on every strength when pore shapes cannot be read.
COARSE_CAP = 0.35
#: Photoaging without age and sun exposure: the photo alone cannot point to sun damage, so its strength is this
#: fixed value. It was min(0.18, half the laxity signal): a number that moved with the photo's laxity under
#: re-captures (0 to 0.18, an SD up to 0.05), so a measured spread could call it "possible" on one re-take.
NO_PROFILE_STRENGTH = 0.0
#: Age (years) from which firmness loss starts to show, and by which it is marked.
AGE_NONE = 25.0
AGE_FULL = 60.0
#: Sun exposure words -> 0-1.
SUN_LEVELS = {"none": 0.0, "low": 0.2, "minimal": 0.2, "rare": 0.2, "moderate": 0.5, "medium": 0.5, "some": 0.5,
              "high": 0.8, "frequent": 0.8, "daily": 0.8, "very_high": 1.0, "very high": 1.0, "outdoor": 1.0}

#: Weight of the skin-type signal in the clogging strength, when a profile gives the skin type (a prior
#: about the person, so lighter than the photo's own dark-core signal, 0.5); skin type -> signal.
SKIN_TYPE_WEIGHT = 0.15
SKIN_TYPE_CLOGGING = {"oily": 1.0, "combination": 0.5, "normal": 0.0, "dry": 0.0}
#: Orientation coherence (0-1) from which elongated pores are said to share one direction: the middle of
#: the laxity ramp (COHERENCE_NONE .. COHERENCE_FULL). One threshold for every sentence about direction
#: (cause evidence, region summaries), so they never disagree.
ALIGNED_COHERENCE = 0.4
#: Two-sided 95% normal quantile: the change engine's interval (track/change.Z95), used for the strengths' words.
Z95 = 1.96
#: SD of a cause strength when the photo's own was not measured: the largest SD, over the re-captures of
#: benchmarks/bench_causes.py (real crops, synthetic skin, a face; capture changes and phone processing, as the
#: change engine applies them), of any cause's strength: 0.034 (synthetic skin; real crops 0.021-0.023; 0.033 since the
#: dark class reads a fixed-scale core), rounded up.
TYPICAL_STRENGTH_SD = 0.035
#: The smallest SD a measured strength is given (a handful of re-captures can agree by chance).
STRENGTH_SD_FLOOR = 0.01
#: Pores a side of a region comparison (T-zone or cheeks) needs before its visibility is compared: the same
#: count as for pore shapes. With fewer, one dark feature decides a region's score: on the astronaut face (pores
#: not resolved, 0-3 "pores" per region) the T-zone/cheek ratio jumped between 0 and 3.4 under re-captures.
MIN_PORES_FOR_RATIO = 30
#: Mean length/width from which pores are called "stretched" (elongated). One threshold for every
#: sentence that describes pore shape (cause evidence, region summaries, the glossary), so they never
#: disagree: a round figure near where the laxity ramp (ELONG_NONE .. ELONG_FULL) passes 0.3 (1.615).
STRETCHED_ELONGATION = 1.6
#: Strength from which a cause is called "likely", and from which it is called "possible".
#: Below POSSIBLE_MIN the photo does not point to the cause at all.
LIKELY_MIN = 0.5
POSSIBLE_MIN = 0.25
#: Causes in plain words.
CAUSE_NAMES = {
    "clogging": "clogged pores (oil and dead skin in the opening)",
    "laxity": "loss of firmness around the pores",
    "photoaging": "sun damage",
}

T_ZONE = ("forehead", "between_brows", "nose", "chin")
CHEEKS = ("left_cheek", "right_cheek")
#: Face regions in the words of the evidence lines.
ZONE_WORDS = {"forehead": "forehead", "between_brows": "between the brows", "nose": "nose", "chin": "chin",
              "left_cheek": "left cheek", "right_cheek": "right cheek"}


def zone_words(measured: Iterable[str]) -> tuple[str, str]:
    """The T-zone and the cheeks in words, naming only the regions measured.

    Parameters
    ----------
    measured : iterable of str
        Names of the regions measured in the photo.

    Returns
    -------
    tuple of str
        E.g. ("the T-zone (forehead, nose)", "the cheeks"), or "the left cheek"
        when only one cheek was measured.
    """
    names = set(measured)
    tz = [ZONE_WORDS[n] for n in T_ZONE if n in names]
    ch = [n for n in CHEEKS if n in names]
    tz_text = f"the T-zone ({', '.join(tz)})" if tz else "the T-zone"
    ch_text = "the cheeks" if len(ch) != 1 else f"the {ZONE_WORDS[ch[0]]}"
    return tz_text, ch_text

#: What helps, per cause: care only. Nothing here describes the photo (the evidence, built from the
#: measured values, does that), so no sentence here can contradict a number.
CARE = {
    "clogging": (
        "Oil and dead skin collecting in a pore stretch and darken its opening. What helps is keeping "
        "them clear: salicylic acid (0.5-2%, oil-soluble, works inside the pore), regular gentle exfoliation, and "
        "niacinamide to reduce oil. Expect the look to improve over 4-12 weeks of steady use; the pore's anatomy does not change."
    ),
    "laxity": (
        "Skin that loses support lets pores sag into longer shapes. Retinoids (retinol, or prescription tretinoin) "
        "rebuild collagen slowly over months, and daily broad-spectrum SPF 30+ protects what is there. Improvement is "
        "gradual and partial."
    ),
    "photoaging": (
        "Sun damage weakens the collagen that holds pores in shape. Daily broad-spectrum SPF 30+ is the best-supported "
        "step (24% less skin ageing over 4.5 years in a trial of 903 adults, Hughes et al. 2013); retinoids help repair."
    ),
}
#: Added to the retinoid advice only for a profile that says pregnant or breastfeeding.
PREGNANCY_CARE = " You said you are pregnant or breastfeeding: leave retinoids out until you stop (ask your doctor)."


def _ramp(x: float | None, lo: float, hi: float) -> float:
    if x is None:
        return 0.0
    return float(min(1.0, max(0.0, (x - lo) / (hi - lo))))


def _get(profile, key: str):
    if profile is None:
        return None
    if isinstance(profile, dict):
        return profile.get(key)
    return getattr(profile, key, None)


def _sun_level(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return 0.8 if v else 0.2
    if isinstance(v, (int, float)):
        x = float(v)
        return min(1.0, max(0.0, x / 10.0 if x > 1 else x))  # 0-1, or a 0-10 scale
    s = str(getattr(v, "value", v)).strip().lower().replace("-", "_")
    return SUN_LEVELS.get(s, SUN_LEVELS.get(s.replace("_", " ")))


def _mean(rs: Iterable[RegionMetrics], attr: str, weight: str = "area_px") -> float | None:
    vals = [(getattr(r, attr), getattr(r, weight)) for r in rs if getattr(r, attr) is not None and getattr(r, weight)]
    if not vals:
        return None
    tot = sum(w for _, w in vals)
    return sum(v * w for v, w in vals) / tot if tot else None


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def shape_words(elongation: float) -> str:
    """Pore shape in words for a mean length/width.

    Parameters
    ----------
    elongation : float
        Mean length/width of the pores (1 = round).

    Returns
    -------
    str
        'stretched' at or above STRETCHED_ELONGATION, else 'mostly round'.
    """
    return "stretched" if elongation >= STRETCHED_ELONGATION else "mostly round"


def aligned_words(coherence: float) -> str:
    """Whether elongated pores share a direction, in words (one threshold, ALIGNED_COHERENCE, for every text).

    Parameters
    ----------
    coherence : float
        Orientation coherence of the elongated pores (0-1).

    Returns
    -------
    str
        'share one direction' or 'point in mixed directions'.
    """
    return "share one direction" if coherence >= ALIGNED_COHERENCE else "point in mixed directions"


def strength_interval(strength: float, sd: float | None = None, strength_range=None) -> tuple[float, float]:
    """The interval a cause's word is judged on (see the module docstring), clipped to 0-1.

    Parameters
    ----------
    strength : float
        The cause's strength (0-1).
    sd : float, optional
        Its SD under re-capture (``Cause.strength_sd``); default TYPICAL_STRENGTH_SD.
    strength_range : (float, float), optional
        Lowest and highest strength over the photo and its re-captures (``Cause.strength_range``).

    Returns
    -------
    (float, float)
        min(range, strength) - Z95 x SD and max(range, strength) + Z95 x SD.
    """
    u = Z95 * (TYPICAL_STRENGTH_SD if sd is None else sd)
    lo, hi = (strength, strength) if strength_range is None else (min(strength_range[0], strength), max(strength_range[1], strength))
    return max(0.0, lo - u), min(1.0, hi + u)


def likelihood(strength: float, sd: float | None = None, strength_range=None) -> str:
    """A 0-1 cause strength in words, judged on its interval (:func:`strength_interval`).

    Parameters
    ----------
    strength : float
        The cause's strength (0-1).
    sd : float, optional
        Its SD under re-capture (``Cause.strength_sd``); default TYPICAL_STRENGTH_SD.
    strength_range : (float, float), optional
        Lowest and highest strength over the photo and its re-captures (``Cause.strength_range``).

    Returns
    -------
    str
        'likely' when the interval's low end reaches LIKELY_MIN, 'not indicated' when its high end stays
        under POSSIBLE_MIN, else 'possible' (the interval overlaps a boundary).
    """
    lo, hi = strength_interval(strength, sd, strength_range)
    if lo >= LIKELY_MIN:
        return "likely"
    if hi >= POSSIBLE_MIN:
        return "possible"
    return "not indicated"


def cause_word(c: Cause) -> str:
    """:func:`likelihood` of a cause, with its own SD.

    Parameters
    ----------
    c : Cause
        A cause from :func:`likely_causes`.

    Returns
    -------
    str
        'likely', 'possible' or 'not indicated'.
    """
    return likelihood(c.strength, c.strength_sd, c.strength_range)


def strength_text(c: Cause) -> str:
    """A cause's strength with the interval its word is judged on, and where that interval came from, for people.

    Parameters
    ----------
    c : Cause
        A cause from :func:`likely_causes`.

    Returns
    -------
    str
        '0.37 of 1; 0.28-0.46 over re-takes of this photo' when the photo was re-analysed (``strength_range``);
        '0.37 ± 0.07 of 1, a typical spread (not measured on this photo)' otherwise; '0.37 of 1' when it has no SD.
    """
    if c.strength_sd is None:
        return f"{c.strength:.2f} of 1"
    if c.strength_range is None:
        return f"{c.strength:.2f} ± {Z95 * c.strength_sd:.2f} of 1, a typical spread (not measured on this photo)"
    lo, hi = strength_interval(c.strength, c.strength_sd, c.strength_range)
    return f"{c.strength:.2f} of 1; {lo:.2f}-{hi:.2f} over re-takes of this photo"


def cause_line(c: Cause) -> str:
    """One plain paragraph per cause: how likely, then what points to it, as separate sentences.

    Parameters
    ----------
    c : Cause
        A cause from :func:`likely_causes`.

    Returns
    -------
    str
    """
    name = CAUSE_NAMES.get(c.cause, c.cause)
    word = cause_word(c)
    head = (
        f"{word.capitalize()} cause: {name} (strength {strength_text(c)})."
        if word != "not indicated"
        else f"Not indicated by this photo: {name} (strength {strength_text(c)})."
    )
    evidence = "; ".join(c.evidence)
    return head + (f" {evidence[0].upper()}{evidence[1:]}." if evidence else "")


def _laxity_evidence(
    by_name: dict[str, RegionMetrics], total: RegionMetrics, face: bool, shapes_ok: bool,
    tz_vis: float | None, ch_vis: float | None,
) -> tuple[float, list[str]]:
    """The photo's laxity signal (0-1) and its evidence: pore shape and direction, and cheek vs T-zone visibility."""
    ev_l: list[str] = []
    signals: list[tuple[float, float]] = []  # (signal, weight)
    shape_src = [by_name[n] for n in CHEEKS if n in by_name] if face else [total]
    where = "on the cheeks" if face else "in the photo"
    if shapes_ok:
        el = _mean(shape_src, "mean_elongation", "pore_count")
        s = _ramp(el, ELONG_NONE, ELONG_FULL)
        signals.append((s, 0.4))
        ev_l.append(f"pores {where} are {shape_words(el)} (mean length/width {el:.2f})" if el
                    else f"no pore shapes {where}")
        coh = _mean(shape_src, "orientation_coherence", "pore_count")
        if coh is None:
            signals.append((0.0, 0.4))
            ev_l.append("too few elongated pores to judge a shared direction")
        else:
            s = _ramp(coh, COHERENCE_NONE, COHERENCE_FULL)
            signals.append((s, 0.4))
            ev_l.append(f"elongated pores {aligned_words(coh)} (alignment {coh:.2f} on a 0-1 scale)")
    ratio_ch = (ch_vis / tz_vis) if face and ch_vis is not None and tz_vis else None
    if ratio_ch is not None:
        s = _ramp(ratio_ch, CHEEK_RATIO_NONE, CHEEK_RATIO_FULL)
        signals.append((s, 0.2))
        if ratio_ch >= 1:
            tz_text, ch_text = zone_words(by_name)
            ev_l.append(f"pores are {ratio_ch:.1f}x as visible on {ch_text} as on {tz_text}")
    return _combine(signals), ev_l


def _clogging(analysis: Analysis, profile, by_name: dict[str, RegionMetrics], total: RegionMetrics, shapes_ok: bool,
              tz_vis: float | None, ch_vis: float | None) -> tuple[float, list[str]]:
    """The clogging strength (0-1) and its evidence: dark cores, T-zone over cheek visibility, shine, skin type."""
    face = analysis.settings.mode == "face"
    ev: list[str] = []
    signals: list[tuple[float, float]] = []  # (signal, weight)
    if shapes_ok:
        parts = [r for r in by_name.values() if r.name != "face"]
        dark = _mean(parts, "dark_share", "pore_count") if face else total.dark_share
        s = _ramp(dark, DARK_SHARE_NONE, DARK_SHARE_FULL)
        signals.append((s, 0.5))
        ev.append(f"{_pct(dark or 0)} of pores have a dark, plugged core" + (" (blackhead-like)" if s > 0.3 else ""))
    ratio_tz = (tz_vis / ch_vis) if face and tz_vis is not None and ch_vis else None
    if ratio_tz is not None:
        s = _ramp(ratio_tz, TZONE_RATIO_NONE, TZONE_RATIO_FULL)
        signals.append((s, 0.3))
        tz_text, ch_text = zone_words(by_name)
        ev.append(f"pores are {ratio_tz:.1f}x as visible on {tz_text} as on {ch_text}"
                  if ratio_tz >= 1 else f"pores are less visible on {tz_text} than on {ch_text} ({ratio_tz:.1f}x)")
    glare = analysis.quality.glare_fraction
    shiny = [p for p in analysis.quality.problems if p.code in ("glare", "region_glare")]
    s = _ramp(glare, GLARE_NONE, GLARE_FULL)
    signals.append((s, 0.2))
    ev.append(f"shine covers {_pct(glare)} of the skin" + (" (oily-looking)" if shiny else ""))
    _skin_type_signal(profile, signals, ev)
    return _combine(signals), ev


def likely_causes(analysis: Analysis, profile=None, strength_sd: dict[str, float] | None = None,
                  strength_range: dict[str, tuple[float, float]] | None = None) -> list[Cause]:
    """How strongly the photo points to clogging, laxity and photoaging (see the module docstring).

    Parameters
    ----------
    analysis : Analysis
        A measured photo's analysis.
    profile : object or dict, optional
        With ``age`` (years), ``sun_exposure`` ('low' / 'moderate' / 'high',
        or 0-1), ``skin_type`` ('oily', 'combination', 'normal', 'dry') and
        ``pregnant_or_breastfeeding``; sun damage is only estimated with age
        or sun exposure.
    strength_sd : dict, optional
        cause -> SD of its strength under re-capture (:func:`porescope.measure.cause_spread.recapture_strength_sd`);
        default TYPICAL_STRENGTH_SD for each.
    strength_range : dict, optional
        cause -> (lowest, highest) strength over the photo and its re-captures, measured with the same profile;
        default none (the word then rests on the SD alone).

    Returns
    -------
    list of Cause
        The three causes, strongest first, each with its evidence in words,
        its uncertainty and the care that works on it.
    """
    regions = [r for r in analysis.regions if r.area_px > 0]
    by_name = {r.name: r for r in regions}
    face = analysis.settings.mode == "face"
    total = by_name.get("face") or by_name.get("frame") or (regions[0] if regions else None)
    if total is None:
        return []
    n_pores = total.pore_count
    shapes_ok, comparable = signals_read(analysis)
    tz = [by_name[n] for n in T_ZONE if n in by_name]
    ch = [by_name[n] for n in CHEEKS if n in by_name]
    tz_vis, ch_vis = (_mean(tz, "visibility_score"), _mean(ch, "visibility_score")) if comparable else (None, None)
    notes: list[str] = []
    if why := unresolved_pores(analysis):
        notes.append(f"the photo is too coarse to see pore shapes ({why}), so this rests on visibility and shine only")
    elif n_pores < MIN_PORES_FOR_SHAPE:
        notes.append(f"only {n_pores} pores were found, too few to read their shapes")

    clog, ev = _clogging(analysis, profile, by_name, total, shapes_ok, tz_vis, ch_vis)
    if face and tz and ch and not comparable:
        tz_text, ch_text = zone_words(by_name)
        ev.append(f"too few pores on {tz_text} or {ch_text} to compare how visible they are")

    # ---- laxity (photo part)
    lax_photo, ev_l = _laxity_evidence(by_name, total, face, shapes_ok, tz_vis, ch_vis)

    # ---- profile
    age = _get(profile, "age")
    try:
        age = float(age) if age is not None else None
    except (TypeError, ValueError):
        age = None
    sun = _sun_level(_get(profile, "sun_exposure"))
    a = _ramp(age, AGE_NONE, AGE_FULL) if age is not None else None
    lax = lax_photo
    if a is not None:
        lax = min(1.0, lax_photo * (0.8 + 0.4 * a))
        ev_l.append(f"age {age:.0f}: firmness loss {'is common' if a > 0.5 else 'is usually mild'} at this age")

    photo, ev_p = _photoaging(age, a, sun, lax_photo)

    if not shapes_ok:
        clog, lax, photo = min(clog, COARSE_CAP), min(lax, COARSE_CAP), min(photo, COARSE_CAP)
        for e in (ev, ev_l):
            e.extend(notes)
    pregnant = bool(_get(profile, "pregnant_or_breastfeeding"))
    sd = {c: round(float((strength_sd or {}).get(c, TYPICAL_STRENGTH_SD)), 3) for c in ("clogging", "laxity", "photoaging")}
    rng = {c: (round(float(v[0]), 2), round(float(v[1]), 2)) for c, v in (strength_range or {}).items()}
    out = [
        Cause(cause="clogging", strength=round(clog, 2), strength_sd=sd["clogging"], strength_range=rng.get("clogging"),
              evidence=ev, care=CARE["clogging"]),
        Cause(cause="laxity", strength=round(lax, 2), strength_sd=sd["laxity"], strength_range=rng.get("laxity"),
              evidence=ev_l or ["no pore-shape signal"], care=CARE["laxity"] + (PREGNANCY_CARE if pregnant else "")),
        Cause(cause="photoaging", strength=round(photo, 2), strength_sd=sd["photoaging"], strength_range=rng.get("photoaging"),
              evidence=ev_p, care=CARE["photoaging"] + (PREGNANCY_CARE if pregnant else "")),
    ]
    return sorted(out, key=lambda c: -c.strength)


def signals_read(analysis: Analysis) -> tuple[bool, bool]:
    """Which photo signals the causes could read.

    A re-capture that loses one of them (zoomed out until pores no longer resolve, too few pores left on the
    cheeks) is scored on other signals, not the same ones moved by noise: it is no sample of the photo's spread
    (a glabella crop's laxity read 0.74-0.84 on re-captures and 0 on the one whose shapes were lost).

    Parameters
    ----------
    analysis : Analysis
        A photo's analysis.

    Returns
    -------
    (bool, bool)
        Pore shapes readable (pores resolved by the scale and the detail, at least MIN_PORES_FOR_SHAPE); T-zone and cheeks comparable (a face
        with at least MIN_PORES_FOR_RATIO pores on each side).
    """
    regions = [r for r in analysis.regions if r.area_px > 0]
    by_name = {r.name: r for r in regions}
    total = by_name.get("face") or by_name.get("frame") or (regions[0] if regions else None)
    shapes = total is not None and not unresolved_pores(analysis) and total.pore_count >= MIN_PORES_FOR_SHAPE
    tz = [by_name[n] for n in T_ZONE if n in by_name]
    ch = [by_name[n] for n in CHEEKS if n in by_name]
    ratio = (analysis.settings.mode == "face" and bool(tz) and bool(ch)
             and min(sum(r.pore_count for r in tz), sum(r.pore_count for r in ch)) >= MIN_PORES_FOR_RATIO)
    return shapes, ratio


def _skin_type_signal(profile, signals: list[tuple[float, float]], ev: list[str]) -> None:
    """Add the profile's skin type to the clogging signals and evidence (SKIN_TYPE_CLOGGING), when it is given."""
    skin_type = _get(profile, "skin_type")
    skin_type = str(getattr(skin_type, "value", skin_type)).strip().lower() if skin_type is not None else None
    if skin_type in SKIN_TYPE_CLOGGING:
        signals.append((SKIN_TYPE_CLOGGING[skin_type], SKIN_TYPE_WEIGHT))
        ev.append(f"skin type given as {skin_type}: " + ("oily skin clogs more easily" if skin_type == "oily" else
                  "the oilier T-zone of combination skin clogs more easily" if skin_type == "combination" else
                  f"{skin_type} skin makes oil-driven clogging less likely"))


def _photoaging(age: float | None, a: float | None, sun: float | None, lax_photo: float) -> tuple[float, list[str]]:
    """Photoaging strength (0-1) and its evidence, from age (``a``: its 0-1 ramp), sun exposure and the photo's laxity signal."""
    ev_p: list[str] = []
    if a is None and sun is None:
        photo = NO_PROFILE_STRENGTH
        ev_p.append("sun damage cannot be judged from the photo alone: in a photo it looks the same as loss of "
                    "firmness. Give your age and sun exposure (a profile) for an estimate")
    else:
        a0 = a if a is not None else 0.3
        s0 = sun if sun is not None else 0.5
        cumulative = s0 * (0.4 + 0.6 * a0)
        photo = min(1.0, 0.6 * cumulative + 0.4 * lax_photo)
        if sun is not None:
            ev_p.append(f"sun exposure given as {'high' if sun >= 0.7 else 'moderate' if sun >= 0.4 else 'low'}")
        else:
            ev_p.append("sun exposure not given (assumed moderate)")
        if age is not None:
            ev_p.append(f"age {age:.0f}: sun damage adds up over the years")
        if lax_photo > 0.3:
            ev_p.append("the pores' shapes show loss of support, which sun damage causes")
    return photo, ev_p


def _combine(signals: list[tuple[float, float]]) -> float:
    """Weighted mean of the available signals (weights renormalized)."""
    wsum = sum(w for _, w in signals)
    return sum(s * w for s, w in signals) / wsum if wsum else 0.0
