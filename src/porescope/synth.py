"""Compatibility path: the code lives in :mod:`porescope.measure.synth`."""

from porescope.measure.synth import (  # noqa: F401
    DEMO_SPEC,
    SkinSpec,
    SynthSkin,
    render,
    with_,
)

__all__ = [
    "SkinSpec", "SynthSkin", "render", "with_", "DEMO_SPEC",
]
