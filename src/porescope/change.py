"""Compatibility path: the code lives in :mod:`porescope.track.change`."""

from porescope.track.change import (  # noqa: F401
    Z95,
    REL_NOISE_FLOOR,
    ABS_NOISE_FLOOR,
    MIN_ECC_CORRELATION,
    MIN_ORB_INLIERS,
    TRUSTED_ORB_INLIERS,
    ALIGN_MAX_SIDE_PX,
    Noise,
    key_metrics,
    noise_floor,
    noise_from_repeats,
    DEFAULT_PERTURBATIONS,
    perturbation_noise,
    Alignment,
    align,
    warp_to,
    interval,
    verdict,
    metric_change,
    compare_metrics,
    summarize,
    compare_visits,
    SAME_AREA_TOLERANCE,
    MIN_SHARED_SKIN,
)

__all__ = ['Z95', 'REL_NOISE_FLOOR', 'ABS_NOISE_FLOOR', 'MIN_ECC_CORRELATION', 'MIN_ORB_INLIERS', 'TRUSTED_ORB_INLIERS', 'ALIGN_MAX_SIDE_PX', 'Noise', 'key_metrics', 'noise_floor', 'noise_from_repeats', 'DEFAULT_PERTURBATIONS', 'perturbation_noise', 'Alignment', 'align', 'warp_to', 'interval', 'verdict', 'metric_change', 'compare_metrics', 'summarize', 'compare_visits', 'SAME_AREA_TOLERANCE', 'MIN_SHARED_SKIN']
