"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge`."""

from porescope.advise.knowledge import (  # noqa: F401
    ACTIVE_CATEGORIES,
    Ingredient,
    KnowledgeBase,
    KnowledgeFile,
    eu_annex_refs,
    fold,
    knowledge,
    load_file,
)

__all__ = [
    "ACTIVE_CATEGORIES", "Ingredient", "KnowledgeFile", "fold", "load_file", "KnowledgeBase", "knowledge",
    "eu_annex_refs",
]
