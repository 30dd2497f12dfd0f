"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.schema`."""

from porescope.advise.knowledge.schema import (  # noqa: F401
    ACTIVE_CATEGORIES,
    ActiveCategory,
    BaseCategory,
    Category,
    Cautions,
    Citation,
    Comedogenicity,
    Evidence,
    EvidenceLevel,
    Ingredient,
    Irritation,
    KnowledgeFile,
    Limit,
    Limits,
    OverallEvidence,
    PoreCause,
    Pregnancy,
    Prescription,
    Range,
    RegStatus,
)

__all__ = [
    "ActiveCategory", "BaseCategory", "Category", "ACTIVE_CATEGORIES", "Citation", "PoreCause",
    "EvidenceLevel", "OverallEvidence", "Pregnancy", "Irritation", "Prescription", "RegStatus", "Range",
    "Limit", "Limits", "Cautions", "Evidence", "Comedogenicity", "Ingredient", "KnowledgeFile",
]
