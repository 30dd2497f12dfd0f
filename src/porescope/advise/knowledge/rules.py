"""Schema and loader for ``rules.json`` (routine steps, combination rules, thresholds)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from porescope.advise.knowledge.schema import Category, Citation

Signal = Literal[
    "always", "clogging", "clogging_alt", "clogging_retinoid", "oil", "laxity", "photoaging", "texture", "texture_aha"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Selector(_Strict):
    """Which ingredients one side of a combination rule matches."""

    ids: list[str] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    #: Only ingredients flagged ``strong_exfoliant`` in the knowledge base.
    strong_only: bool = False


class Combination(_Strict):
    """Two kinds of ingredient that irritate or inactivate each other when used together."""

    id: str
    a: Selector
    b: Selector
    #: a and b must be different ingredients (e.g. two different retinoids).
    distinct: bool = False
    severity: Literal["info", "caution", "warning"]
    message: str
    citation: Citation
    #: What the rule rests on when no published source is cited (e.g. "expert opinion").
    basis: str = ""


class StrengthBySkin(_Strict):
    normal: tuple[float, float]
    sensitive: tuple[float, float]


class RampBySkin(_Strict):
    """Ramp-up plans: ``[from_week, nights_per_week]`` pairs, weeks ascending, nights not falling."""

    normal: list[tuple[int, int]]
    sensitive: list[tuple[int, int]]

    @field_validator("normal", "sensitive")
    @classmethod
    def _monotone(cls, plan: list[tuple[int, int]]) -> list[tuple[int, int]]:
        if not plan or plan[0][0] != 1:
            raise ValueError("a ramp must start at week 1")
        for (w0, n0), (w1, n1) in zip(plan, plan[1:], strict=False):
            if not (w1 > w0 and n1 >= n0):
                raise ValueError(f"ramp must go forward in weeks and never lower nights: {plan}")
        if any(not 1 <= n <= 7 for _, n in plan):
            raise ValueError("nights per week must be 1-7")
        return plan


class StepRule(_Strict):
    """A candidate routine step and when it applies."""

    id: str
    slot: Literal["am", "pm", "both"]
    order: int
    product_type: str
    actives: list[str]
    categories: list[Category]
    targets: list[Literal["clogging", "oil", "laxity", "photoaging"]]
    signals: list[Signal]
    min_signal: float = 0.0
    strength: StrengthBySkin | None = None
    frequency: str
    ramp: RampBySkin | None = None
    strong_exfoliant: bool = False
    replaces: str | None = None
    only_if: list[Literal["has_leave_on_exfoliant_conflict"]] = Field(default_factory=list)
    reason: str
    #: Added to the reason only for a pregnant or breastfeeding person (nobody else is told about pregnancy).
    pregnancy_reason: str = ""
    citation: Citation
    #: What the cited sources found, in plain words (or why there is no source).
    evidence: str = ""


class RegionThresholds(_Strict):
    about: str
    dark_share_start: float = Field(ge=0, le=1)
    dark_share_full: float = Field(ge=0, le=1)
    elongation_start: float = Field(ge=1)
    elongation_full: float = Field(ge=1)


class Rules(_Strict):
    about: str
    combinations: list[Combination]
    steps: list[StepRule]
    concern_signals: dict[
        Literal["visible_pores", "blackheads", "oiliness", "texture", "firmness", "sun_damage"], dict[str, float]
    ]
    skin_type_signals: dict[Literal["oily", "dry", "combination", "normal"], dict[str, float]]
    region_thresholds: RegionThresholds
    dermatologist: list[str]

    def step(self, step_id: str) -> StepRule:
        return next(s for s in self.steps if s.id == step_id)


@lru_cache(maxsize=1)
def rules() -> Rules:
    """``rules.json``, validated, loaded once per process.

    Returns
    -------
    Rules
        Routine steps, combination rules, concern and skin-type signals, region
        thresholds and when to see a dermatologist.
    """
    raw = resources.files("porescope.advise.knowledge").joinpath("rules.json").read_text(encoding="utf-8")
    return Rules.model_validate(json.loads(raw))
