"""Product catalogs: reading one (JSON or CSV), the example catalog that
ships with porescope, and matching its products to a routine's steps by
their ingredient labels."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Literal

from pydantic import ValidationError

from porescope.advise.ingredients import LabelReport, analyze_label, combination_flags
from porescope.advise.knowledge import knowledge
from porescope.advise.profile import Profile
from porescope.advise.routine_models import CatalogFile, CatalogProduct, ProductMatch, RoutineStep
from porescope.errors import PorescopeError

__all__ = ["load_catalog", "example_catalog", "product_form", "match_products"]


# ---------------------------------------------------------------------------
# products


def load_catalog(text: str, *, fmt: Literal["json", "csv"] | None = None) -> list[CatalogProduct]:
    """Read a product catalog.

    Parameters
    ----------
    text : str
        JSON (``{"products": [...]}`` or a list) or CSV with ``name`` and
        ``ingredients`` columns (optional ``product_type``, ``spf``).
    fmt : {'json', 'csv'}, optional
        The format; guessed from the first character when not given.

    Returns
    -------
    list of CatalogProduct

    Raises
    ------
    PorescopeError
        One line naming the first problem (bad JSON, a missing column, a bad field).
    """
    stripped = text.lstrip()
    fmt = fmt or ("json" if stripped.startswith(("{", "[")) else "csv")
    try:
        if fmt == "json":
            data = json.loads(text)
            if isinstance(data, list):
                data = {"products": data}
            return CatalogFile.model_validate(data).products
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
    """The small catalog shipped with porescope.

    Returns
    -------
    list of CatalogProduct
        Two Bioelements products from their actives, the rest illustrative.
    """
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
    """Rinse-off or leave-on: as given, else read from the product type and name.

    Parameters
    ----------
    prod : CatalogProduct

    Returns
    -------
    {'rinse_off', 'leave_on'}
    """
    if prod.form is not None:
        return prod.form
    text = f"{prod.product_type} {prod.name}".lower()
    return "rinse_off" if any(w in text for w in _RINSE_OFF_WORDS) else "leave_on"


def _fits(step: RoutineStep, prod: CatalogProduct, rep: LabelReport, excluded_ids: set[str], excluded_cats: set[str],
          slot_mates: list) -> bool:
    """Whether a product may fill ``step`` at all (see :func:`match_products`)."""
    kb = knowledge()
    ids = {e.id for e in rep.entries if e.id}
    if ids & excluded_ids or any(kb.get(i).category in excluded_cats for i in ids):
        return False
    if any(kb.get(a.id).cautions.prescription == "everywhere" for a in rep.actives):
        return False
    if (product_form(prod) == "rinse_off") != (step.step in _RINSE_OFF_STEPS):
        return False  # a rinse-off cleanser cannot fill a leave-on step, nor a serum a cleanser step
    own = set(step.categories)
    if any(kb.get(a.id).strong_exfoliant and a.category not in own for a in rep.actives):
        return False  # would add a strong exfoliant the routine did not place here
    mine = [(a.printed_as + "\u0001product", kb.get(a.id)) for a in rep.actives]
    if any(f.severity != "info" for f in combination_flags(mine)):
        return False  # an irritating or inactivating pair inside the product
    if any(
        f.severity != "info" and {n.split("\u0001")[1] for n in f.ingredients} == {"product", "step"}
        for f in combination_flags(mine + slot_mates)
    ):
        return False  # clashes with another step of the same slot
    return True


def _step_fit(step: RoutineStep, prod: CatalogProduct, rep: LabelReport, profile: Profile) -> tuple[float, list[str]] | None:
    """How well a product suits the step itself, as (score, reasons); None when it does not suit it."""
    reasons: list[str] = []
    score = 0.0
    ptype = f"{prod.product_type} {prod.name}".lower()
    words = _TYPE_WORDS.get(step.step)
    if step.step == "sunscreen":
        filters = [a for a in rep.actives if a.category == "sunscreen"]
        if not filters:
            return None
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
            return None
        # Stronger than this person's suggested range: never for sensitive skin, a penalty otherwise.
        hi_ok = step.strength_pct[1] if step.strength_pct else 100.0
        if profile.treat_as_sensitive and any(a.min_pct > hi_ok + 1e-9 for a in hits):
            return None
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
            return None
        if any(a.category in _TREATMENT_CATEGORIES or a.category == "sunscreen" for a in rep.actives):
            return None  # plain steps take plain products: no extra treatment actives, SPF has its own step
        score += 2
        reasons.append(f"product type fits: {prod.product_type or 'from its name'}")
    return score, reasons


def match_products(
    steps: list[RoutineStep],
    catalog: list[CatalogProduct],
    profile: Profile,
    excluded_ids: set[str],
    excluded_cats: set[str] = frozenset(),
) -> None:
    """Fill each step's ``products`` with up to three catalog products, best first.

    A product is offered only when it fits the step: the same form (rinse-off
    for a cleanser step, leave-on otherwise), none of the person's excluded
    ingredients, no strong exfoliant beyond the step's own, and no combination
    that rules.json warns about, either inside the product or with the other
    steps of the same slot (the same rules the routine follows).

    Parameters
    ----------
    steps : list of RoutineStep
        The routine's steps (changed in place).
    catalog : list of CatalogProduct
        The products to choose from.
    profile : Profile
        The person (sensitive skin excludes stronger products and penalizes fragrance).
    excluded_ids : set of str
        Knowledge-base ids the person must not use (allergies, pregnancy).
    excluded_cats : set of str
        Categories the person must not use.

    Returns
    -------
    None
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
            if not _fits(step, prod, rep, excluded_ids, excluded_cats, slot_mates):
                continue
            fit = _step_fit(step, prod, rep, profile)
            if fit is None:
                continue
            score, reasons = fit
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
