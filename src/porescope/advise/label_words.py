"""Label findings in words people read: ingredient categories and
percentages with two significant figures, rounded outward."""

from __future__ import annotations

import math

__all__ = ["CATEGORY_WORDS", "category_words", "pct_text", "range_text"]

#: Categories in words, for people (the ids in the JSON stay machine-readable).
CATEGORY_WORDS = {
    "bha": "BHA (beta hydroxy acid) exfoliant",
    "aha": "AHA (alpha hydroxy acid) exfoliant",
    "pha": "PHA (polyhydroxy acid) exfoliant",
    "retinoid": "retinoid",
    "azelaic_acid": "azelaic acid",
    "niacinamide": "niacinamide (vitamin B3)",
    "benzoyl_peroxide": "benzoyl peroxide",
    "peptide": "peptide",
    "sunscreen": "UV filter",
    "zinc": "zinc salt",
    "clay": "clay",
    "botanical": "plant extract",
    "fragrance_allergen": "fragrance allergen",
    "ph_adjuster": "pH adjuster",
}


def category_words(category: str | None) -> str:
    """A category id in words ("azelaic_acid" -> "azelaic acid").

    Parameters
    ----------
    category : str or None

    Returns
    -------
    str
        "" for None.
    """
    if not category:
        return ""
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def pct_text(x: float, *, up: bool = False) -> str:
    """A percentage with two significant figures, rounded outward.

    Parameters
    ----------
    x : float
        The percentage.
    up : bool
        Round up (an upper bound) instead of down (a lower bound).

    Returns
    -------
    str
        Without a % sign; "0" and "100" at the ends.
    """
    if x <= 0:
        return "0"
    if x >= 100:
        return "100"
    digits = 1 - math.floor(math.log10(abs(x)))
    scale = 10.0**digits
    v = (math.ceil(x * scale - 1e-9) if up else math.floor(x * scale + 1e-9)) / scale
    v = min(v, 100.0)
    return f"{v:.{max(digits, 0)}f}".rstrip("0").rstrip(".") if digits > 0 else f"{v:.0f}"


def range_text(lo: float, hi: float) -> str:
    """A percentage range in words, e.g. '0.5-2%'.

    Parameters
    ----------
    lo, hi : float
        The bounds (%).

    Returns
    -------
    str
        Two significant figures, rounded outward; one number when both ends agree.
    """
    a, b = pct_text(lo), pct_text(hi, up=True)
    return f"{a}%" if a == b else f"{a}-{b}%"
