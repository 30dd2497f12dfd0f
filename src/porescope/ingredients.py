"""Compatibility path: the code lives in :mod:`porescope.advise.ingredients`."""

from porescope.advise.ingredients import (  # noqa: F401
    CATEGORY_WORDS,
    COMEDOGENIC_FLAG_RATING,
    COMEDOGENIC_NOTE,
    CONFIDENCE,
    DISCLAIMER,
    LEGAL_STATUSES,
    ActiveFound,
    Flag,
    FlagKind,
    LabelEntry,
    LabelReport,
    Market,
    MatchKind,
    Section,
    analyze_label,
    category_words,
    combination_flags,
    legal_max,
    match_name,
    parse_entries,
    pct_text,
    range_text,
)
from porescope.advise.label_parse import (  # noqa: F401
    FUZZY_MIN_SCORE,
    FUZZY_MIN_WORD_SCORE,
    MAX_NAME_CHARS,
    MAX_NAME_WORDS,
)

__all__ = [
    "MatchKind", "Section", "FlagKind", "COMEDOGENIC_FLAG_RATING", "FUZZY_MIN_SCORE", "FUZZY_MIN_WORD_SCORE",
    "CONFIDENCE", "MAX_NAME_CHARS", "MAX_NAME_WORDS", "DISCLAIMER", "COMEDOGENIC_NOTE", "Market",
    "LEGAL_STATUSES", "CATEGORY_WORDS", "category_words", "pct_text", "range_text", "LabelEntry",
    "ActiveFound", "Flag", "LabelReport", "match_name", "parse_entries", "legal_max", "combination_flags",
    "analyze_label",
]
