"""A synthetic study with a known effect, drawn with :func:`porescope.testing.synth.render`.

Each subject has its own skin (seed, pore density and size). At every visit
after the first, subjects in the treated arm have pores ``effect`` shallower
and ``effect/2`` smaller; the control arm's skin stays the same. Repeat
captures of a visit are the same skin with fresh sensor noise and a slight
exposure change, as two photos taken a minute apart would be.

Used by the study tests, ``benchmarks/bench_study.py`` and the docs example.
"""

from __future__ import annotations

import csv
import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from porescope.testing.synth import SkinSpec, render, with_


@dataclass(frozen=True)
class StudyDesign:
    subjects: int = 6
    visits: int = 2
    captures: int = 2
    height: int = 400
    width: int = 400
    effect: float = 0.35  # fractional reduction of pore depth in the treated arm per later visit
    arms: tuple[str, str] = ("control", "treated")
    days_between_visits: int = 28
    jpeg_quality: int = 92
    seed: int = 7


def subject_spec(design: StudyDesign, s: int) -> SkinSpec:
    rng = np.random.default_rng(design.seed * 1000 + s)
    d0 = rng.uniform(4.5, 6.0)
    return SkinSpec(
        # Moderate pores (as tests/history_helpers.py) so the visibility score stays below its 100 ceiling.
        height=design.height, width=design.width, pore_density_per_mpx=float(rng.uniform(1200, 1800)),
        pore_diameter_px=(d0, d0 + rng.uniform(3.0, 4.5)), pore_contrast=(0.12, 0.22), dark_fraction=0.15,
        noise_sigma=0.0, seed=int(design.seed * 1000 + s),
    )


def visit_spec(spec: SkinSpec, treated: bool, visit: int, effect: float) -> SkinSpec:
    if not treated or visit == 0:
        return spec
    k = (1.0 - effect) ** visit
    k2 = (1.0 - effect / 2) ** visit
    c0, c1 = spec.pore_contrast
    d0, d1 = spec.pore_diameter_px
    return with_(spec, pore_contrast=(c0 * k, c1 * k), pore_diameter_px=(d0 * k2, d1 * k2))


def capture_of(rgb: np.ndarray, seed: int, capture: int) -> np.ndarray:
    """A repeat capture: same skin, fresh sensor noise, exposure within ±3%."""
    rng = np.random.default_rng(seed * 97 + capture)
    img = rgb.astype(np.float32) * rng.uniform(0.97, 1.03) + rng.normal(0.0, 2.0, rgb.shape).astype(np.float32)
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def write_jpeg(path: Path, rgb: np.ndarray, quality: int = 92) -> None:
    ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:  # pragma: no cover
        raise OSError(f"cannot encode {path}")
    Path(path).write_bytes(buf.tobytes())


def make_study(folder: str | Path, design: StudyDesign = StudyDesign(), *, render_fn=None) -> Path:
    """Write the photos and ``manifest.csv`` into ``folder``; returns the manifest path.

    ``render_fn(spec) -> rgb`` replaces :func:`render` (the benchmark uses a
    faster tiled renderer for 12 MP photos).
    """
    folder = Path(folder)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    render_fn = render_fn or (lambda spec: render(spec).rgb)
    start = _dt.date(2026, 1, 5)
    rows = []
    for s in range(design.subjects):
        arm = design.arms[s % len(design.arms)]
        base = subject_spec(design, s)
        for v in range(design.visits):
            spec = visit_spec(base, arm == design.arms[-1], v, design.effect)
            rgb = render_fn(spec)
            date = start + _dt.timedelta(days=v * design.days_between_visits + s % 3)
            for c in range(1, design.captures + 1):
                name = f"photos/S{s + 1:02d}_V{v + 1}_c{c}.jpg"
                write_jpeg(folder / name, capture_of(rgb, base.seed * 10 + v, c), design.jpeg_quality)
                rows.append({"subject": f"S{s + 1:02d}", "visit": f"V{v + 1}", "date": date.isoformat(), "image": name,
                             "capture": c, "arm": arm, "condition": "cleansed"})
    manifest = folder / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return manifest
