"""The records a label reading produces (:class:`LabelReport` and its parts);
built by :func:`porescope.advise.ingredients.analyze_label`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from porescope.advise.label_parse import MatchKind, Section
from porescope.strict import StrictModel

__all__ = ["FlagKind", "DISCLAIMER", "LabelEntry", "ActiveFound", "Flag", "LabelReport"]

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
    "several_exfoliating_acids",
]

DISCLAIMER = (
    "Cosmetic information, not medical advice or a diagnosis. Percent ranges are estimated from the label's "
    "order and the legal limits, not measured."
)


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
    product: str = Field(default="not stated", description="The product type whose usual ceilings bound the estimates: leave_on, "
                         "rinse_off or 'not stated' (the larger ceiling of the two).")
    disclaimer: str = DISCLAIMER
