"""Read a cosmetic ingredient label: INCI text -> known ingredients -> actives, bounds, flags.

Pure functions on strings; no I/O. The entry point is :func:`analyze_label`.

Steps
-----
1. Clean the text (™ ® ©, odd spaces, zero-width characters, Unicode forms).
2. Find the list: an "Ingredients:" heading, or a US drug facts panel's
   "Active ingredient(s)" / "Inactive ingredients" headings. Text before the
   heading and panels after it (Warnings, Directions, ...) are not read as
   ingredients. With no heading, the whole text is read as a list.
3. Split on commas, semicolons, newlines and bullets (never inside brackets,
   never inside "1,2-Hexanediol" or "0,5%"); "may contain" / "+/-" tails are
   kept apart.
4. Match each entry to the knowledge base: exact INCI, synonym, a part of it
   (slash alternatives, bracketed common names), then a guarded fuzzy match
   for typos. Unknown entries stay in the report.
5. Concentration bounds from every rule that applies: label order (EU Reg.
   1223/2009 Art. 19, US 21 CFR 701.3: descending order down to 1%, then any
   order), the 1% line, known usual ceilings, and the legal maximum for the
   product's market (EU, US, or either when the market is not given).
6. Flags, each naming the ingredient that triggered it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from porescope.advise.knowledge import Ingredient, eu_annex_refs, knowledge
from porescope.advise.knowledge.references import render
from porescope.advise.knowledge.rules import Combination, Selector, rules
from porescope.advise.label_ceilings import ProductType, usual_ceiling
from porescope.advise.label_models import DISCLAIMER, ActiveFound, Flag, FlagKind, LabelEntry, LabelReport  # noqa: F401 (re-exported)
from porescope.advise.label_parse import CONFIDENCE, MatchKind, Section, match_name, parse_entries  # noqa: F401 (re-exported)
from porescope.advise.label_words import CATEGORY_WORDS, category_words, pct_text, range_text  # noqa: F401 (re-exported)

__all__ = [
    "CATEGORY_WORDS",
    "ActiveFound",
    "Flag",
    "LabelEntry",
    "LabelReport",
    "analyze_label",
    "match_name",
    "parse_entries",
]

#: Fulton rating at or above which an ingredient is flagged (weak signal only).
COMEDOGENIC_FLAG_RATING = 3
#: Added to the disclaimer only when a comedogenicity flag is shown.
COMEDOGENIC_NOTE = "Pore-clogging ratings come from a rabbit-ear model and are a weak signal only."
Market = Literal["eu", "us"]
#: Exfoliating acids: two or more of these in one product are flagged (their exfoliation and irritation add up).
EXFOLIATING_ACID_CATEGORIES = ("aha", "bha", "pha")
#: Regulatory statuses whose max_pct is a legal maximum (not a safety panel's advice).
LEGAL_STATUSES = ("restricted", "otc_drug")
# ---------------------------------------------------------------------------
# 5. bounds

def _fmt(x: float, up: bool = False) -> str:
    return pct_text(x, up=up)


def legal_max(ing: Ingredient | None, market: Market | None) -> tuple[float, str] | None:
    """The legal maximum for an ingredient in a market, with the words that say so.

    With no market, a product may be sold legally in the EU or the US, so the
    bound is the larger of the two legal maxima, and only when both markets set one.

    Parameters
    ----------
    ing : Ingredient or None
    market : {'eu', 'us'} or None

    Returns
    -------
    tuple or None
        (maximum %, the regulation in words), or None when no legal maximum applies.
    """
    if ing is None or ing.limits is None:
        return None
    eu, us = ing.limits.eu, ing.limits.us
    eu_max = eu.max_pct if eu.status in LEGAL_STATUSES else None
    us_max = us.max_pct if us.status in LEGAL_STATUSES else None
    if market == "eu" and eu_max is not None:
        return eu_max, f"the EU legal maximum ({render(eu.citation) or 'EU cosmetics regulation'})"
    if market == "us" and us_max is not None:
        return us_max, f"the US legal maximum ({render(us.citation) or 'FDA'})"
    if market is None and eu_max is not None and us_max is not None:
        top = max(eu_max, us_max)
        return top, (
            f"the legal maximum in both the EU ({_fmt(eu_max)}%) and the US ({_fmt(us_max)}%), "
            "if the product is sold legally in either (give the market to use one)"
        )
    return None


def _bounds(items: list[dict]) -> None:
    """Fill ``min_pct``, ``max_pct`` and ``bounds_basis`` of each item in place.

    Each item has ``section``, ``stated`` and ``cap`` (known ceiling, e.g. 1 for
    phenoxyethanol). Rules, per EU Reg. 1223/2009 Art. 19 and 21 CFR 701.3:
    ingredients above 1% come first in descending order, the rest follow in any
    order; a stated percentage wins over everything else.
    """
    ordered = [it for it in items if it["section"] == "ingredients"]
    active = [it for it in items if it["section"] == "active"]
    stated_total = sum(it["stated"] or 0 for it in items if it["stated"] is not None)

    for it in items:
        it["lo"], it["hi"], it["why"] = 0.0, 100.0, []

    _ordered_bounds(ordered)
    _unordered_bounds(items, active, stated_total)
    for it in items:
        it["lo"] = round(it["lo"], 3)
        it["hi"] = round(max(it["hi"], it["lo"]), 3)


def _ordered_bounds(ordered: list[dict]) -> None:
    """Bounds of the ordered cosmetic list: descending order down to 1%, then any order (see :func:`_bounds`)."""
    n = len(ordered)
    marker = None  # index of the first entry known to be <= 1%
    for i, it in enumerate(ordered):
        if (
            (it["cap"] is not None and it["cap"] <= 1.0)
            or (it["stated"] is not None and it["stated"] <= 1.0)
            or (it.get("legal") is not None and it["legal"][0] <= 1.0)
        ):
            marker = i
            break
    for pass_no in range(2):
        explain = pass_no == 1  # numbers settle over two passes; words only once
        suffix_hi = [0.0] * (n + 1)
        suffix_lo = [0.0] * (n + 1)
        for i in range(n - 1, -1, -1):
            suffix_hi[i] = suffix_hi[i + 1] + ordered[i]["hi"]
            suffix_lo[i] = suffix_lo[i + 1] + ordered[i]["lo"]
        total_lo = suffix_lo[0]
        later_max = [0.0] * (n + 1)  # largest lower bound among entries after i
        for i in range(n - 1, -1, -1):
            later_max[i] = max(later_max[i + 1], ordered[i]["lo"])
        # Smallest upper bound among the entries before i, and whose it is: an entry above 1%
        # can be no larger than any entry listed before it (descending order down to 1%).
        min_before, min_before_name, min_before_stated = 100.0, "", False
        for i, it in enumerate(ordered):
            why = []
            if it["stated"] is not None:
                it["lo"] = it["hi"] = it["stated"]
                it["why"] = ["stated on the label"] if explain else []
            else:
                hi = max(1.0, (100.0 - suffix_lo[i + 1]) / (i + 1))
                if explain:
                    why.append(f"position {i + 1} of {n}: at most {_fmt(hi, True)}% by descending order")
                if min_before < hi:
                    hi = max(1.0, min_before)
                    if explain:
                        what = "a stated" if min_before_stated else f"{min_before_name}, at most"
                        why.append(f"listed after {what} {_fmt(min_before, True)}%, so at most {_fmt(hi, True)}%")
                if marker is not None and i > marker and hi > 1.0:
                    hi = 1.0
                    if explain:
                        why.append(f"listed after {ordered[marker]['name']} (at most 1%), so at most 1%")
                if it["cap"] is not None and it["cap"] < hi:
                    hi = it["cap"]
                    if explain:
                        why.append(f"usually used at no more than {_fmt(hi, True)}%")
                lo = 0.0
                if later_max[i + 1] > 1.0:
                    lo = later_max[i + 1]
                    if explain:
                        why.append(f"listed before an ingredient at >= {_fmt(lo)}%")
                if i == 0 and n:
                    best = max((100.0 - suffix_hi[k]) / k for k in range(1, n + 1))
                    if best > lo:
                        lo = best
                        if explain:
                            why.append(f"first and largest of {n}: at least {_fmt(lo)}%")
                for bound in (it.get("legal"), it.get("ceiling")):
                    if bound is not None and bound[0] < hi:
                        if lo <= bound[0] + 1e-9:
                            hi = bound[0]
                            if explain:
                                why.append(f"at most {_fmt(hi, True)}%: {bound[1]}")
                        elif explain:
                            why.append(f"the label order puts it above {bound[1]} of {_fmt(bound[0], True)}%")
                others_lo = total_lo - it["lo"]
                hi = min(hi, max(0.0, 100.0 - others_lo))
                it["lo"], it["hi"], it["why"] = min(lo, hi), hi, why
            if it["hi"] < min_before:
                min_before, min_before_name, min_before_stated = it["hi"], it["name"], it["stated"] is not None


def _unordered_bounds(items: list[dict], active: list[dict], stated_total: float) -> None:
    """Bounds of drug facts actives, unordered inactives and may-contain entries (see :func:`_bounds`)."""
    rest = max(0.0, 100.0 - stated_total)
    for it in active:
        if it["stated"] is not None:
            it["lo"] = it["hi"] = it["stated"]
            it["why"] = ["stated on the label (drug facts)"]
        else:
            it["hi"] = rest
            it["why"] = ["active ingredient without a stated percentage"]
            for bound in (it.get("legal"), it.get("ceiling")):
                if bound is not None and bound[0] < it["hi"]:
                    it["hi"] = bound[0]
                    it["why"].append(f"at most {_fmt(it['hi'], True)}%: {bound[1]}")
    for it in items:
        if it["section"] == "inactive":
            if it["stated"] is not None:
                it["lo"] = it["hi"] = it["stated"]
                it["why"] = ["stated on the label"]
                continue
            it["hi"] = min(rest, it["cap"]) if it["cap"] is not None else rest
            it["why"] = ["drug facts inactive ingredients need not be listed by amount"]
            if it["cap"] is not None:
                it["why"].append(f"usually used at no more than {_fmt(it['cap'], True)}%")
            for bound in (it.get("legal"), it.get("ceiling")):
                if bound is not None and bound[0] < it["hi"]:
                    it["hi"] = bound[0]
                    it["why"].append(f"at most {_fmt(it['hi'], True)}%: {bound[1]}")
        elif it["section"] == "may_contain":
            it["hi"] = min(rest, it["cap"]) if it["cap"] is not None else rest
            it["why"] = ["'may contain': may be absent from this unit; order carries no information"]


# ---------------------------------------------------------------------------
# 6. actives, flags


def _range_text(ing: Ingredient) -> str:
    r = ing.effective_range
    if r is None:
        return "unknown"
    text = range_text(r.min_pct, r.max_pct)
    return f"{text} ({r.note})" if r.note else text


def _assess(ing: Ingredient, lo: float, hi: float, name: str) -> tuple[str, list[dict]]:
    flags: list[dict] = []
    r = ing.effective_range
    parts = []
    if r is not None:
        usual = range_text(r.min_pct, r.max_pct)
        est = range_text(lo, hi)
        if hi < r.min_pct:
            parts.append(f"below the usual effective range ({usual}): at most {_fmt(hi, True)}%")
        elif lo > r.max_pct:
            parts.append(f"above the usual range ({usual}): at least {_fmt(lo)}%")
        elif lo >= r.min_pct and hi <= r.max_pct:
            parts.append(f"within the usual effective range ({usual})")
        elif lo >= r.min_pct:
            parts.append(f"reaches the usual effective range ({usual}); it may be stronger than usual (up to {_fmt(hi, True)}%)")
        else:
            could = "below, within or above" if hi > r.max_pct else "below or within"
            parts.append(
                f"the label allows {est}, so it could be {could} the usual effective range ({usual}); "
                "only a stated percentage would tell"
            )
    if ing.limits is not None:
        for region, lim in (("EU", ing.limits.eu), ("US", ing.limits.us)):
            if lim.max_pct is not None:
                if lo > lim.max_pct + 1e-9:
                    parts.append(f"above the {region} limit of {_fmt(lim.max_pct, True)}%")
                    flags.append(
                        dict(
                            kind="above_legal_limit",
                            severity="warning",
                            ingredients=[name],
                            ids=[ing.id],
                            message=(
                                f"{ing.inci} at {_fmt(lo)}% or more exceeds the {region} limit of {_fmt(lim.max_pct, True)}%"
                                + (f" ({lim.note})" if lim.note else "")
                                + "; a product sold in another market may follow other rules"
                            ),
                            citation=render(lim.citation),
                        )
                    )
                else:
                    if lim.status in LEGAL_STATUSES:
                        parts.append(f"{region} legal maximum {_fmt(lim.max_pct, True)}%")
                    else:  # not law: say whose figure it is
                        parts.append(f"{region} usual maximum {_fmt(lim.max_pct, True)}%" + (f" ({lim.note})" if lim.note else ""))
            elif lim.status in ("prohibited", "prescription", "not_a_cosmetic", "not_approved"):
                parts.append(f"{region}: {lim.status.replace('_', ' ')}")
    return "; ".join(parts), flags


def _selects(sel: Selector, ing: Ingredient) -> bool:
    if sel.strong_only and not ing.strong_exfoliant:
        return False
    return ing.id in sel.ids or ing.category in sel.categories


def combination_flags(found: list[tuple[str, Ingredient]], combos: list[Combination] | None = None) -> list[Flag]:
    """Irritating or inactivating pairs, per ``rules.json``.

    Parameters
    ----------
    found : list of tuple
        ``(printed name, Ingredient)`` pairs.
    combos : list of Combination, optional
        The rules to apply (default: all of ``rules.json``'s combinations).

    Returns
    -------
    list of Flag
        One flag per pair found, naming both ingredients and the source.
    """
    flags = []
    for combo in combos if combos is not None else rules().combinations:
        basis = f" ({combo.basis})" if combo.basis else ""
        a = [(p, i) for p, i in found if _selects(combo.a, i)]
        b = [(p, i) for p, i in found if _selects(combo.b, i)]
        pairs = [(x, y) for x in a for y in b if x[1].id != y[1].id or not combo.distinct]
        pairs = [(x, y) for x, y in pairs if x[1].id != y[1].id]
        if pairs:
            names = list(dict.fromkeys([p for x, y in pairs for p in (x[0], y[0])]))
            ids = list(dict.fromkeys([i.id for x, y in pairs for i in (x[1], y[1])]))
            flags.append(
                Flag(
                    kind="irritating_combination",
                    severity=combo.severity,
                    ingredients=names,
                    ids=ids,
                    message=f"{' + '.join(names)}: {combo.message}{basis}",
                    citation=render(combo.citation),
                )
            )
    return flags


def _ingredient_flags(printed: str, ing: Ingredient, lo: float, hi: float) -> tuple[dict, ...]:
    """Flag dicts for one entry (validated later as part of the report; never mutate them: cached)."""
    presc = ing.cautions.prescription
    rx_by_strength = bool(
        presc == "strength_dependent" and ing.limits and ing.limits.us.max_pct is not None and lo > ing.limits.us.max_pct
    )
    return _ingredient_flags_cached(printed, ing.id, rx_by_strength)


@lru_cache(maxsize=65536)
def _ingredient_flags_cached(printed: str, ing_id: str, rx_by_strength: bool) -> tuple[dict, ...]:
    ing = knowledge().get(ing_id)
    flags = []

    def flag(kind: str, severity: str, message: str, citation: str | None = None) -> None:
        f = dict(kind=kind, severity=severity, ingredients=[printed], ids=[ing.id], message=message)
        if citation is not None:
            f["citation"] = citation
        flags.append(f)

    if ing.comedogenicity and ing.comedogenicity.rating >= COMEDOGENIC_FLAG_RATING:
        flag(
            "comedogenic", "info",
            f"{printed}: possible pore-clogging, weak signal only (rabbit-ear rating "
            f"{ing.comedogenicity.rating}/5; such ratings are unreliable in people and ignore concentration)",
            citation=render(f"{ing.comedogenicity.source}; kligman1996"),
        )
    if ing.fragrance_allergen:
        flag(
            "fragrance_allergen", "caution",
            f"{printed}: a declared fragrance allergen (EU labelling list); avoid if you react to fragrance",
            citation=render("eu_1223_2009@Annex III (fragrance allergens that must be named on the label)"),
        )
    if ing.id == "fragrance":
        flag("fragrance", "info", f"{printed}: an undisclosed fragrance mix; a common cause of irritation for sensitive skin")
    if ing.sensitizer:
        flag("sensitizer", "caution", f"{printed}: a known contact allergen for some people; patch test first")
    if ing.active or ing.cautions.pregnancy != "unknown":
        preg = ing.cautions.pregnancy
        if preg == "avoid":
            flag(
                "pregnancy", "warning", f"{printed}: avoid when pregnant or breastfeeding ({category_words(ing.category)})",
                citation=render("panchaud2012") if ing.category == "retinoid" else None,
            )
        elif preg == "ask":
            flag("pregnancy", "caution", f"{printed}: limited data in pregnancy; ask your doctor or midwife")
    presc = ing.cautions.prescription
    if presc in ("everywhere", "us", "eu") or rx_by_strength:
        where = {"everywhere": "", "us": " in the US", "eu": " in the EU"}.get(presc, " at this strength")
        flag("prescription", "warning", f"{printed}: a prescription medicine{where}; use only as a dermatologist directs")
    if ing.active and ing.cautions.photosensitivity:
        flag("photosensitivity", "info", f"{printed}: makes skin more sensitive to sun; use broad-spectrum SPF 30+ daily")
    return tuple(flags)


@lru_cache(maxsize=65536)
def _annex_refs_cached(ing_id: str | None, name: str) -> tuple[str, ...]:
    ing = knowledge().by_id.get(ing_id) if ing_id else None
    return tuple(_annex_refs(ing, name))


def _annex_refs(ing: Ingredient | None, name: str) -> list[str]:
    names = [name] if ing is None else [ing.inci, *ing.synonyms]
    refs: list[str] = []
    for n in names:
        for r in eu_annex_refs(n):
            if r not in refs:
                refs.append(r)
    return refs


def _kind(flag: Flag | dict) -> str:
    return flag["kind"] if isinstance(flag, dict) else flag.kind


def _entry_record(it: dict, position: int, ing: Ingredient | None, category: str | None) -> dict:
    """One :class:`LabelEntry` (as a dict) for a parsed, bounded label item."""
    return dict(
        position=position,
        section=it["section"],
        raw=it["printed"],
        name=it["name"],
        id=ing.id if ing else None,
        inci=ing.inci if ing else None,
        category=category,
        active=bool(ing and ing.active),
        match=it["kind"],
        confidence=it["conf"],
        matched_on=it["matched"],
        stated_pct=it["stated"],
        min_pct=it["lo"],
        max_pct=it["hi"],
        estimate=range_text(it["lo"], it["hi"]),
        bounds_basis="; ".join(it["why"]),
        eu_annex=list(_annex_refs_cached(ing.id if ing else None, it["name"])),
    )


def _active_record(it: dict, ing: Ingredient, assessment: str) -> dict:
    """One :class:`ActiveFound` (as a dict) for a known active."""
    return dict(
        id=ing.id,
        inci=ing.inci,
        category=ing.category,
        kind=category_words(ing.category),
        printed_as=it["name"],
        min_pct=it["lo"],
        max_pct=it["hi"],
        estimate=range_text(it["lo"], it["hi"]),
        bounds_basis="; ".join(it["why"]),
        effective_range=_range_text(ing),
        eu_limit_pct=ing.limits.eu.max_pct if ing.limits else None,
        us_limit_pct=ing.limits.us.max_pct if ing.limits else None,
        assessment=assessment,
        pore_action=ing.pore_action,
        causes=list(ing.causes),
        evidence_level=ing.evidence_level or "low",
    )


def _acid_flags(found: list[tuple[str, Ingredient]]) -> list[dict]:
    """One flag when two or more different exfoliating acids (EXFOLIATING_ACID_CATEGORIES) are in the product."""
    acids = list(dict.fromkeys((p, i.id) for p, i in found if i.active and i.category in EXFOLIATING_ACID_CATEGORIES))
    if len({i for _, i in acids}) < 2:
        return []
    names = [p for p, _ in acids]
    return [dict(
        kind="several_exfoliating_acids", severity="caution", ingredients=names, ids=list(dict.fromkeys(i for _, i in acids)),
        message=(f"{' + '.join(names)}: {len(names)} exfoliating acids in one product; their exfoliation and irritation add up, "
                 "so start it every other day and do not layer another exfoliant or a retinoid on the same night "
                 "(expert opinion: each acid irritates, so together they irritate more)"),
    )]


def analyze_label(text: str, market: Market | None = None, product: ProductType | None = None) -> LabelReport:
    """Read label text and report ingredients, actives, estimated percentages and flags.

    Parameters
    ----------
    text : str
        The label as printed (any string: this never raises).
    market : {'eu', 'us'}, optional
        Whose legal maxima bound the estimates; None means the product may be
        sold legally in either.
    product : {'leave_on', 'rinse_off'}, optional
        The product type whose usual ceilings (a regulator's or the CIR
        panel's, :func:`usual_ceiling`) bound the estimates; None: the larger
        ceiling of the two.

    Returns
    -------
    LabelReport
        Every entry as printed and as understood, the actives with estimated
        ranges and assessments, flags, unknown names, ignored text and notes.
    """
    kb = knowledge()
    parsed, ignored = parse_entries(text)
    items: list[dict] = []
    for sec, printed, name, stated in parsed:
        ing_id, kind, conf, matched = match_name(name)
        ing = kb.by_id.get(ing_id) if ing_id else None
        items.append(
            {
                "section": sec,
                "printed": printed,
                "name": name,
                "stated": stated,
                "ing": ing,
                "kind": kind,
                "conf": conf,
                "matched": matched,
                "cap": ing.max_usual_pct if ing else None,
                "legal": legal_max(ing, market) if ing and ing.active else None,
                "ceiling": usual_ceiling(ing, product) if ing and ing.active else None,
            }
        )
    _bounds(items)

    entries: list[LabelEntry] = []
    counters: dict[str, int] = {}
    actives: list[ActiveFound] = []
    flags: list[Flag | dict] = []
    found: list[tuple[str, Ingredient]] = []
    notes: list[str] = []
    for it in items:
        counters[it["section"]] = counters.get(it["section"], 0) + 1
        ing: Ingredient | None = it["ing"]
        category = ing.category if ing else ("colorant" if it["kind"] == "pattern" else None)
        entries.append(_entry_record(it, counters[it["section"]], ing, category))
        if ing is None:
            continue
        if it["section"] == "may_contain":
            if ing.active:
                notes.append(f"{it['printed']} is in the 'may contain' part: counted as a colourant, not an active")
            continue
        found.append((it["name"], ing))
        flags.extend(_ingredient_flags(it["name"], ing, it["lo"], it["hi"]))
        ann = entries[-1]["eu_annex"]
        if any(a.startswith("Annex II/") for a in ann):
            flags.append(
                dict(
                    kind="eu_prohibited",
                    severity="warning",
                    ingredients=[it["name"]],
                    ids=[ing.id],
                    message=f"{it['name']}: listed in EU Annex II (prohibited in cosmetics)",
                    citation=render("cosing@" + ", ".join(a for a in ann if a.startswith("Annex II/"))),
                )
            )
        if ing.active:
            assessment, limit_flags = _assess(ing, it["lo"], it["hi"], it["name"])
            flags.extend(limit_flags)
            actives.append(_active_record(it, ing, assessment))
    flags.extend(combination_flags([(p, i) for p, i in found if i.active]))
    flags.extend(_acid_flags(found))
    if not entries:
        notes.append("No ingredient names were found in the text.")
    if any(e["match"] == "fuzzy" for e in entries):
        notes.append("Some names were matched by spelling similarity (match 'fuzzy'); check them against the label.")
    report = {
        "entries": entries,
        "actives": actives,
        "flags": flags,
        "unknown": [e["raw"] for e in entries if e["match"] == "unknown"],
        "ignored_text": ignored,
        "notes": notes,
        "market": market or "either",
        "product": product or "not stated",
        # The rabbit-ear caveat only when a rating is actually shown (a comedogenic flag).
        "disclaimer": DISCLAIMER + (f" {COMEDOGENIC_NOTE}" if any(_kind(f) == "comedogenic" for f in flags) else ""),
    }
    # One validation of the whole nested report is much cheaper than one per entry.
    return LabelReport.model_validate(report)
