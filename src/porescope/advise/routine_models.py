"""The records of a routine (:class:`Routine`, its steps, product matches and
conflicts) and of a product catalog; built by :mod:`porescope.advise.routine`
and :mod:`porescope.advise.catalog`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from porescope.strict import StrictModel

__all__ = ["TIMELINE", "TIMELINE_RETINOID", "CAUSE_WORDS", "DISCLAIMER", "RampPhase", "ProductMatch", "RoutineStep", "Conflict", "Routine",
           "CatalogProduct", "CatalogFile", "same_as_morning"]

TIMELINE = (
    "Expect how visible your pores look to improve over 4-12 weeks of consistent use. Pore size in the "
    "anatomical sense is largely genetic and does not change: care changes how visible pores look."
)
#: Added to the timeline only when the routine (or a prescription) includes a retinoid.
TIMELINE_RETINOID = " Retinoids can take 12 weeks or more."
#: Causes in plain words, for sentences people read.
CAUSE_WORDS = {"clogging": "clogged pores", "oil": "oiliness", "laxity": "loss of firmness", "photoaging": "sun damage",
               "texture": "uneven texture"}
DISCLAIMER = (
    "Cosmetic guidance, not a diagnosis or medical advice. It can reduce how visible pores look, not their "
    "anatomy. See a dermatologist for changing, painful, bleeding or inflamed spots."
)


class RampPhase(StrictModel):
    from_week: int
    nights_per_week: int
    days: list[str]


class ProductMatch(StrictModel):
    name: str
    score: float
    reasons: list[str]
    note: str = ""


class RoutineStep(StrictModel):
    slot: Literal["am", "pm"]
    step: str = Field(description="Step id from rules.json.")
    product_type: str
    actives: list[str] = Field(description="Knowledge-base ids of suitable actives (any one of them).")
    categories: list[str]
    strength: str = Field(description="Suggested strength range, in words.")
    strength_pct: tuple[float, float] | None = None
    frequency: str
    ramp: list[RampPhase] = Field(default_factory=list)
    targets: list[str] = Field(description="Causes of visible pores this step works on.")
    reason: str
    citation: str = Field(description="The sources, as full references (authors, year, journal, DOI/PMID or regulation).")
    evidence: str = Field(default="", description="What the sources found, in plain words.")
    sources: list[str] = Field(default_factory=list, description="One full reference per source.")
    patch_test: bool = False
    products: list[ProductMatch] = Field(default_factory=list)


class Conflict(StrictModel):
    severity: Literal["info", "caution", "warning"]
    between: list[str] = Field(description="Products / prescriptions / steps involved.")
    ingredients: list[str]
    message: str
    citation: str = ""


class Routine(StrictModel):
    am: list[RoutineStep]
    pm: list[RoutineStep]
    focus: list[str] = Field(description="Causes this routine targets, strongest signal first.")
    signals: dict[str, float]
    signal_sources: list[str]
    warnings: list[str]
    conflicts: list[Conflict]
    notes: list[str]
    timeline: str = TIMELINE
    timeline_weeks: tuple[int, int] = (4, 12)
    see_a_dermatologist: list[str]
    disclaimer: str = DISCLAIMER
    photo_given: bool = Field(default=False, description="Whether a photo's analysis was read.")
    photo_changes: list[str] = Field(
        default_factory=list,
        description="What the photo changed against the routine the profile alone gives: which step, and why (empty: nothing).")


def same_as_morning(evening_step: RoutineStep, morning: list[RoutineStep]) -> bool:
    """Whether an evening step repeats a morning one word for word (a cleanser, a moisturizer): every shell shows it once.

    Parameters
    ----------
    evening_step : RoutineStep
        A step of ``Routine.pm``.
    morning : list of RoutineStep
        ``Routine.am``.

    Returns
    -------
    bool
        True when a morning step has the same id, product type, strength, frequency, reason, sources and products.
    """
    fields = ("step", "product_type", "strength", "frequency", "reason", "sources", "products")
    return any(all(getattr(evening_step, f) == getattr(m, f) for f in fields) for m in morning)


class CatalogProduct(StrictModel):
    name: str
    ingredients: str
    product_type: str = ""
    form: Literal["rinse_off", "leave_on"] | None = Field(
        default=None, description="Rinse-off (cleanser, wash) or leave-on; None: read from the type and name."
    )
    spf: int | None = None
    illustrative: bool = True
    note: str = ""


class CatalogFile(StrictModel):
    about: str = ""
    products: list[CatalogProduct]
