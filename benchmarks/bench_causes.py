"""Whether a cause's word changes when only the capture changes.

Each sample (the real annotated crops in ../shared at their 10 px/mm, synthetic
skin with round, stretched-and-aligned and plugged pores, and the astronaut
face of scikit-image when it is installed) is analysed as captured (photo X)
and as re-taken (X'): under each capture change and phone processing change
the change engine re-analyses a photo under (``track.change.PERTURBATIONS``),
plus a 5% brighter exposure (the issue-22 case). Every X and X' gets its own
cause spread exactly as a stored visit does: ``track.change.perturbation_noise``
re-analyses it under the same changes and keeps its cause strengths. A
re-take the quality gate refuses has no word (the person is asked to retake)
and is left out.

Printed per sample and cause: the strength, its SD and range over X's
re-analyses, the word, and the re-takes under which the word differs, for

* this rule: the range widened by 1.96 SD (``measure.causes.likelihood``),
* the rule of 43e4320: strength ± 1.96 SD of the photo's own spread,
* the typical SD (no re-analysis: ``analyze`` without ``--cause-spread``).

Then the count of cause/photo pairs whose word changes under some re-take,
per rule, and the closest call: the smallest distance between an interval's
deciding end and the boundary it was judged against (how near this rule came to
a flip on these samples; zero flips here is not a proof for every photo).
The largest SD over all samples is :data:`porescope.measure.causes.TYPICAL_STRENGTH_SD`.

Usage: python benchmarks/bench_causes.py [--data DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from porescope.measure.causes import LIKELY_MIN, POSSIBLE_MIN, likelihood
from porescope.measure.pipeline import analyze
from porescope.measure.recapture import exposure, recapture
from porescope.testing.synth import SkinSpec, render
from porescope.track.change import PERTURBATIONS, perturbation_noise

try:
    from porescope.measure.cause_spread import strength_spread
    from porescope.measure.causes import strength_interval
except ImportError:  # 43e4320 (the baseline): no range; its `analyze --cause-spread` path gives the SD
    strength_interval = strength_spread = None

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real-pores"
RETAKES = (*PERTURBATIONS, "exposure x1.05")


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


def judged(rgb, roi, px, mode):
    """A photo's causes as a stored visit words them: cause -> (strength, SD, (low, high)); None when the gate refuses it."""
    a = analyze(rgb, roi=roi, px_per_mm=px, mode=mode)
    if not a.quality.measurable:
        return None
    if strength_spread is None:
        from porescope.measure.cause_spread import recapture_strength_sd

        spread = {c: (v, None, None) for c, v in recapture_strength_sd(rgb, a, roi=roi).items()}
    else:
        spread = strength_spread(perturbation_noise(rgb, a, roi=roi).cause_strengths)
    out = {}
    for c in a.causes:
        sd, lo, hi = spread.get(c.cause, (c.strength_sd, None, None))
        out[c.cause] = (c.strength, sd, None if lo is None else (lo, hi))
    return out


def closest(s, sd, rng) -> float:
    """Distance from the interval's deciding end to the boundary it was judged against."""
    lo, hi = strength_interval(s, sd, rng)
    return min(abs(lo - LIKELY_MIN), abs(hi - POSSIBLE_MIN))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args()
    rules = {
        "this rule (range ± 1.96 SD)": lambda s, sd, rng: likelihood(s, sd, rng),
        "rule of 43e4320 (± 1.96 SD)": lambda s, sd, rng: likelihood(s, sd),
        "typical SD (no re-analysis)": lambda s, sd, rng: likelihood(s),
    }
    if strength_spread is None:
        del rules["this rule (range ± 1.96 SD)"]
    flips = dict.fromkeys(rules, 0)
    pairs, worst_sd, near = 0, 0.0, (1.0, "")
    for name, rgb, roi, px, mode in samples(args.data):
        x = judged(rgb, roi, px, mode)
        retakes = {}
        for change in RETAKES:
            if change == "exposure x1.05":
                retakes[change] = judged(exposure(rgb, 1.05), roi, px, mode)
            else:
                rc = recapture(change, rgb, roi, px)
                retakes[change] = judged(rc.rgb, rc.mask, rc.px_per_mm, mode)
        refused = sorted(c for c, j in retakes.items() if j is None)
        print(f"{name}:" + (f" (re-takes the gate refuses, left out: {', '.join(refused)})" if refused else ""))
        for cause, (s, sd, rng) in sorted(x.items(), key=lambda kv: -kv[1][0]):
            pairs += 1
            worst_sd = max(worst_sd, sd)
            rng_text = f"{rng[0]:.2f}-{rng[1]:.2f}" if rng else "-"
            print(f"  {cause:<10} strength {s:.2f}  SD {sd:.3f}  re-analyses {rng_text}")
            parts = []
            for label, rule in rules.items():
                word = rule(s, sd, rng)
                changed = sorted(c for c, j in retakes.items() if j is not None and cause in j and rule(*j[cause]) != word)
                flips[label] += bool(changed)
                parts.append(f"{label}: '{word}'" + (f", changes under {', '.join(changed)}" if changed else ", never changes"))
            print("    " + "\n    ".join(parts))
            for j in [x, *retakes.values()] if strength_interval else []:
                if j is not None and cause in j and closest(*j[cause]) < near[0]:
                    near = (closest(*j[cause]), f"{name}, {cause}")
    print(f"largest SD of a cause strength over these samples: {worst_sd:.3f}")
    print(f"cause/photo pairs whose word changes under some re-take (of {pairs}):")
    for label, n in flips.items():
        print(f"  {label}: {n}")
    if strength_interval:
        print(f"closest call of this rule: an interval end {near[0]:.3f} from its boundary ({near[1]})")


if __name__ == "__main__":
    main()
