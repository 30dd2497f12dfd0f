"""Usual ceilings by product type: what a regulator or a safety panel (CIR, SCCS) says products of one type are made
to, e.g. the CIR Expert Panel's 10% for AHAs in leave-on products. Not law (legal maxima are
:func:`porescope.advise.ingredients.legal_max`), but they narrow a label's estimated percentages the same way."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from porescope.advise.knowledge import Ingredient, knowledge
from porescope.advise.knowledge.references import parse_citation, references
from porescope.advise.label_words import pct_text

__all__ = ["PRODUCT_WORDS", "ProductType", "usual_ceiling"]

ProductType = Literal["leave_on", "rinse_off"]
PRODUCT_WORDS = {"leave_on": "leave-on", "rinse_off": "rinse-off"}


def _short(citation: str) -> str:
    """'Cosmetic Ingredient Review Expert Panel 1998, Int J Toxicol 17 Suppl 1': enough to find the source."""
    ref = references()[parse_citation(citation)[0][0]]
    return f"{ref.authors} {ref.year}, " + (f"{ref.journal} {ref.volume}".strip() if ref.journal else ref.document)


def usual_ceiling(ing: Ingredient | None, product: ProductType | None) -> tuple[float, str] | None:
    """The usual ceiling a regulator or safety panel sets for an ingredient in a product type, with the words that say so.

    With no product type, the larger of the leave-on and rinse-off ceilings, and only when both are set (as
    :func:`porescope.advise.ingredients.legal_max` does for markets).

    Parameters
    ----------
    ing : Ingredient or None
    product : {'leave_on', 'rinse_off'} or None

    Returns
    -------
    tuple or None
        (ceiling %, whose figure and under which conditions, in words), or None.
    """
    if ing is None or not ing.ceilings:
        return None
    return _ceiling(ing.id, product)


@lru_cache(maxsize=1024)
def _ceiling(ing_id: str, product: ProductType | None) -> tuple[float, str] | None:
    by = {c.product: c for c in knowledge().get(ing_id).ceilings}
    if product is not None:
        c = by.get(product)
        if c is None:
            return None
        return c.max_pct, f"the usual ceiling for {PRODUCT_WORDS[product]} products ({c.who}: {c.condition}; {_short(c.citation)})"
    if len(by) < 2:
        return None
    top = max(by.values(), key=lambda c: c.max_pct)
    parts = ", ".join(f"{PRODUCT_WORDS[c.product]} {pct_text(c.max_pct, up=True)}%" for c in sorted(by.values(), key=lambda c: c.max_pct))
    return top.max_pct, (f"the usual ceiling for any product type ({top.who}: {parts}; give the product type to use one; "
                         f"{_short(top.citation)})")
