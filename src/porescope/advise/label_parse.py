"""Read the text of an ingredient label into entries: clean it, find the
ingredient list's sections, split it into entries and match each entry to the
knowledge base (steps 1-4 of :mod:`porescope.advise.ingredients`).

Pure functions on strings; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from porescope.advise.knowledge import fold, knowledge

__all__ = ["MatchKind", "Section", "CONFIDENCE", "match_name", "parse_entries"]

MatchKind = Literal["exact", "synonym", "fuzzy", "pattern", "unknown"]
Section = Literal["ingredients", "active", "inactive", "may_contain"]

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

    Exact INCI, synonym, a part of it (slash alternatives, bracketed common
    names), then a guarded fuzzy match for typos.

    Parameters
    ----------
    name : str
        The entry's name (percentages and footnotes removed).

    Returns
    -------
    tuple
        ``(id, kind, confidence, matched_form)``; ``id`` is None for unknown
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
    """Split label text into entries.

    Parameters
    ----------
    text : str
        The label as printed.

    Returns
    -------
    entries : list of tuple
        ``(section, printed, name, stated_pct)`` per entry.
    ignored : list of str
        Text read as headings, prose or footnotes.
    """
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
