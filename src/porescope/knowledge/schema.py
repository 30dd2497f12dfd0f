"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.schema`."""

from porescope.advise.knowledge.schema import (  # noqa: F401
    ActiveCategory,
    BaseCategory,
    Category,
    ACTIVE_CATEGORIES,
    Citation,
    PoreCause,
    EvidenceLevel,
    OverallEvidence,
    Pregnancy,
    Irritation,
    Prescription,
    RegStatus,
    Range,
    Limit,
    Limits,
    Cautions,
    Evidence,
    Comedogenicity,
    Ingredient,
    KnowledgeFile,
)

__all__ = ['ActiveCategory', 'BaseCategory', 'Category', 'ACTIVE_CATEGORIES', 'Citation', 'PoreCause', 'EvidenceLevel', 'OverallEvidence', 'Pregnancy', 'Irritation', 'Prescription', 'RegStatus', 'Range', 'Limit', 'Limits', 'Cautions', 'Evidence', 'Comedogenicity', 'Ingredient', 'KnowledgeFile']
