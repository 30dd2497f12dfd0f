"""Shared check of issue 10's noise rule, for the synthetic and the real-skin tests."""

from __future__ import annotations

import numpy as np

from porescope.measure.pipeline import run
from porescope.measure.recapture import recapture

HEADLINE = ("pore_count", "density_per_cm2", "coverage_pct", "visibility_score")


def assert_noise_within_or_refused(rgb: np.ndarray, roi: np.ndarray | None, px_per_mm: float, tol: float = 0.05) -> None:
    """σ 3 sensor noise added to ``rgb``: every headline number within ``tol`` of the clean
    capture, or the noisy photo refused as too noisy -- never silent drift."""
    clean = run(rgb, roi=roi, px_per_mm=px_per_mm, mode="closeup").analysis
    rc = recapture("sensor noise 3", rgb, roi, px_per_mm)
    noisy = run(rc.rgb, roi=rc.mask, px_per_mm=rc.px_per_mm, mode="closeup").analysis
    assert clean.quality.measurable, [p.code for p in clean.quality.problems]
    if not noisy.quality.measurable:
        assert "too_noisy" in [p.code for p in noisy.quality.problems]
        return
    a, b = clean.regions[0], noisy.regions[0]
    for metric in HEADLINE:
        x, y = getattr(a, metric), getattr(b, metric)
        assert abs(y / x - 1) <= tol, (metric, x, y)
