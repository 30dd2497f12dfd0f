"""A five-region face comparison with known numbers (no photos), for the compact-comparison tests."""

from __future__ import annotations

from datetime import datetime

from porescope.track import change
from porescope.track.models import Comparison

#: region -> (visibility, density /cm², coverage %, pores, elongation, dark share) of the first visit.
FACE = {
    "forehead": (41.37, 1234.6, 4.412, 2100, 1.7305, 0.0283),
    "nose": (63.02, 2460.1, 8.71, 540, 1.512, 0.21),
    "left_cheek": (38.9, 980.4, 3.05, 1500, 1.66, 0.04),
    "right_cheek": (39.6, 1011.9, 3.21, 1530, 1.64, 0.05),
    "chin": (35.2, 870.0, 2.6, 410, 1.58, 0.0),
    "face": (44.1, 1190.2, 4.3, 6080, 1.63, 0.06),
}
METRICS = ("visibility_score", "density", "coverage_pct", "pore_count", "mean_elongation", "dark_share")


def face_comparison(subject: str = "kim", *, shift: float = 0.97, notes: list[str] | None = None) -> Comparison:
    """The latest visit is the first times ``shift`` (the nose moves more: a real change there)."""
    ma = {r: dict(zip(METRICS, v, strict=True)) for r, v in FACE.items()}
    mb = {r: {m: x * (0.8 if r == "nose" else shift) for m, x in per.items()} for r, per in ma.items()}
    noise = change.Noise(source="perturbation", samples=9,
                         sd={r: {m: 0.04 * abs(x) + 0.01 for m, x in per.items()} for r, per in ma.items()})
    regions = change.compare_metrics(ma, mb, noise, noise)
    return Comparison(
        subject=subject, baseline_visit=1, latest_visit=3,
        baseline_taken_at=datetime(2026, 1, 5, 9, 0), latest_taken_at=datetime(2026, 3, 2, 9, 0),
        alignment="face regions located by landmarks in each photo; each visit's stored per-region metrics compared",
        noise_source={"1": "perturbation", "3": "perturbation"}, regions=regions, notes=notes or [],
        summary=change.summarize(regions, notes or []),
    )
