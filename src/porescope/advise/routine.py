"""Profile (+ photo analysis, + product catalog) -> a cosmetic pore-care routine with reasons.

Pure functions; the candidate steps, combination rules and thresholds are data
in ``knowledge/rules.json``. Rules that always hold (tested as properties):

- broad-spectrum SPF 30+ every morning;
- no retinoid when pregnant or breastfeeding (azelaic acid and niacinamide instead);
- at most one strong exfoliant (AHA/BHA leave-on, retinoid) in the evening;
- benzoyl peroxide never in the same slot as tretinoin;
- sensitive (or unstated) skin: lower strengths, slower ramps, patch test;
- prescription items only as "ask a dermatologist"; allergies never recommended.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field, ValidationError

from porescope.advise.ingredients import LabelReport, analyze_label, combination_flags, match_name
from porescope.advise.knowledge import Ingredient, knowledge
from porescope.advise.knowledge.references import render, render_each
from porescope.advise.knowledge.rules import StepRule, rules
from porescope.advise.profile import Profile
from porescope.errors import PorescopeError
from porescope.strict import StrictModel

if TYPE_CHECKING:  # the result schema is imported only where an analysis is read
    from porescope.results import Analysis

__all__ = [
    "CatalogProduct",
    "ProductMatch",
    "RampPhase",
    "Routine",
    "RoutineStep",
    "build_routine",
    "cause_signals",
    "example_catalog",
    "load_catalog",
]

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: Evenings used for n nights a week: spread out so skin gets rest days between.
DAYS_FOR_NIGHTS = {
    1: ["Wed"],
    2: ["Mon", "Thu"],
    3: ["Mon", "Wed", "Fri"],
    4: ["Mon", "Wed", "Fri", "Sun"],
    5: ["Mon", "Tue", "Thu", "Fri", "Sun"],
    6: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    7: DAYS,
}
#: Minimum age (years) for a cosmetic retinoid step; younger people are pointed to a dermatologist.
MIN_RETINOID_AGE = 18
#: A photo cause at least this strong is named in the reason of the steps that target it.
PHOTO_REASON_MIN = 0.3
#: Photoaging signal from which SPF 50 (not 30) is suggested.
SPF50_PHOTOAGING = 0.7
#: Below this age (years) no active steps at all: children's skin care is for a pediatrician or dermatologist.
MIN_ACTIVES_AGE = 12
#: SPF recommended by sun exposure (broad spectrum, SPF 30+: the daily-sunscreen trial, Hughes et al. 2013).
SPF_BY_EXPOSURE = {"low": 30, "moderate": 30, "high": 50}

TIMELINE = (
    "Expect how visible your pores look to improve over 4-12 weeks of consistent use. Pore size in the "
    "anatomical sense is largely genetic and does not change: care changes how visible pores look."
)
#: Added to the timeline only when the routine (or a prescription) includes a retinoid.
TIMELINE_RETINOID = " Retinoids can take 12 weeks or more."
#: Causes in plain words, for sentences people read.
CAUSE_WORDS = {"clogging": "clogged pores", "oil": "oiliness", "laxity": "loss of firmness", "photoaging": "sun damage",
               "texture": "uneven texture"}
DISCLAIMER = (
    "Cosmetic guidance, not a diagnosis or medical advice. It can reduce how visible pores look, not their "
    "anatomy. See a dermatologist for changing, painful, bleeding or inflamed spots."
)
PATCH_TEST = (
    "Patch test each new product: apply a small amount behind the ear or on the inner arm once a day for "
    "3-5 days; stop if redness, itching or swelling appears."
)


class RampPhase(StrictModel):
    from_week: int
    nights_per_week: int
    days: list[str]


class ProductMatch(StrictModel):
    name: str
    score: float
    reasons: list[str]
    note: str = ""


class RoutineStep(StrictModel):
    slot: Literal["am", "pm"]
    step: str = Field(description="Step id from rules.json.")
    product_type: str
    actives: list[str] = Field(description="Knowledge-base ids of suitable actives (any one of them).")
    categories: list[str]
    strength: str = Field(description="Suggested strength range, in words.")
    strength_pct: tuple[float, float] | None = None
    frequency: str
    ramp: list[RampPhase] = Field(default_factory=list)
    targets: list[str] = Field(description="Causes of visible pores this step works on.")
    reason: str
    citation: str = Field(description="The sources, as full references (authors, year, journal, DOI/PMID or regulation).")
    evidence: str = Field(default="", description="What the sources found, in plain words.")
    sources: list[str] = Field(default_factory=list, description="One full reference per source.")
    patch_test: bool = False
    products: list[ProductMatch] = Field(default_factory=list)


class Conflict(StrictModel):
    severity: Literal["info", "caution", "warning"]
    between: list[str] = Field(description="Products / prescriptions / steps involved.")
    ingredients: list[str]
    message: str
    citation: str = ""


class Routine(StrictModel):
    am: list[RoutineStep]
    pm: list[RoutineStep]
    focus: list[str] = Field(description="Causes this routine targets, strongest signal first.")
    signals: dict[str, float]
    signal_sources: list[str]
    warnings: list[str]
    conflicts: list[Conflict]
    notes: list[str]
    timeline: str = TIMELINE
    timeline_weeks: tuple[int, int] = (4, 12)
    see_a_dermatologist: list[str]
    disclaimer: str = DISCLAIMER


class CatalogProduct(StrictModel):
    name: str
    ingredients: str
    product_type: str = ""
    form: Literal["rinse_off", "leave_on"] | None = Field(
        default=None, description="Rinse-off (cleanser, wash) or leave-on; None: read from the type and name."
    )
    spf: int | None = None
    illustrative: bool = True
    note: str = ""


class _CatalogFile(StrictModel):
    about: str = ""
    products: list[CatalogProduct]


# ---------------------------------------------------------------------------
# signals


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def cause_signals(analysis: Analysis) -> tuple[dict[str, float], list[str]]:
    """Cause strengths (0-1) from a photo analysis, and where they came from.

    Uses ``analysis.causes`` when present. Otherwise falls back to the regions:
    pore-count-weighted ``dark_share`` -> clogging, ``mean_elongation`` ->
    laxity, scaled between the thresholds in ``rules.json`` (porescope
    heuristics, documented there).
    """
    out: dict[str, float] = {}
    sources: list[str] = []
    if analysis.causes:
        for c in analysis.causes:
            out[c.cause] = max(out.get(c.cause, 0.0), c.strength)
            sources.append(f"your photo: {CAUSE_WORDS.get(c.cause, c.cause)}, strength {c.strength:.2f} on a 0-1 scale")
        return out, sources
    th = rules().region_thresholds
    regions = [r for r in analysis.regions if r.pore_count > 0]
    if not regions:
        return out, ["your photo: no pores measured, so no signal taken from it"]
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


def _signals(profile: Profile, analysis: Analysis | None) -> tuple[dict[str, float], list[str]]:
    r = rules()
    sig: dict[str, float] = {k: 0.0 for k in ("clogging", "oil", "laxity", "photoaging", "texture")}
    sources: list[str] = []
    for concern in profile.concerns:
        for k, v in r.concern_signals[concern].items():
            sig[k] = max(sig[k], v)
        sources.append(f"concern: {concern}")
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


# ---------------------------------------------------------------------------
# exclusions


def _ids_of(names: list[str]) -> set[str]:
    out = set()
    for n in names:
        ing_id, kind, _, _ = match_name(n.strip())
        if ing_id:
            out.add(ing_id)
    return out


def _allergy_categories(names: list[str]) -> set[str]:
    from typing import get_args

    from porescope.advise.knowledge.schema import Category

    cats = set(get_args(Category))
    out = set()
    for n in names:
        key = n.strip().lower().replace(" ", "_").replace("-", "_")
        for form in (key, key[:-1] if key.endswith("s") else key):
            if form in cats:
                out.add(form)
    return out


def _usable_actives(step: StepRule, profile: Profile, allergy_ids: set[str], allergy_cats: set[str]) -> tuple[list[str], str | None]:
    """The step's actives this person may use, or a reason why none."""
    kb = knowledge()
    if set(step.categories) & allergy_cats:
        return [], f"{step.product_type}: left out because of your allergy to {', '.join(sorted(set(step.categories) & allergy_cats))}"
    usable = []
    why = None
    for aid in step.actives:
        ing: Ingredient = kb.get(aid)
        if aid in allergy_ids:
            why = f"{step.product_type}: left out because of your allergy to {ing.inci}"
            continue
        if profile.pregnant_or_breastfeeding and ing.cautions.pregnancy in ("avoid", "ask"):
            why = (
                f"{step.product_type}: left out during pregnancy or breastfeeding "
                f"({ing.inci}: {'avoid' if ing.cautions.pregnancy == 'avoid' else 'limited data'})"
            )
            continue
        usable.append(aid)
    return usable, why


# ---------------------------------------------------------------------------
# building


def _ramp(step: StepRule, sensitive: bool) -> list[RampPhase]:
    if step.ramp is None:
        return []
    plan = step.ramp.sensitive if sensitive else step.ramp.normal
    return [RampPhase(from_week=w, nights_per_week=n, days=DAYS_FOR_NIGHTS[n]) for w, n in plan]


def _strength(step: StepRule, sensitive: bool, actives: list[str]) -> tuple[str, tuple[float, float] | None]:
    if step.strength is None:
        return "", None
    lo, hi = step.strength.sensitive if sensitive else step.strength.normal
    names = " or ".join(knowledge().get(a).inci for a in actives)
    text = f"{names} {lo:g}%" if lo == hi else f"{names} {lo:g}-{hi:g}%"
    return text, (lo, hi)


def _photo_reason(step: StepRule, photo: dict[str, float]) -> str:
    """' Your photo points to clogged pores (strength 0.80 of 1).' when the analysis drives this step."""
    hits = [(c, photo[c]) for c in step.targets if photo.get(c, 0.0) >= PHOTO_REASON_MIN]
    if not hits:
        return ""
    return " Your photo points to " + " and ".join(
        f"{CAUSE_WORDS.get(c, c)} (strength {v:.2f} of 1)" for c, v in hits
    ) + "."


def _end(text: str) -> str:
    """``text`` as a finished sentence (so an appended sentence never runs into it)."""
    text = text.rstrip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _make_step(step: StepRule, slot: str, actives: list[str], profile: Profile, **overrides) -> RoutineStep:
    sensitive = profile.treat_as_sensitive
    strength, pct = _strength(step, sensitive, actives)
    data = dict(
        slot=slot,
        step=step.id,
        product_type=step.product_type,
        actives=actives,
        categories=list(step.categories),
        strength=strength,
        strength_pct=pct,
        frequency=step.frequency,
        ramp=_ramp(step, sensitive) if slot == "pm" else [],
        targets=list(step.targets),
        reason=step.reason,
        citation=render(step.citation),
        evidence=step.evidence,
        sources=render_each(step.citation),
        patch_test=bool(actives) and (sensitive or step.strong_exfoliant),
    )
    data.update(overrides)
    data["reason"] = _end(data["reason"])
    return RoutineStep(**data)


def build_routine(
    profile: Profile,
    analysis: Analysis | None = None,
    catalog: list[CatalogProduct] | None = None,
) -> Routine:
    """Build an AM/PM routine for ``profile``, shifted by ``analysis`` causes, matched to ``catalog``."""
    r = rules()
    kb = knowledge()
    sensitive = profile.treat_as_sensitive
    sig, sources = _signals(profile, analysis)
    photo: dict[str, float] = cause_signals(analysis)[0] if analysis is not None else {}
    warnings: list[str] = []
    notes: list[str] = []
    derm = list(r.dermatologist)

    allergy_ids = _ids_of(profile.allergies)
    allergy_cats = _allergy_categories(profile.allergies)
    rx_ids = _ids_of(profile.prescriptions)
    rx_retinoid = any(kb.get(i).category == "retinoid" for i in rx_ids)
    unknown_allergies = [a for a in profile.allergies if not _ids_of([a]) and not _allergy_categories([a])]
    if unknown_allergies:
        notes.append(
            "Allergies not found in the knowledge base (check every label yourself): " + ", ".join(unknown_allergies)
        )

    bha_ok = bool(_usable_actives(r.step("bha_leave_on"), profile, allergy_ids, allergy_cats)[0])
    derived = {
        "always": 1.0,
        "clogging_alt": sig["clogging"] if not bha_ok else 0.0,
        "clogging_retinoid": round(sig["clogging"] * 0.5, 3),
        "texture_aha": sig["texture"],
    }
    if profile.pregnant_or_breastfeeding:
        # No retinoids in pregnancy (Panchaud et al. 2012); azelaic acid (category B) and niacinamide instead.
        derived["clogging_alt"] = max(sig["clogging"], sig["laxity"], sig["photoaging"], 0.3)
        sig["oil"] = max(sig["oil"], 0.3)

    def strength_of(step: StepRule) -> float:
        return max(derived.get(s, sig.get(s, 0.0)) for s in step.signals)

    chosen: list[tuple[StepRule, list[str], float]] = []
    for step in r.steps:
        if step.only_if or step.id == "sunscreen":
            continue
        s = strength_of(step)
        if s < step.min_signal or s <= 0:
            continue
        if not step.actives:
            chosen.append((step, [], s))
            continue
        if profile.age is not None and profile.age < MIN_ACTIVES_AGE:
            if not any("child" in n for n in notes):
                notes.append(
                    f"Under {MIN_ACTIVES_AGE}: only gentle cleansing, moisturizer and sunscreen; ask a pediatrician "
                    "or dermatologist before any active (salicylic acid is not for children under 3)."
                )
            continue
        usable, why = _usable_actives(step, profile, allergy_ids, allergy_cats)
        if not usable:
            if why:
                notes.append(why)
            continue
        if step.categories == ["retinoid"]:
            if rx_retinoid:
                notes.append(
                    "You already use a prescription retinoid: no over-the-counter retinoid is added. "
                    "Keep using it as your dermatologist directed."
                )
                continue
            if profile.age is not None and profile.age < MIN_RETINOID_AGE:
                notes.append("Under 18: ask a dermatologist before starting a retinoid.")
                continue
        chosen.append((step, usable, s))

    # At most one strong exfoliant in the evening: the retinoid keeps the evening,
    # a BHA moves to the morning, an AHA waits.
    strong = [c for c in chosen if c[0].strong_exfoliant and c[0].slot == "pm"]
    moved_bha: tuple[StepRule, list[str], float] | None = None
    if rx_retinoid and strong:
        # The prescription retinoid owns the evening; it is not a routine step, so keep=None.
        keep = None
    elif len(strong) > 1:
        keep = next((c for c in strong if "retinoid" in c[0].categories), max(strong, key=lambda c: c[2]))
    else:
        keep = strong[0] if strong else None
    if strong and (len(strong) > 1 or keep is None):
        keep_name = keep[0].product_type if keep else "prescription retinoid"
        for c in strong:
            if c is keep:
                continue
            chosen.remove(c)
            if "bha" in c[0].categories:
                moved_bha = c
            else:
                notes.append(
                    f"{c[0].product_type} is left out for now: it would stack with the {keep_name} "
                    "in the evening. Once that is well tolerated, ask a dermatologist before adding more exfoliation."
                )

    am: list[RoutineStep] = []
    pm: list[RoutineStep] = []
    for step, actives, _s in sorted(chosen, key=lambda c: c[0].order):
        slots = ["am", "pm"] if step.slot == "both" else [step.slot]
        for slot in slots:
            if slot == "am" and step.id == "gentle_cleanser" and moved_bha and sensitive:
                continue  # replaced by the BHA cleanser below
            extra = {"reason": _end(step.reason) + _photo_reason(step, photo)} if photo else {}
            (am if slot == "am" else pm).append(_make_step(step, slot, actives, profile, **extra))
    if moved_bha:
        step, actives, s = moved_bha
        if sensitive:
            cl = r.step("bha_cleanser")
            am.insert(0, _make_step(cl, "am", actives, profile))
            notes.append(f"Salicylic acid moved to a morning rinse-off cleanser so it never meets the {keep_name} at night.")
        else:
            am.insert(
                1 if am and am[0].step == "gentle_cleanser" else 0,
                _make_step(
                    step, "am", actives, profile,
                    frequency="mornings: start every other morning, then daily if comfortable",
                    reason=step.reason + f"; used in the morning so it never meets the {keep_name} at night",
                ),
            )
            notes.append(f"Salicylic acid moved to the morning so it never meets the {keep_name} at night.")

    spf = SPF_BY_EXPOSURE[profile.sun_exposure]
    if sig["photoaging"] >= SPF50_PHOTOAGING:
        spf = max(spf, 50)
    sun = r.step("sunscreen")
    sensitizers = _sun_sensitizers(am + pm, rx_retinoid)
    am.append(
        _make_step(
            sun, "am", [], profile,
            reason=_end(
                sun.reason + (f", and it protects skin made more sun-sensitive by the {sensitizers}" if sensitizers else "")
            )
            + _photo_reason(sun, photo),
            product_type=f"broad-spectrum sunscreen SPF {spf} or higher",
            strength=f"SPF {spf}+, broad spectrum (UVA and UVB)",
            patch_test=sensitive,
        )
    )

    # Order inside slots, and which causes lead.
    focus = [k for k, v in sorted(sig.items(), key=lambda kv: -kv[1]) if v > 0 and k != "texture"]

    # Safety language and patch test.
    if sensitive:
        warnings.append(
            ("Skin sensitivity not stated: treated as sensitive. " if profile.sensitive is None else "")
            + "Lower strengths and slower ramps are used. "
            + PATCH_TEST
        )
    if profile.pregnant_or_breastfeeding:
        offered = [n for n, ids in (("azelaic acid", ("azelaic_acid",)), ("niacinamide", ("niacinamide_serum",)))
                   if any(s.step in ids for s in am + pm)]
        warnings.insert(
            0,
            "Pregnant or breastfeeding: no retinoid of any kind (retinol, retinal, adapalene, tretinoin, tazarotene)"
            + (f"; {' and '.join(offered)} {'are' if len(offered) > 1 else 'is'} offered instead" if offered else "")
            + ". Check any new product with your doctor or midwife.",
        )
    exfoliating = _sun_sensitizers([s for s in am + pm if s.step != "sunscreen"], False)
    if exfoliating:
        warnings.append(
            f"The {exfoliating} in this routine make skin more sun-sensitive and can cause dryness or peeling at first; "
            "step back to fewer nights if skin stings or peels."
        )
    for rx in profile.prescriptions:
        derm.insert(0, f"your prescription ({rx}): ask a dermatologist how it fits with this routine")
    if rx_ids:
        notes.append(
            "Prescription items are not part of this routine; ask a dermatologist before combining them with anything new."
        )

    conflicts = _conflicts(profile, am, pm, allergy_ids, warnings)
    if catalog:
        _match_products(am + pm, catalog, profile, allergy_ids | _pregnancy_excluded(profile), allergy_cats)
    derm = _dermatologist_items(derm, profile, allergy_ids, allergy_cats)
    retinoid_used = rx_retinoid or any(s.step == "retinoid" for s in am + pm)

    return Routine(
        am=am,
        pm=pm,
        focus=focus,
        signals=sig,
        signal_sources=sources,
        warnings=warnings,
        conflicts=conflicts,
        notes=notes,
        see_a_dermatologist=derm,
        timeline=TIMELINE + (TIMELINE_RETINOID if retinoid_used else ""),
        disclaimer=DISCLAIMER,
    )


def _sun_sensitizers(steps: list[RoutineStep], rx_retinoid: bool) -> str:
    """'retinoid and exfoliating acids' - only what this routine (or a prescription) actually holds."""
    kinds = []
    if rx_retinoid or any(s.step == "retinoid" for s in steps):
        kinds.append("retinoid")
    if any(s.step in ("aha_leave_on", "bha_leave_on", "bha_cleanser") for s in steps):
        kinds.append("exfoliating acids")
    return " and ".join(kinds)


def _pregnancy_excluded(profile: Profile) -> set[str]:
    """Ids of the actives left out during pregnancy or breastfeeding (avoid, or limited data)."""
    if not profile.pregnant_or_breastfeeding:
        return set()
    return {i.id for i in knowledge().actives if i.cautions.pregnancy in ("avoid", "ask")}


#: Stronger options a dermatologist can offer, with the knowledge-base id that rules each out.
_STRONGER_OPTIONS = (("tretinoin", "tretinoin"), ("tazarotene", "tazarotene"), ("stronger azelaic acid", "azelaic_acid"))


def _dermatologist_items(items: list[str], profile: Profile, allergy_ids: set[str], allergy_cats: set[str]) -> list[str]:
    """The 'see a dermatologist' list, naming only options this person could use."""
    kb = knowledge()
    out = []
    for item in items:
        if item.startswith("you want prescription options"):
            ok = []
            for words, ing_id in _STRONGER_OPTIONS:
                ing = kb.get(ing_id)
                if ing_id in allergy_ids or ing.category in allergy_cats:
                    continue
                if profile.pregnant_or_breastfeeding and ing.cautions.pregnancy in ("avoid", "ask"):
                    continue
                ok.append(words)
            item = (
                f"you want prescription options ({', '.join(ok)}) or in-office treatments"
                if ok else "you want stronger options than this routine (a dermatologist knows which suit you)"
            )
        out.append(item)
    return out


def _conflicts(profile: Profile, am: list[RoutineStep], pm: list[RoutineStep], allergy_ids: set[str], warnings: list[str]) -> list[Conflict]:
    """Conflicts between current products, prescriptions and the routine, per rules.json combinations."""
    kb = knowledge()
    sources: list[tuple[str, list[tuple[str, Ingredient]]]] = []
    for prod in profile.current_products:
        rep = analyze_label(prod.ingredients)
        found = [(a.printed_as, kb.get(a.id)) for a in rep.actives]
        sources.append((prod.name, found))
        bad = sorted({e.raw for e in rep.entries if e.id in allergy_ids})
        if bad:
            warnings.append(f"Your current product '{prod.name}' contains {', '.join(bad)}, which you listed as an allergy.")
        if profile.pregnant_or_breastfeeding:
            avoid = [a.printed_as for a in rep.actives if kb.get(a.id).cautions.pregnancy == "avoid"]
            if avoid:
                warnings.append(
                    f"Your current product '{prod.name}' contains {', '.join(avoid)}: avoid during pregnancy or "
                    "breastfeeding; ask your doctor."
                )
    for rx in profile.prescriptions:
        ids = _ids_of([rx])
        if ids:
            sources.append((f"prescription: {rx}", [(rx, kb.get(i)) for i in ids]))
    pm_steps = [s for s in pm if s.actives]
    for s in pm_steps:
        sources.append((f"routine (evening): {s.product_type}", [(kb.get(a).inci, kb.get(a)) for a in s.actives[:1]]))
    out: list[Conflict] = []
    for i in range(len(sources)):
        for j in range(i + 1, len(sources)):
            (na, fa), (nb, fb) = sources[i], sources[j]
            if na.startswith("routine") and nb.startswith("routine"):
                continue
            tagged = [(f"{p}\u0001{na}", ing) for p, ing in fa] + [(f"{p}\u0001{nb}", ing) for p, ing in fb]
            for flag in combination_flags(tagged):
                owners = {name.split("\u0001")[1] for name in flag.ingredients}
                if len(owners) < 2:
                    continue  # a combination inside one product is reported by `porescope ingredients`
                out.append(
                    Conflict(
                        severity=flag.severity,
                        between=[na, nb],
                        ingredients=[name.split("\u0001")[0] for name in flag.ingredients],
                        message=flag.message.replace("\u0001" + na, "").replace("\u0001" + nb, ""),
                        citation=flag.citation,
                    )
                )
    return out


# ---------------------------------------------------------------------------
# products


def load_catalog(text: str, *, fmt: Literal["json", "csv"] | None = None) -> list[CatalogProduct]:
    """Read a catalog: JSON (``{"products": [...]}`` or a list) or CSV with ``name`` and ``ingredients`` columns."""
    stripped = text.lstrip()
    fmt = fmt or ("json" if stripped.startswith(("{", "[")) else "csv")
    try:
        if fmt == "json":
            data = json.loads(text)
            if isinstance(data, list):
                data = {"products": data}
            return _CatalogFile.model_validate(data).products
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or not {"name", "ingredients"} <= set(rows[0]):
            raise PorescopeError("catalog: a CSV catalog needs 'name' and 'ingredients' columns")
        return [
            CatalogProduct(
                name=row["name"],
                ingredients=row["ingredients"],
                product_type=row.get("product_type") or "",
                spf=int(row["spf"]) if row.get("spf") else None,
            )
            for row in rows
        ]
    except json.JSONDecodeError as exc:
        raise PorescopeError(f"catalog: not valid JSON ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise PorescopeError(f"catalog: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    except ValueError as exc:
        raise PorescopeError(f"catalog: {exc}") from None


def example_catalog() -> list[CatalogProduct]:
    """The small catalog shipped with porescope (two Bioelements products from their actives, the rest illustrative)."""
    from importlib import resources

    text = resources.files("porescope").joinpath("data", "example_catalog.json").read_text(encoding="utf-8")
    return load_catalog(text, fmt="json")


_TREATMENT_CATEGORIES = {"bha", "aha", "pha", "retinoid", "azelaic_acid", "benzoyl_peroxide"}
_TYPE_WORDS = {
    "gentle_cleanser": ("cleanser", "wash"),
    "bha_cleanser": ("cleanser", "wash"),
    "moisturizer": ("moisturizer", "cream", "lotion"),
    "peptide_moisturizer": ("moisturizer", "cream", "serum"),
    "sunscreen": ("sunscreen", "spf"),
}


_RINSE_OFF_WORDS = ("cleanser", "cleansing", "wash", "rinse-off", "rinse off", "scrub", "shampoo")
#: Steps whose product is rinsed off; every other step needs a leave-on product.
_RINSE_OFF_STEPS = {"gentle_cleanser", "bha_cleanser"}


def product_form(prod: CatalogProduct) -> Literal["rinse_off", "leave_on"]:
    """Rinse-off or leave-on: as given, else read from the product type and name."""
    if prod.form is not None:
        return prod.form
    text = f"{prod.product_type} {prod.name}".lower()
    return "rinse_off" if any(w in text for w in _RINSE_OFF_WORDS) else "leave_on"


def _match_products(
    steps: list[RoutineStep],
    catalog: list[CatalogProduct],
    profile: Profile,
    excluded_ids: set[str],
    excluded_cats: set[str] = frozenset(),
) -> None:
    """Up to three catalog products per step, best first.

    A product is offered only when it fits the step: the same form (rinse-off for
    a cleanser step, leave-on otherwise), none of the person's excluded
    ingredients, no strong exfoliant beyond the step's own, and no combination
    that rules.json warns about, either inside the product or with the other
    steps of the same slot (the same rules the routine follows).
    """
    kb = knowledge()
    reports: list[tuple[CatalogProduct, LabelReport]] = [(p, analyze_label(p.ingredients)) for p in catalog]
    for step in steps:
        ranked: list[ProductMatch] = []
        slot_mates = [
            (kb.get(a).inci + "\u0001step", kb.get(a))
            for s in steps if s.slot == step.slot and s is not step and s.actives for a in s.actives[:1]
        ]
        for prod, rep in reports:
            ids = {e.id for e in rep.entries if e.id}
            if ids & excluded_ids or any(kb.get(i).category in excluded_cats for i in ids):
                continue
            if any(kb.get(a.id).cautions.prescription == "everywhere" for a in rep.actives):
                continue
            if (product_form(prod) == "rinse_off") != (step.step in _RINSE_OFF_STEPS):
                continue  # a rinse-off cleanser cannot fill a leave-on step, nor a serum a cleanser step
            own = set(step.categories)
            if any(kb.get(a.id).strong_exfoliant and a.category not in own for a in rep.actives):
                continue  # would add a strong exfoliant the routine did not place here
            mine = [(a.printed_as + "\u0001product", kb.get(a.id)) for a in rep.actives]
            if any(f.severity != "info" for f in combination_flags(mine)):
                continue  # an irritating or inactivating pair inside the product
            if any(
                f.severity != "info" and {n.split("\u0001")[1] for n in f.ingredients} == {"product", "step"}
                for f in combination_flags(mine + slot_mates)
            ):
                continue  # clashes with another step of the same slot
            reasons: list[str] = []
            score = 0.0
            ptype = f"{prod.product_type} {prod.name}".lower()
            words = _TYPE_WORDS.get(step.step)
            if step.step == "sunscreen":
                filters = [a for a in rep.actives if a.category == "sunscreen"]
                if not filters:
                    continue
                score += 3
                reasons.append("UV filters: " + ", ".join(a.inci for a in filters))
                spf_needed = int(re.search(r"SPF (\d+)", step.product_type).group(1))
                if prod.spf is not None and prod.spf >= spf_needed:
                    score += 2
                    reasons.append(f"SPF {prod.spf} meets SPF {spf_needed}+")
                elif prod.spf is not None:
                    score -= 3
                    reasons.append(f"SPF {prod.spf} is below SPF {spf_needed}")
            elif step.actives:
                hits = [a for a in rep.actives if a.id in step.actives or a.category in step.categories]
                if not hits:
                    continue
                # Stronger than this person's suggested range: never for sensitive skin, a penalty otherwise.
                hi_ok = step.strength_pct[1] if step.strength_pct else 100.0
                if profile.treat_as_sensitive and any(a.min_pct > hi_ok + 1e-9 for a in hits):
                    continue
                score += 3
                for a in hits:
                    lo_need = step.strength_pct[0] if step.strength_pct else 0.0
                    reasons.append(f"{a.inci} estimated at {a.estimate} ({a.assessment})")
                    if a.max_pct < lo_need:
                        score -= 1
                        reasons.append(f"{a.inci} is likely below the suggested {lo_need:g}%")
                    elif a.min_pct > hi_ok + 1e-9:
                        score -= 2
                        reasons.append(f"{a.inci} is stronger than the suggested {step.strength}")
                    elif step.strength_pct and a.min_pct >= step.strength_pct[0]:
                        score += 1
                reasons.append("rinse-off, as this step needs" if step.step in _RINSE_OFF_STEPS else "leave-on, as this step needs")
            else:
                if not words or not any(w in ptype for w in words):
                    continue
                if any(a.category in _TREATMENT_CATEGORIES or a.category == "sunscreen" for a in rep.actives):
                    continue  # plain steps take plain products: no extra treatment actives, SPF has its own step
                score += 2
                reasons.append(f"product type fits: {prod.product_type or 'from its name'}")
            for f in rep.flags:
                if f.kind == "comedogenic":
                    score -= 0.5
                    reasons.append(f"weak pore-clogging signal: {', '.join(f.ingredients)}")
                elif f.kind in ("fragrance", "fragrance_allergen") and profile.treat_as_sensitive:
                    score -= 0.5
                    reasons.append(f"fragrance for sensitive skin: {', '.join(f.ingredients)}")
            ranked.append(
                ProductMatch(
                    name=prod.name,
                    score=round(score, 2),
                    reasons=reasons,
                    note=prod.note,
                )
            )
        ranked = [m for m in ranked if m.score > 0]
        ranked.sort(key=lambda m: (-m.score, m.name))
        step.products = ranked[:3]
