"""Compatibility path: the code lives in :mod:`porescope.measure.recapture`."""

from porescope.measure.recapture import (  # noqa: F401
    CAPTURE_CHANGES,
    COOLER,
    PHONE_NOISE_SIGMA,
    WARMER,
    Change,
    Recapture,
    exposure,
    jpeg,
    recapture,
    rotate_scale,
    sensor_noise,
    white_balance,
)

__all__ = [
    "Recapture", "exposure", "white_balance", "jpeg", "sensor_noise", "rotate_scale", "Change", "WARMER",
    "COOLER", "PHONE_NOISE_SIGMA", "CAPTURE_CHANGES", "recapture",
]
