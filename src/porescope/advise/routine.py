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

from typing import TYPE_CHECKING

from porescope.advise.catalog import example_catalog, load_catalog, match_products, product_form  # noqa: F401 (re-exported)
from porescope.advise.ingredients import analyze_label, combination_flags, match_name
from porescope.advise.knowledge import Ingredient, knowledge
from porescope.advise.knowledge.references import render, render_each
from porescope.advise.knowledge.rules import StepRule, rules
from porescope.advise.profile import Profile
from porescope.advise.routine_models import (  # noqa: F401 (re-exported)
    CAUSE_WORDS,
    DISCLAIMER,
    TIMELINE,
    TIMELINE_RETINOID,
    CatalogProduct,
    Conflict,
    ProductMatch,
    RampPhase,
    Routine,
    RoutineStep,
)
from porescope.advise.signals import cause_signals, signals

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

PATCH_TEST = (
    "Patch test each new product: apply a small amount behind the ear or on the inner arm once a day for "
    "3-5 days; stop if redness, itching or swelling appears."
)


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
    if profile.pregnant_or_breastfeeding and step.pregnancy_reason:
        data["reason"] += " " + _end(step.pregnancy_reason)
    return RoutineStep(**data)


def build_routine(
    profile: Profile,
    analysis: Analysis | None = None,
    catalog: list[CatalogProduct] | None = None,
) -> Routine:
    """Build a morning and evening pore-care routine with reasons and sources.

    Parameters
    ----------
    profile : Profile
        The person: skin type, sensitivity, age, pregnancy, allergies,
        prescriptions, sun exposure, concerns.
    analysis : Analysis, optional
        A photo's analysis; its likely causes shift which steps are chosen.
    catalog : list of CatalogProduct, optional
        Products to match to the steps (up to three per step, best first).

    Returns
    -------
    Routine
        The AM and PM steps, the causes it targets, warnings, conflicts,
        notes, when to see a dermatologist, the timeline and the disclaimer.
    """
    r = rules()
    kb = knowledge()
    sig, sources = signals(profile, analysis)
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

    chosen = _choose_steps(profile, sig, notes, allergy_ids, allergy_cats, rx_retinoid)
    moved_bha, keep_name = _one_evening_exfoliant(chosen, rx_retinoid, notes)
    am, pm = _place_steps(chosen, moved_bha, keep_name, profile, photo, notes)
    am.append(_sunscreen_step(profile, sig, am + pm, rx_retinoid, photo))

    # Order inside slots, and which causes lead.
    focus = [k for k, v in sorted(sig.items(), key=lambda kv: -kv[1]) if v > 0 and k != "texture"]
    _safety_language(profile, am + pm, rx_ids, warnings, notes, derm)

    conflicts = _conflicts(profile, am, pm, allergy_ids, warnings)
    if catalog:
        match_products(am + pm, catalog, profile, allergy_ids | _pregnancy_excluded(profile), allergy_cats)
    derm = _dermatologist_items(derm, profile, allergy_ids, allergy_cats)
    retinoid_used = rx_retinoid or any(s.step == "retinoid" for s in am + pm)
    changes: list[str] = []
    if analysis is not None:
        changes = _photo_changes(build_routine(profile, None, catalog), am, pm, photo)

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
        photo_given=analysis is not None,
        photo_changes=changes,
    )


def _step_key(s: RoutineStep) -> tuple[str, str]:
    return s.slot, s.step


def _photo_changes(base: Routine, am: list[RoutineStep], pm: list[RoutineStep], photo: dict[str, float]) -> list[str]:
    """What the photo changed against ``base`` (the same profile without it), in words; steps it did not change lose
    the photo sentence from their reason (so the routine never says the photo drove a step it left as it was)."""
    slot_words = {"am": "morning", "pm": "evening"}
    before = {_step_key(s): s for s in base.am + base.pm}
    after = {_step_key(s): s for s in am + pm}
    rule_of = {r.id: r for r in rules().steps}
    out: list[str] = []

    def why(step_id: str) -> str:
        rule = rule_of.get(step_id)
        text = _photo_reason(rule, photo).strip() if rule else ""
        return text[:-1].replace("Your photo points to", "your photo points to") if text else "your photo's measurements"

    for key, s in after.items():
        old = before.get(key)
        if old is None:
            out.append(f"added {s.product_type} ({slot_words[s.slot]}): {why(s.step)}")
            continue
        fields = (("product_type", "now"), ("frequency", "how often")) if s.product_type != old.product_type else (
            ("strength", "strength"), ("frequency", "how often"))  # a new product type says its strength already
        diffs = [f"{label} {getattr(s, f) or 'none'} (was {getattr(old, f) or 'none'})" for f, label in fields if getattr(s, f) != getattr(old, f)]
        if [(p.from_week, p.nights_per_week) for p in s.ramp] != [(p.from_week, p.nights_per_week) for p in old.ramp]:
            diffs.append("a different start-up plan")
        if diffs:
            out.append(f"{old.product_type} ({slot_words[s.slot]}): " + "; ".join(diffs) + f": {why(s.step)}")
        else:
            s.reason = old.reason  # unchanged by the photo: no photo sentence
    for key, s in before.items():
        if key not in after:
            out.append(f"left out {s.product_type} ({slot_words[s.slot]}): {why(s.step)}")
    return out


_Choice = tuple[StepRule, list[str], float]


def _choose_steps(profile: Profile, sig: dict[str, float], notes: list[str], allergy_ids: set[str], allergy_cats: set[str],
                  rx_retinoid: bool) -> list[_Choice]:
    """The steps whose signal is strong enough and that this person may use, with their usable actives.

    Adjusts ``sig`` for pregnancy (oil at least 0.3) and appends to ``notes`` why a step was left out.
    """
    r = rules()
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
    return chosen


def _one_evening_exfoliant(chosen: list[_Choice], rx_retinoid: bool, notes: list[str]) -> tuple[_Choice | None, str | None]:
    """At most one strong exfoliant in the evening (removes the others from ``chosen``).

    Returns the BHA step to move to the morning (or None) and the name of the
    evening exfoliant it must not meet.
    """
    # At most one strong exfoliant in the evening: the retinoid keeps the evening,
    # a BHA moves to the morning, an AHA waits.
    strong = [c for c in chosen if c[0].strong_exfoliant and c[0].slot == "pm"]
    moved_bha: _Choice | None = None
    keep_name: str | None = None
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
    return moved_bha, keep_name


def _place_steps(chosen: list[_Choice], moved_bha: _Choice | None, keep_name: str | None, profile: Profile,
                 photo: dict[str, float], notes: list[str]) -> tuple[list[RoutineStep], list[RoutineStep]]:
    """The chosen steps in their slots and order; a moved BHA goes to the morning."""
    r = rules()
    sensitive = profile.treat_as_sensitive
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
    return am, pm


def _sunscreen_step(profile: Profile, sig: dict[str, float], steps: list[RoutineStep], rx_retinoid: bool,
                    photo: dict[str, float]) -> RoutineStep:
    """The morning sunscreen: SPF by sun exposure (50 with strong photoaging signs)."""
    r = rules()
    spf = SPF_BY_EXPOSURE[profile.sun_exposure]
    if sig["photoaging"] >= SPF50_PHOTOAGING:
        spf = max(spf, 50)
    sun = r.step("sunscreen")
    sensitizers = _sun_sensitizers(steps, rx_retinoid)
    return (
        _make_step(
            sun, "am", [], profile,
            reason=_end(
                sun.reason + (f", and it protects skin made more sun-sensitive by the {sensitizers}" if sensitizers else "")
            )
            + _photo_reason(sun, photo),
            product_type=f"broad-spectrum sunscreen SPF {spf} or higher",
            strength=f"SPF {spf}+, broad spectrum (UVA and UVB)",
            patch_test=profile.treat_as_sensitive,
        )
    )


def _safety_language(profile: Profile, steps: list[RoutineStep], rx_ids: set[str], warnings: list[str], notes: list[str],
                     derm: list[str]) -> None:
    """Warnings (sensitivity and patch test, pregnancy, sun sensitivity) and prescription notes."""
    sensitive = profile.treat_as_sensitive
    # Safety language and patch test.
    if sensitive:
        warnings.append(
            ("Skin sensitivity not stated: treated as sensitive. " if profile.sensitive is None else "")
            + "Lower strengths and slower ramps are used. "
            + PATCH_TEST
        )
    if profile.pregnant_or_breastfeeding:
        offered = [n for n, ids in (("azelaic acid", ("azelaic_acid",)), ("niacinamide", ("niacinamide_serum",)))
                   if any(s.step in ids for s in steps)]
        warnings.insert(
            0,
            "Pregnant or breastfeeding: no retinoid of any kind (retinol, retinal, adapalene, tretinoin, tazarotene)"
            + (f"; {' and '.join(offered)} {'are' if len(offered) > 1 else 'is'} offered instead" if offered else "")
            + ". Check any new product with your doctor or midwife.",
        )
    exfoliating = _sun_sensitizers([s for s in steps if s.step != "sunscreen"], False)
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
        if item.startswith("you are pregnant or breastfeeding") and not profile.pregnant_or_breastfeeding:
            continue  # pregnancy words only for someone who said so
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


