"""Shared check of issue 10's noise rule, for the synthetic and the real-skin tests."""

from __future__ import annotations

import numpy as np

from porescope.measure.pipeline import run
from porescope.measure.recapture import PHONE_NOISE_SIGMA, sensor_noise

HEADLINE = ("pore_count", "density_per_cm2", "coverage_pct", "visibility_score")


def assert_noise_within_or_refused(rgb: np.ndarray, roi: np.ndarray | None, px_per_mm: float, tol: float = 0.05,
                                   seeds: tuple[int, ...] = (1,)) -> None:
    """σ 3 sensor noise added to ``rgb`` (one draw per seed; seed 1 is the "sensor noise 3" capture
    change): every headline number within ``tol`` of the clean capture, or the noisy photo refused
    as too noisy -- never silent drift."""
    clean = run(rgb, roi=roi, px_per_mm=px_per_mm, mode="closeup").analysis
    assert clean.quality.measurable, [p.code for p in clean.quality.problems]
    a = clean.regions[0]
    for seed in seeds:
        noisy = run(sensor_noise(rgb, PHONE_NOISE_SIGMA, seed=seed), roi=roi, px_per_mm=px_per_mm, mode="closeup").analysis
        if not noisy.quality.measurable:
            assert "too_noisy" in [p.code for p in noisy.quality.problems]
            continue
        b = noisy.regions[0]
        for metric in HEADLINE:
            x, y = getattr(a, metric), getattr(b, metric)
            assert abs(y / x - 1) <= tol, (seed, metric, x, y)
