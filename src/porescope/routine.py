"""Compatibility path: the code lives in :mod:`porescope.advise.routine`."""

from porescope.advise.routine import (  # noqa: F401
    DAYS,
    DAYS_FOR_NIGHTS,
    MIN_RETINOID_AGE,
    PHOTO_REASON_MIN,
    SPF50_PHOTOAGING,
    MIN_ACTIVES_AGE,
    SPF_BY_EXPOSURE,
    TIMELINE,
    TIMELINE_RETINOID,
    CAUSE_WORDS,
    DISCLAIMER,
    PATCH_TEST,
    RampPhase,
    ProductMatch,
    RoutineStep,
    Conflict,
    Routine,
    CatalogProduct,
    cause_signals,
    build_routine,
    load_catalog,
    example_catalog,
    product_form,
)

__all__ = ['DAYS', 'DAYS_FOR_NIGHTS', 'MIN_RETINOID_AGE', 'PHOTO_REASON_MIN', 'SPF50_PHOTOAGING', 'MIN_ACTIVES_AGE', 'SPF_BY_EXPOSURE', 'TIMELINE', 'TIMELINE_RETINOID', 'CAUSE_WORDS', 'DISCLAIMER', 'PATCH_TEST', 'RampPhase', 'ProductMatch', 'RoutineStep', 'Conflict', 'Routine', 'CatalogProduct', 'cause_signals', 'build_routine', 'load_catalog', 'example_catalog', 'product_form']
