"""Pydantic models for the knowledge files in this folder.

The JSON files are the source of truth; these models are the contract they
must meet. ``tests/advise/test_knowledge.py`` validates every file against them, so a
typo in a category or a missing citation fails the test run, not a user.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from porescope.advise.knowledge.references import check_citation

#: Fixed vocabulary of ingredient categories: the actives relevant to visible
#: pores, then the categories of ordinary base ingredients needed to read a
#: whole label.
ActiveCategory = Literal[
    "bha",
    "aha",
    "pha",
    "retinoid",
    "azelaic_acid",
    "niacinamide",
    "benzoyl_peroxide",
    "peptide",
    "sunscreen",
    "zinc",
    "clay",
    "botanical",
]
BaseCategory = Literal[
    "solvent",
    "humectant",
    "silicone",
    "emollient",
    "surfactant",
    "emulsifier",
    "preservative",
    "fragrance",
    "fragrance_allergen",
    "thickener",
    "chelator",
    "ph_adjuster",
    "antioxidant",
    "soothing",
    "colorant",
    "vitamin",
    "other",
]
Category = Literal[ActiveCategory, BaseCategory]

ACTIVE_CATEGORIES: frozenset[str] = frozenset(get_args(ActiveCategory))

#: A citation: ids of references.json separated by "; ", each with an optional "@pinpoint".
#: Validated on load, so a citation that names no shipped reference fails.
Citation = Annotated[str, AfterValidator(check_citation)]

PoreCause = Literal["clogging", "oil", "laxity", "photoaging"]
EvidenceLevel = Literal[
    "systematic_review", "rct", "controlled_trial", "open_study", "mechanism", "expert_opinion", "low"
]
OverallEvidence = Literal["moderate", "low", "very_low"]
Pregnancy = Literal["avoid", "ask", "ok", "unknown"]
Irritation = Literal["low", "moderate", "high"]
Prescription = Literal["none", "us", "eu", "everywhere", "strength_dependent"]
RegStatus = Literal[
    "allowed", "restricted", "prohibited", "not_a_cosmetic", "otc_drug", "prescription", "not_approved", "no_limit"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Range(_Strict):
    """A concentration range in percent (w/w)."""

    min_pct: float = Field(ge=0, le=100)
    max_pct: float = Field(ge=0, le=100)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min_pct > self.max_pct:
            raise ValueError(f"min_pct {self.min_pct} > max_pct {self.max_pct}")
        return self


class Limit(_Strict):
    """What one jurisdiction allows, as the cited regulation says."""

    status: RegStatus
    max_pct: float | None = Field(default=None, ge=0, le=100)
    note: str = ""
    citation: Citation = ""


class Limits(_Strict):
    eu: Limit
    us: Limit


class Cautions(_Strict):
    pregnancy: Pregnancy = "unknown"
    irritation: Irritation = "low"
    photosensitivity: bool = False
    prescription: Prescription = "none"
    notes: str = ""


class Evidence(_Strict):
    """One piece of evidence: a study or a review, with its citation."""

    study: str
    n: int | None = Field(default=None, ge=1)
    duration: str = ""
    outcome: str
    citation: Citation
    level: EvidenceLevel


class Comedogenicity(_Strict):
    """Fulton rabbit-ear rating: a weak signal, unreliable in humans (Kligman 1996)."""

    rating: int = Field(ge=0, le=5)
    source: Citation


class Ingredient(_Strict):
    """One known ingredient (active or base)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    inci: str
    synonyms: list[str] = Field(default_factory=list)
    category: Category
    role: str
    active: bool = False
    # --- fields that matter for actives ---------------------------------
    causes: list[PoreCause] = Field(default_factory=list)
    pore_action: str = ""
    effective_range: Range | None = None
    limits: Limits | None = None
    cautions: Cautions = Cautions()
    evidence: list[Evidence] = Field(default_factory=list)
    evidence_level: OverallEvidence | None = None
    strong_exfoliant: bool = False
    not_to_confuse: list[str] = Field(default_factory=list)
    # --- label-reading signals ------------------------------------------
    comedogenicity: Comedogenicity | None = None
    max_usual_pct: float | None = Field(
        default=None, ge=0, le=100, description="Known ceiling (e.g. phenoxyethanol ≤1%): a ≤1% marker when ≤ 1."
    )
    fragrance_allergen: bool = False
    sensitizer: bool = False
    filter_type: Literal["mineral", "organic"] | None = None

    @model_validator(mode="after")
    def _active_fields(self) -> Ingredient:
        if self.active:
            missing = [
                name
                for name, value in (
                    ("causes", self.causes),
                    ("pore_action", self.pore_action),
                    ("effective_range", self.effective_range),
                    ("limits", self.limits),
                    ("evidence_level", self.evidence_level),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"active {self.id!r} lacks {', '.join(missing)}")
            if self.category not in ACTIVE_CATEGORIES:
                raise ValueError(f"active {self.id!r} has non-active category {self.category!r}")
            if not self.evidence and self.evidence_level != "low":
                raise ValueError(f"active {self.id!r} has no evidence entry: its evidence_level must be 'low'")
        if self.category == "sunscreen" and self.filter_type is None:
            raise ValueError(f"sunscreen {self.id!r} needs filter_type")
        return self


class KnowledgeFile(_Strict):
    """The layout of ``actives.json`` and ``base.json``."""

    about: str
    ingredients: list[Ingredient]
