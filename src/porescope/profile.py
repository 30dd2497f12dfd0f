"""Compatibility path: the code lives in :mod:`porescope.advise.profile`."""

from porescope.advise.profile import (  # noqa: F401
    Concern,
    CurrentProduct,
    Profile,
    SkinType,
    SunExposure,
    load_profile,
)

__all__ = [
    "Concern", "SkinType", "SunExposure", "CurrentProduct", "Profile", "load_profile",
]
