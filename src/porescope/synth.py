"""Compatibility path: the code lives in :mod:`porescope.measure.synth`."""

from porescope.measure.synth import (  # noqa: F401
    SkinSpec,
    SynthSkin,
    render,
    with_,
    DEMO_SPEC,
)

__all__ = ['SkinSpec', 'SynthSkin', 'render', 'with_', 'DEMO_SPEC']
