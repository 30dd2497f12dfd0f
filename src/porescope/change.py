"""Compatibility path: the code lives in :mod:`porescope.track.change`."""

from porescope.track.change import (  # noqa: F401
    ABS_NOISE_FLOOR,
    ALIGN_MAX_SIDE_PX,
    DEFAULT_PERTURBATIONS,
    MIN_ECC_CORRELATION,
    MIN_ORB_INLIERS,
    MIN_SHARED_SKIN,
    REL_NOISE_FLOOR,
    SAME_AREA_TOLERANCE,
    TRUSTED_ORB_INLIERS,
    Z95,
    Alignment,
    Noise,
    align,
    compare_metrics,
    compare_visits,
    interval,
    key_metrics,
    metric_change,
    noise_floor,
    noise_from_repeats,
    perturbation_noise,
    summarize,
    verdict,
    warp_to,
)

__all__ = [
    "Z95", "REL_NOISE_FLOOR", "ABS_NOISE_FLOOR", "MIN_ECC_CORRELATION", "MIN_ORB_INLIERS",
    "TRUSTED_ORB_INLIERS", "ALIGN_MAX_SIDE_PX", "Noise", "key_metrics", "noise_floor", "noise_from_repeats",
    "DEFAULT_PERTURBATIONS", "perturbation_noise", "Alignment", "align", "warp_to", "interval", "verdict",
    "metric_change", "compare_metrics", "summarize", "compare_visits", "SAME_AREA_TOLERANCE",
    "MIN_SHARED_SKIN",
]
