"""How much the cause strengths move when only the capture changes.

Each sample (the real annotated crops in ../shared at their 10 px/mm, synthetic
skin with round, stretched-and-aligned and plugged pores, and the astronaut
face of scikit-image when it is installed) is analysed as captured and after
each capture change of :data:`porescope.measure.recapture.CAPTURE_CHANGES` and
each phone processing change of ``PROCESSING_CHANGES`` (the family the change
engine re-analyses a single photo under), plus a 5% brighter
exposure (the issue-22 case). Printed per sample and cause: the strength as
captured, the SD over the re-captures (what
:func:`porescope.measure.causes.strength_sd_from` returns), the largest move,
and whether the likelihood word changed under any re-capture.

The largest SD over all samples is :data:`porescope.measure.causes.TYPICAL_STRENGTH_SD`.

Usage: python benchmarks/bench_causes.py [--data DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from porescope.measure.causes import TYPICAL_STRENGTH_SD, likelihood, likely_causes, strength_sd_from
from porescope.measure.pipeline import analyze
from porescope.measure.recapture import CAPTURE_CHANGES, PROCESSING_CHANGES, exposure, recapture
from porescope.testing.synth import SkinSpec, render

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-pores"


def samples(data: Path):
    for name in ("cheek_imgleft", "glabella"):
        if (data / f"{name}.png").exists():
            rgb = cv2.imread(str(data / f"{name}.png"))[..., ::-1].copy()
            roi = cv2.imread(str(data / f"{name}.roi.png"), 0) > 0
            yield name, rgb, roi, 10.0, "closeup"
    base = SkinSpec(height=512, width=512, pore_diameter_px=(5.0, 9.0), seed=3)
    yield "synthetic round", render(base).rgb, None, None, "closeup"
    yield "synthetic stretched", render(SkinSpec(**{**base.__dict__, "elongation": (1.8, 2.4), "orientation_deg": 30.0})).rgb, None, None, "closeup"
    yield "synthetic plugged", render(SkinSpec(**{**base.__dict__, "dark_fraction": 0.4})).rgb, None, None, "closeup"
    try:
        from skimage import data as skdata
    except ImportError:
        return
    face = cv2.resize(skdata.astronaut(), (1536, 1536), interpolation=cv2.INTER_CUBIC)
    yield "astronaut face", face, None, None, "face"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    worst = 0.0
    flips_typical = [0, 0, 0]
    for name, rgb, roi, px, mode in samples(args.data):
        a0 = analyze(rgb, roi=roi, px_per_mm=px, mode=mode)
        runs = []
        for change in [*CAPTURE_CHANGES, *PROCESSING_CHANGES, "exposure x1.05"]:
            if change == "exposure x1.05":
                rgb2, roi2, px2 = exposure(rgb, 1.05), roi, px
            else:
                rc = recapture(change, rgb, roi, px)
                rgb2, roi2, px2 = rc.rgb, rc.mask, rc.px_per_mm
            runs.append((change, analyze(rgb2, roi=roi2, px_per_mm=px2, mode=mode)))
        kept = [a for c, a in runs if c != "exposure x1.05" and (a.quality.measurable or not a0.quality.measurable)]
        sd = strength_sd_from([a0, *kept], floor=0.0)  # as cause_spread.recapture_strength_sd: refused re-captures are no sample
        base = {c.cause: c.strength for c in likely_causes(a0)}
        print(f"{name}:")
        for cause, s in base.items():
            moved = [({c.cause: c.strength for c in likely_causes(a)}[cause], change) for change, a in runs]
            big = max(moved, key=lambda m: abs(m[0] - s))
            flips = sorted({change for v, change in moved if likelihood(v, sd[cause]) != likelihood(s, sd[cause])})
            typical = sorted({change for v, change in moved if likelihood(v) != likelihood(s)})
            print(f"  {cause:<10} strength {s:.2f}  SD {sd[cause]:.3f}  largest move {big[0] - s:+.2f} ({big[1]})")
            print(f"    with this SD: '{likelihood(s, sd[cause])}'" + (f", changes under: {', '.join(flips)}" if flips else ", never changes")
                  + f"; with the typical SD {TYPICAL_STRENGTH_SD}: '{likelihood(s)}'"
                  + (f", changes under: {', '.join(typical)}" if typical else ", never changes"))
            flips_typical[0] += bool(typical)
            flips_typical[1] += 1
            flips_typical[2] += any(likelihood(v, 0.0) != likelihood(s, 0.0) for v, _ in moved)
            worst = max(worst, sd[cause])
    print(f"largest SD of a cause strength over these samples: {worst:.3f}")
    print(f"causes whose word changes under some re-capture, with the typical SD: {flips_typical[0]} of {flips_typical[1]}; "
          f"words on the strength alone (no interval): {flips_typical[2]}")


if __name__ == "__main__":
    main()
