"""Compatibility path: the code lives in :mod:`porescope.advise.routine`."""

from porescope.advise.routine import (  # noqa: F401
    CAUSE_WORDS,
    DAYS,
    DAYS_FOR_NIGHTS,
    DISCLAIMER,
    MIN_ACTIVES_AGE,
    MIN_RETINOID_AGE,
    PATCH_TEST,
    PHOTO_REASON_MIN,
    SPF50_PHOTOAGING,
    SPF_BY_EXPOSURE,
    TIMELINE,
    TIMELINE_RETINOID,
    CatalogProduct,
    Conflict,
    ProductMatch,
    RampPhase,
    Routine,
    RoutineStep,
    build_routine,
    cause_signals,
    example_catalog,
    load_catalog,
    product_form,
)

__all__ = [
    "DAYS", "DAYS_FOR_NIGHTS", "MIN_RETINOID_AGE", "PHOTO_REASON_MIN", "SPF50_PHOTOAGING", "MIN_ACTIVES_AGE",
    "SPF_BY_EXPOSURE", "TIMELINE", "TIMELINE_RETINOID", "CAUSE_WORDS", "DISCLAIMER", "PATCH_TEST",
    "RampPhase", "ProductMatch", "RoutineStep", "Conflict", "Routine", "CatalogProduct", "cause_signals",
    "build_routine", "load_catalog", "example_catalog", "product_form",
]
