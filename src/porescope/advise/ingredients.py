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

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from pydantic import Field

from porescope.advise.knowledge import Ingredient, eu_annex_refs, fold, knowledge
from porescope.advise.knowledge.references import render
from porescope.advise.knowledge.rules import Combination, Selector, rules
from porescope.strict import StrictModel

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

MatchKind = Literal["exact", "synonym", "fuzzy", "pattern", "unknown"]
Section = Literal["ingredients", "active", "inactive", "may_contain"]
FlagKind = Literal[
    "comedogenic",
    "fragrance",
    "fragrance_allergen",
    "sensitizer",
    "irritating_combination",
    "pregnancy",
    "prescription",
    "eu_prohibited",
    "above_legal_limit",
    "photosensitivity",
]

#: Fulton rating at or above which an ingredient is flagged (weak signal only).
COMEDOGENIC_FLAG_RATING = 3
#: rapidfuzz ratio (0-100) a typo must reach to be accepted as a fuzzy match.
FUZZY_MIN_SCORE = 90.0
#: Each word of a fuzzy match must itself be this close, so that a different
#: word ("salicylate" vs "salicylic", "benzyl" vs "methyl") is never waved through.
FUZZY_MIN_WORD_SCORE = 80.0
#: Confidence reported per match kind (fuzzy scales with its score).
CONFIDENCE = {"exact": 1.0, "synonym": 0.95, "pattern": 0.9, "unknown": 0.0}
#: Longest entry (characters / words) still taken for an ingredient name; longer is prose.
MAX_NAME_CHARS = 90
MAX_NAME_WORDS = 9

DISCLAIMER = (
    "Cosmetic information, not medical advice or a diagnosis. Percent ranges are estimated from the label's "
    "order and the legal limits, not measured."
)
#: Added to the disclaimer only when a comedogenicity flag is shown.
COMEDOGENIC_NOTE = "Pore-clogging ratings come from a rabbit-ear model and are a weak signal only."
Market = Literal["eu", "us"]
#: Regulatory statuses whose max_pct is a legal maximum (not a safety panel's advice).
LEGAL_STATUSES = ("restricted", "otc_drug")
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
    """A category id in words ("azelaic_acid" -> "azelaic acid")."""
    if not category:
        return ""
    return CATEGORY_WORDS.get(category, category.replace("_", " "))


def pct_text(x: float, *, up: bool = False) -> str:
    """A percentage with two significant figures, rounded outward (down for a lower bound, up for an upper one)."""
    import math

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
    """'0.5-2%' with two significant figures; one number when both ends agree."""
    a, b = pct_text(lo), pct_text(hi, up=True)
    return f"{a}%" if a == b else f"{a}-{b}%"


class LabelEntry(StrictModel):
    """One entry of the label, as printed and as understood."""

    position: int = Field(description="1-based position within its section.")
    section: Section
    raw: str = Field(description="As printed (cleaned of ™/® and footnote marks).")
    name: str = Field(description="The name that was looked up (percentages and footnotes removed).")
    id: str | None = Field(default=None, description="Knowledge-base id, None if unknown.")
    inci: str | None = None
    category: str | None = None
    active: bool = False
    match: MatchKind = "unknown"
    confidence: float = Field(ge=0, le=1)
    matched_on: str | None = Field(default=None, description="The form of the name that matched.")
    stated_pct: float | None = None
    min_pct: float
    max_pct: float
    estimate: str = Field(default="", description="The bounds in words, two significant figures, e.g. '0.5-2%'.")
    bounds_basis: str = Field(description="How the bounds were derived, in words.")
    eu_annex: list[str] = Field(default_factory=list, description="EU CosIng annex entries naming it (on-the-list).")


class ActiveFound(StrictModel):
    id: str
    inci: str
    category: str
    kind: str = Field(default="", description="The category in words.")
    printed_as: str
    min_pct: float
    max_pct: float
    estimate: str = Field(default="", description="The bounds in words, two significant figures, e.g. '0.5-2%'.")
    bounds_basis: str
    effective_range: str
    eu_limit_pct: float | None = None
    us_limit_pct: float | None = None
    assessment: str = Field(description="The estimated range compared with the usual effective range and legal limits.")
    pore_action: str
    causes: list[str]
    evidence_level: str


class Flag(StrictModel):
    kind: FlagKind
    severity: Literal["info", "caution", "warning"]
    ingredients: list[str] = Field(description="The entries that triggered the flag, as printed.")
    ids: list[str] = Field(default_factory=list)
    message: str
    citation: str = ""


class LabelReport(StrictModel):
    entries: list[LabelEntry]
    actives: list[ActiveFound]
    flags: list[Flag]
    unknown: list[str] = Field(description="Entries not found in the knowledge base, as printed.")
    ignored_text: list[str] = Field(default_factory=list, description="Text read as headings, prose or footnotes.")
    notes: list[str] = Field(default_factory=list)
    market: str = Field(default="either", description="Whose legal maxima bound the estimates: eu, us or either.")
    disclaimer: str = DISCLAIMER


# ---------------------------------------------------------------------------
# 1. cleaning

_MARKS = re.compile(r"[\u2122\u00ae\u00a9\u2120]")  # ™ ® © ℠
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SUPERSCRIPTS = re.compile(r"[\u00b9\u00b2\u00b3\u2070-\u209f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HSPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _clean_text(text: str) -> str:
    text = _MARKS.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _SUPERSCRIPTS.sub("*", text)  # superscript footnote marks
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return _HSPACE.sub(" ", text)


# ---------------------------------------------------------------------------
# 2. sections

_HEADINGS = re.compile(
    r"(?:(?P<inactive>\binactive\s+ingredients?\b)"
    r"|(?P<active>\bactive\s+ingredients?\b(?:\s*\([^)]*\))?)"
    r"|(?P<ingredients>\b(?:full\s+|other\s+)?(?:ingredients?|ingr[eé]dients?|inhaltsstoffe|ingredientes|inci)\b(?:\s+list)?))"
    r"(?P<colon>\s*[:\-\u2013\u2014]|\s*\n)?",
    re.IGNORECASE,
)
_TERMINATORS = re.compile(
    r"(?:^|\n|[.!]\s)[ \t•*\-]*"
    r"(?:warnings?|directions(?:\s+for\s+use)?|uses|other\s+information|questions(?:\s+or\s+comments)?|"
    r"how\s+to\s+use|caution|keep\s+out\s+of\s+reach|distributed\s+by|manufactured\s+(?:for|by)|"
    r"made\s+in|storage|stop\s+use|do\s+not\s+use|when\s+using)\b\s*[:?]?",
    re.IGNORECASE,
)
_MAY_CONTAIN = re.compile(
    r"\[\s*\+\s*/\s*-\s*\]?|\(\s*\+\s*/\s*-\s*\)|\+\s*/\s*-|\bmay\s+contain\b\s*:?|\bpeut\s+contenir\b\s*:?",
    re.IGNORECASE,
)


def _find_sections(text: str) -> tuple[list[tuple[Section, str]], list[str]]:
    """Split label text into ingredient sections and ignored text."""
    heads = []
    for m in _HEADINGS.finditer(text):
        kind: Section = (
            "inactive" if m.group("inactive") else "active" if m.group("active") else "ingredients"
        )
        if kind == "ingredients" and not m.group("colon"):
            # A bare word "ingredients" inside prose ("with natural ingredients") is not a heading.
            continue
        heads.append((m.start(), m.end(), kind))
    ignored: list[str] = []
    if not heads:
        return [("ingredients", text)], ignored
    sections: list[tuple[Section, str]] = []
    if text[: heads[0][0]].strip():
        ignored.append(text[: heads[0][0]].strip())
    for idx, (_start, end, kind) in enumerate(heads):
        stop = heads[idx + 1][0] if idx + 1 < len(heads) else len(text)
        body = text[end:stop]
        t = _TERMINATORS.search(body)
        if t:
            if body[t.start() :].strip():
                ignored.append(body[t.start() :].strip())
            body = body[: t.start() + (1 if body[t.start() : t.start() + 1] in ".!" else 0)]
        sections.append((kind, body))
    return sections, ignored


# ---------------------------------------------------------------------------
# 3. splitting

_OPEN, _CLOSE = "([{", ")]}"
#: Separators: a comma splits unless digits sit on both sides ("1,2-Hexanediol", "0,5%");
#: a full stop splits only where a footnote follows ("Limonene*. *Natural origin").
_SPLIT_KEEP = re.compile(r"((?<!\d),|,(?!\d)|[;\n•·|]|\.\s(?=[*†‡]))")


def _split(text: str) -> list[str]:
    """Split on separators outside brackets; keep '1,2-Hexanediol' and '0,5%' whole."""
    tokens = _SPLIT_KEEP.split(text)  # even indexes: text, odd: the separator that followed
    if not any(c in text for c in "([{)]}"):
        return [p for p in (t.strip() for t in tokens[::2]) if p]
    balanced = sum(text.count(c) for c in _OPEN) == sum(text.count(c) for c in _CLOSE)
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for k, tok in enumerate(tokens):
        if k % 2 == 0:
            buf.append(tok)
            if balanced:
                depth = max(0, depth + sum(tok.count(c) for c in _OPEN) - sum(tok.count(c) for c in _CLOSE))
        elif depth > 0:
            buf.append(tok)  # a separator inside brackets: "Parfum (Fragrance, Limonene)"
        else:
            parts.append("".join(buf))
            buf = []
    parts.append("".join(buf))
    return [p for p in (x.strip() for x in parts) if p]


# ---------------------------------------------------------------------------
# 4. one entry

_FOOTNOTE_TAIL = re.compile(r"\s[*†‡]+\s*[^\W\d_]")
_PCT = re.compile(r"\(?\s*(\d{1,3}(?:[.,]\d+)?)\s*%\s*(?:w\s*/\s*w)?\s*\)?")
_FOOTNOTE_MARKS = re.compile(r"[*†‡§¤#]+|\(\d\)|(?<=[a-zA-Z)])\d$")
_LEADERS = re.compile(r"\.{2,}|…+|_{2,}")
_PARENS = re.compile(r"\s*[\(\[]([^()\[\]]*)[\)\]]\s*")
_CI = re.compile(r"^c\.?\s?[il]\.?\s*(\d{5})(?::\d{1,2})?$", re.IGNORECASE)
_TRAILING_WORDS = re.compile(r"\s+(purpose|acne\s+(?:treatment|medication)|sunscreen|anti-?dandruff)\b.*$", re.IGNORECASE)


def _clean_entry(raw: str, section: Section) -> tuple[str, float | None]:
    """Return the name to look up and a stated percentage, if any."""
    text = _LEADERS.sub(" ", raw)
    stated = None
    m = _PCT.search(text)
    if m:
        try:
            stated = float(m.group(1).replace(",", "."))
        except ValueError:  # pragma: no cover - the regex only admits numbers
            stated = None
        if stated is not None and not 0 <= stated <= 100:
            stated = None
        if section == "active":
            # Drug facts: "Salicylic acid 2% .... Acne treatment" - the purpose follows the percentage.
            text = text[: m.start()]
        else:
            text = text[: m.start()] + " " + text[m.end() :]
    if section == "active":
        text = _TRAILING_WORDS.sub("", text)
    text = _FOOTNOTE_MARKS.sub("", text)
    text = re.sub(r"^(?:and|&|\+)\s+", "", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+", " ", text).strip(" .:-–—\"'")
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text).strip()
    if text.count("(") != text.count(")") or text.count("[") != text.count("]"):
        text = re.sub(r"\s+", " ", re.sub(r"[()\[\]]", " ", text)).strip()  # stray brackets from a broken scan
    return text, stated


_clean_entry_cached = lru_cache(maxsize=65536)(_clean_entry)


def _candidates(name: str) -> list[tuple[str, str]]:
    """Forms to look up, best first: (form, how it relates to the printed name)."""
    out: list[tuple[str, str]] = [(name, "whole")]
    inner = _PARENS.findall(name)
    outer = re.sub(r"\s+", " ", _PARENS.sub(" ", name)).strip()
    if outer and outer != name:
        out.append((outer, "whole"))
    pieces = [outer] if outer else []
    pieces += inner
    for piece in pieces:
        for part in re.split(r"\s*/\s*|\s+\bor\b\s+", piece):
            part = part.strip()
            if part and part != piece:
                out.append((part, "part"))
        if piece != outer:
            out.append((piece.strip(), "part"))
    return out


@lru_cache(maxsize=1)
def _fuzzy_choices() -> tuple[list[str], dict[str, tuple[str, str]]]:
    names = knowledge().names
    return list(names), names


def _fuzzy_ok(query: str, candidate: str) -> bool:
    from rapidfuzz import fuzz

    qw, cw = query.split(), candidate.split()
    if len(qw) != len(cw):
        return False
    # Same first letter per word: "ethyl" is not a typo of "methyl", though 91% alike.
    return all(a[0] == b[0] and fuzz.ratio(a, b) >= FUZZY_MIN_WORD_SCORE for a, b in zip(qw, cw, strict=True))


@lru_cache(maxsize=65536)
def match_name(name: str) -> tuple[str | None, MatchKind, float, str | None]:
    """Match one cleaned entry name to the knowledge base.

    Returns ``(id, kind, confidence, matched_form)``; ``id`` is None for unknown
    entries and for colour-index numbers not in the knowledge base (kind
    ``"pattern"``).
    """
    kb = knowledge()
    first = None
    for form, relation in _candidates(name):
        hit = kb.names.get(fold(form))
        if hit:
            ing_id, how = hit
            kind: MatchKind = "exact" if (how == "exact" and relation == "whole") else "synonym"
            if kind == "exact":
                # "Aqua (Water)": the INCI name outside the brackets is an exact match.
                if first is None or first[0] == ing_id:
                    return ing_id, kind, CONFIDENCE[kind], form
            if first is None:
                first = (ing_id, kind, CONFIDENCE[kind], form)
    if first is not None:
        return first
    for form, _ in _candidates(name):
        if _CI.match(form.strip()):
            return None, "pattern", CONFIDENCE["pattern"], form
    key = fold(name)
    if len(key) >= 5:
        from rapidfuzz import fuzz, process

        choices, names = _fuzzy_choices()
        best = process.extractOne(key, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE)
        if best and _fuzzy_ok(key, best[0]):
            return names[best[0]][0], "fuzzy", round(0.9 * best[1] / 100.0, 3), best[0]
    return None, "unknown", 0.0, None


def _is_prose(name: str) -> bool:
    return len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS


def parse_entries(text: str) -> tuple[list[tuple[Section, str, str, float | None]], list[str]]:
    """Split label text into ``(section, printed, name, stated_pct)`` entries plus ignored text."""
    cleaned = _clean_text(text)
    sections, ignored = _find_sections(cleaned)
    out: list[tuple[Section, str, str, float | None]] = []
    for kind, body in sections:
        body = re.sub(r"(?i)\bpurpose\b", "\n", body) if kind == "active" else body
        mc = _MAY_CONTAIN.search(body)
        parts = [(kind, body[: mc.start()]), ("may_contain", body[mc.end() :])] if mc else [(kind, body)]
        for sec, chunk in parts:
            for piece in _split(chunk):
                printed = piece.strip().strip("[]").strip().lstrip(":-–— ").strip()
                tail = _FOOTNOTE_TAIL.search(printed)
                if tail and tail.start() > 0:
                    ignored.append(printed[tail.start() :].strip())  # "Tocopherol* *Natural vitamin E"
                    printed = printed[: tail.start()].strip()
                if re.match(r"^[*†‡]+\s*\w", printed) and len(printed.split()) >= 2:
                    ignored.append(printed)  # a footnote: "*Certified organic"
                    continue
                name, stated = _clean_entry_cached(printed, sec)
                if not name or not re.search(r"[^\W\d_]", name):
                    if printed and not re.fullmatch(r"[\W_]*", printed):
                        ignored.append(printed)
                    continue
                if _is_prose(name):
                    ignored.append(printed)
                    continue
                out.append((sec, printed, name, stated))
    return out, ignored


# ---------------------------------------------------------------------------
# 5. bounds

def _fmt(x: float, up: bool = False) -> str:
    return pct_text(x, up=up)


def legal_max(ing: Ingredient | None, market: Market | None) -> tuple[float, str] | None:
    """The legal maximum (%) for ``ing`` in ``market``, with the words that say so, or None.

    With no market, a product may be sold legally in the EU or the US, so the
    bound is the larger of the two legal maxima, and only when both markets set one.
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
    n = len(ordered)

    for it in items:
        it["lo"], it["hi"], it["why"] = 0.0, 100.0, []

    # --- the ordered cosmetic list -------------------------------------
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
                legal = it.get("legal")
                if legal is not None and legal[0] < hi:
                    if lo <= legal[0] + 1e-9:
                        hi = legal[0]
                        if explain:
                            why.append(f"at most {_fmt(hi, True)}%: {legal[1]}")
                    elif explain:
                        why.append(f"the label order puts it above {legal[1]} of {_fmt(legal[0], True)}%")
                others_lo = total_lo - it["lo"]
                hi = min(hi, max(0.0, 100.0 - others_lo))
                it["lo"], it["hi"], it["why"] = min(lo, hi), hi, why
            if it["hi"] < min_before:
                min_before, min_before_name, min_before_stated = it["hi"], it["name"], it["stated"] is not None

    # --- drug facts actives, unordered inactives, may-contain ------------
    rest = max(0.0, 100.0 - stated_total)
    for it in active:
        if it["stated"] is not None:
            it["lo"] = it["hi"] = it["stated"]
            it["why"] = ["stated on the label (drug facts)"]
        else:
            it["hi"] = rest
            it["why"] = ["active ingredient without a stated percentage"]
            if it.get("legal") is not None and it["legal"][0] < rest:
                it["hi"] = it["legal"][0]
                it["why"].append(f"at most {_fmt(it['hi'], True)}%: {it['legal'][1]}")
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
            if it.get("legal") is not None and it["legal"][0] < it["hi"]:
                it["hi"] = it["legal"][0]
                it["why"].append(f"at most {_fmt(it['hi'], True)}%: {it['legal'][1]}")
        elif it["section"] == "may_contain":
            it["hi"] = min(rest, it["cap"]) if it["cap"] is not None else rest
            it["why"] = ["'may contain': may be absent from this unit; order carries no information"]
    for it in items:
        it["lo"] = round(it["lo"], 3)
        it["hi"] = round(max(it["hi"], it["lo"]), 3)


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
    """Irritating or inactivating pairs among ``(printed name, ingredient)`` pairs, per ``rules.json``."""
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


def analyze_label(text: str, market: Market | None = None) -> LabelReport:
    """Read label text and report ingredients, actives, estimated percentages and flags.

    ``market`` ("eu" or "us") picks whose legal maxima bound the estimates;
    None means the product may be sold legally in either. Never raises on any
    string input.
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
        entries.append(
            dict(
                position=counters[it["section"]],
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
        )
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
            actives.append(
                dict(
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
            )
    flags.extend(combination_flags([(p, i) for p, i in found if i.active]))
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
        # The rabbit-ear caveat only when a rating is actually shown (a comedogenic flag).
        "disclaimer": DISCLAIMER + (f" {COMEDOGENIC_NOTE}" if any(_kind(f) == "comedogenic" for f in flags) else ""),
    }
    # One validation of the whole nested report is much cheaper than one per entry.
    return LabelReport.model_validate(report)
