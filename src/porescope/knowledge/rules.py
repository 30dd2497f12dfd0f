"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.rules`."""

from porescope.advise.knowledge.rules import (  # noqa: F401
    Combination,
    RampBySkin,
    RegionThresholds,
    Rules,
    Selector,
    Signal,
    StepRule,
    StrengthBySkin,
    rules,
)

__all__ = [
    "Signal", "Selector", "Combination", "StrengthBySkin", "RampBySkin", "StepRule", "RegionThresholds",
    "Rules", "rules",
]
