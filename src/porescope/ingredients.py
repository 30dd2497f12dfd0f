"""Compatibility path: the code lives in :mod:`porescope.advise.ingredients`."""

from porescope.advise.ingredients import (  # noqa: F401
    MatchKind,
    Section,
    FlagKind,
    COMEDOGENIC_FLAG_RATING,
    FUZZY_MIN_SCORE,
    FUZZY_MIN_WORD_SCORE,
    CONFIDENCE,
    MAX_NAME_CHARS,
    MAX_NAME_WORDS,
    DISCLAIMER,
    COMEDOGENIC_NOTE,
    Market,
    LEGAL_STATUSES,
    CATEGORY_WORDS,
    category_words,
    pct_text,
    range_text,
    LabelEntry,
    ActiveFound,
    Flag,
    LabelReport,
    match_name,
    parse_entries,
    legal_max,
    combination_flags,
    analyze_label,
)

__all__ = ['MatchKind', 'Section', 'FlagKind', 'COMEDOGENIC_FLAG_RATING', 'FUZZY_MIN_SCORE', 'FUZZY_MIN_WORD_SCORE', 'CONFIDENCE', 'MAX_NAME_CHARS', 'MAX_NAME_WORDS', 'DISCLAIMER', 'COMEDOGENIC_NOTE', 'Market', 'LEGAL_STATUSES', 'CATEGORY_WORDS', 'category_words', 'pct_text', 'range_text', 'LabelEntry', 'ActiveFound', 'Flag', 'LabelReport', 'match_name', 'parse_entries', 'legal_max', 'combination_flags', 'analyze_label']
