"""Compatibility path: the code lives in :mod:`porescope.advise.knowledge.rules`."""

from porescope.advise.knowledge.rules import (  # noqa: F401
    Signal,
    Selector,
    Combination,
    StrengthBySkin,
    RampBySkin,
    StepRule,
    RegionThresholds,
    Rules,
    rules,
)

__all__ = ['Signal', 'Selector', 'Combination', 'StrengthBySkin', 'RampBySkin', 'StepRule', 'RegionThresholds', 'Rules', 'rules']
