"""Change detection with known truth: is a real change found, and is a capture change left alone?

Samples: the real annotated crops in ../shared (10 px/mm) and synthetic skin in
three tones (benchmarks/bench_repeat.py). A known change is made to the
*annotated pores only* (:func:`change_pores`): their contrast x0.6 ... x1.4
(in linear light, against the skin around them), or their area ±20% (each
pore's darkness scaled about its centre). Every visit is also re-captured
with the capture changes of :mod:`porescope.measure.recapture`, and the verdicts come
from porescope's one change engine (:func:`porescope.track.change.metric_change`)
on the visibility score, the region's headline metric.

Printed:
1. the false-change rate on capture-only pairs (the photo vs each of its 9
   re-captures, single-photo noise from re-analysis; target <= 5%);
2. direction errors over every known change, alone and combined with a
   capture change (must be 0: darker or larger pores never 'improved',
   fainter or smaller ones never 'worse');
3. per contrast factor, how often the change is found with two captures per
   visit, and the smallest contrast change found >= 90% of the time (goal 15%);
4. a simulated null study: 20 synthetic subjects whose second visit differs
   only by capture changes; the share of subjects called changed (<= 5%) and
   the share of simulated studies (NULL_STUDIES of them, drawn from a pool of
   NULL_POOL analysed subjects) whose paired t-test is significant (<= 5%),
   with its binomial 95% confidence interval, the range it takes over pools
   resampled from the subjects (studies share subjects, so the pool itself is
   the larger uncertainty), and the mean per-subject change (the bias that
   would make the test call a control arm changed).

Usage: python benchmarks/bench_change.py [--data DIR] [--quick]
Exits 0 whether or not targets are met (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_repeat as br  # noqa: E402

from porescope.measure.pipeline import run  # noqa: E402
from porescope.measure.recapture import CAPTURE_CHANGES, recapture  # noqa: E402
from porescope.testing.synth import SkinSpec, render  # noqa: E402
from porescope.track.change import Noise, key_metrics, metric_change, noise_from_samples, perturbation_noise  # noqa: E402

METRIC = "visibility_score"
CONTRAST_FACTORS = (0.6, 0.7, 0.8, 0.85, 0.9, 1.1, 1.15, 1.2, 1.3, 1.4)
AREA_FACTORS = (0.8, 1.2)
TARGET_FALSE_RATE = 0.05
GOAL_SMALLEST_CHANGE = 0.15
#: Simulated null studies. A valid paired test at alpha 0.05 is significant in 5%
#: of them on average; with 60 studies the share alone swings 2-16% by chance
#: (and 200 full simulations gave 7.5%, CI 4-12%), so many are drawn and the
#: share is printed with its binomial confidence interval.
NULL_STUDIES = 10_000
#: ... drawn from a pool of this many synthetic subjects, each analysed once as
#: drawn and once under every capture change (so 10,000 studies cost 4,000
#: analyses). Studies share subjects, so the binomial interval printed is a
#: little narrower than the truth; each subject is in 5% of the studies.
NULL_POOL = 400
#: Pools resampled (with replacement) from the analysed subjects, and studies
#: simulated on each, for the range of the significant share over pools.
NULL_BOOTSTRAPS = 200
NULL_BOOTSTRAP_STUDIES = 2_000
NULL_POOL_QUICK = 60
NULL_STUDY_SUBJECTS = 20
#: Seeds of the pool's subjects start here (apart from the other benchmarks' skin).
NULL_SEED = 100_000

_LIN = ((np.arange(256) / 255.0 + 0.055) / 1.055) ** 2.4
_LIN[: 11] = np.arange(11) / 255.0 / 12.92


def _to_linear(rgb: np.ndarray) -> np.ndarray:
    return _LIN[rgb].astype(np.float32)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    lin = np.clip(lin, 0.0, 1.0)
    v = np.where(lin <= 0.0031308, lin * 12.92, 1.055 * np.power(lin, 1 / 2.4) - 0.055)
    return np.clip(v * 255.0 + 0.5, 0, 255).astype(np.uint8)


def change_pores(rgb: np.ndarray, pores: np.ndarray, *, contrast: float = 1.0, area: float = 1.0) -> np.ndarray:
    """The same skin with its annotated pores ``contrast`` times as dark and ``area`` times as large.

    In linear light: the skin around the pores (a normalized blur that leaves
    the pores out) is the background B; each pore's darkness D = 1 - L/B is
    scaled by ``contrast`` and, for ``area``, resampled about the pore's centre
    by sqrt(area) before being put back: L' = L + B·(D_old - D_new).
    """
    lin = _to_linear(rgb)
    m = pores.astype(np.float32)
    keep = 1.0 - cv2.dilate(m, np.ones((3, 3), np.uint8))
    num = cv2.GaussianBlur(lin * keep[..., None], (0, 0), 4.0)
    den = cv2.GaussianBlur(keep, (0, 0), 4.0)[..., None]
    bg = num / np.maximum(den, 1e-3)
    w = np.clip(cv2.GaussianBlur(m, (0, 0), 0.7) * 1.5, 0, 1)[..., None]
    dark = np.clip(1.0 - lin / np.maximum(bg, 1e-4), 0.0, 1.0) * w
    new = dark * contrast
    if area != 1.0:
        s = float(np.sqrt(area))
        grown = np.zeros_like(new)
        n, lab, stats, cent = cv2.connectedComponentsWithStats(pores.astype(np.uint8), connectivity=8)
        h, wd = pores.shape
        for i in range(1, n):
            x, y, bw, bh, _ = stats[i]
            r = int(max(bw, bh) * s) + 4
            x0, y0, x1, y1 = max(0, x - r), max(0, y - r), min(wd, x + bw + r), min(h, y + bh + r)
            cx, cy = cent[i][0] - x0, cent[i][1] - y0
            patch = new[y0:y1, x0:x1] * (cv2.dilate((lab[y0:y1, x0:x1] == i).astype(np.uint8), np.ones((5, 5), np.uint8))[..., None] > 0)
            mtx = np.float32([[s, 0, cx * (1 - s)], [0, s, cy * (1 - s)]])
            warped = cv2.warpAffine(patch, mtx, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR, borderValue=0)
            grown[y0:y1, x0:x1] = np.maximum(grown[y0:y1, x0:x1], warped)
        new = grown
    return _to_srgb(lin + bg * (dark - new))


def samples(data: Path) -> list[br.Sample]:
    out = []
    for s in br.samples(data):
        if s.truth is None:
            s.truth = cv2.imread(str(data / f"{s.name}.pores.png"), cv2.IMREAD_GRAYSCALE) > 0
        out.append(s)
    return out


def analyse(rgb, roi, px):
    return run(rgb, roi=roi, px_per_mm=px, mode="closeup").analysis


def capture(s: br.Sample, rgb: np.ndarray, name: str | None):
    """(rgb, roi, px/mm) of ``rgb`` re-captured by ``name`` (None = as is)."""
    if name is None:
        return rgb, s.roi, s.px_per_mm
    rc = recapture(name, rgb, s.roi, s.px_per_mm)
    return rc.rgb, rc.mask, rc.px_per_mm


def verdict(a, na: Noise, b, nb: Noise) -> str:
    ka, kb = key_metrics(a), key_metrics(b)
    va, vb = ka["frame"][METRIC], kb["frame"][METRIC]
    return metric_change("frame", METRIC, va, vb, na.get("frame", METRIC, va), nb.get("frame", METRIC, vb)).verdict


def visit_of_two(s, rgb, names):
    """A visit of two captures: (mean metrics as an Analysis-like value, noise of the mean)."""
    return _visit([key_metrics(analyse(*capture(s, rgb, n))) for n in names])


def false_changes(ss) -> tuple[int, int]:
    bad = total = 0
    for s in ss:
        a0 = analyse(s.rgb, s.roi, s.px_per_mm)
        n0 = perturbation_noise(s.rgb, a0, roi=s.roi)
        for name in CAPTURE_CHANGES:
            rgb, roi, px = capture(s, s.rgb, name)
            a1 = analyse(rgb, roi, px)
            if not a1.quality.measurable:
                continue
            n1 = perturbation_noise(rgb, a1, roi=roi)
            total += 1
            v = verdict(a0, n0, a1, n1)
            if v != "no_detectable_change":
                bad += 1
                print(f"  false change: {s.name} vs {name}: {v}")
    return bad, total


def direction_errors(ss, captures) -> tuple[int, int, list[str]]:
    errs, total, lines = 0, 0, []
    for s in ss:
        a0 = analyse(s.rgb, s.roi, s.px_per_mm)
        n0 = perturbation_noise(s.rgb, a0, roi=s.roi, n=4)
        changes = [("contrast", k) for k in CONTRAST_FACTORS] + [("area", k) for k in AREA_FACTORS]
        for (kind, k), cap in itertools.product(changes, captures):
            mod = change_pores(s.rgb, s.truth, **{kind: k})
            a1 = analyse(*capture(s, mod, cap))
            if not a1.quality.measurable:
                continue
            v = verdict(a0, n0, a1, n0)
            want = "worse" if k > 1 else "improved"
            wrong = "improved" if k > 1 else "worse"
            total += 1
            if v == wrong:
                errs += 1
                lines.append(f"  DIRECTION ERROR: {s.name} {kind} x{k} + {cap}: {v}")
            elif v == want:
                pass
    return errs, total, lines


def detection_rates(ss, trials) -> dict[float, float]:
    names = list(CAPTURE_CHANGES)
    rng = np.random.default_rng(7)
    found = {k: [] for k in CONTRAST_FACTORS}
    for s in ss:
        for _ in range(trials):
            ca = [None, names[rng.integers(len(names))]]
            cb = list(rng.choice(names, 2, replace=False))
            base, sd_a = visit_of_two(s, s.rgb, ca)
            for k in CONTRAST_FACTORS:
                mean, sd_b = visit_of_two(s, change_pores(s.rgb, s.truth, contrast=k), cb)
                v = metric_change("frame", METRIC, base, mean, sd_a, sd_b).verdict
                found[k].append(v == ("worse" if k > 1 else "improved"))
    return {k: float(np.mean(v)) for k, v in found.items()}


def _null_subject(subj: int) -> SkinSpec:
    """Synthetic subject ``subj`` of the null study (the three tones in turn)."""
    tones = list(br.TONES.values())
    return SkinSpec(height=320, width=320, pore_density_per_mpx=1500, pore_diameter_px=(3.0, 7.0),
                    pore_contrast=(0.08, 0.18), skin_rgb=tones[subj % 3], noise_sigma=1.5, lighting_gradient=0.1,
                    seed=NULL_SEED + subj)


def null_pool(n_subjects: int) -> list[dict]:
    """Each subject's key metrics as drawn (key None) and under every capture change (key = its name)."""
    pool = []
    for subj in range(n_subjects):
        sk = render(_null_subject(subj))
        s = br.Sample("null", sk.rgb, None, 10.0, sk.pore_mask)
        pool.append({name: key_metrics(analyse(*capture(s, sk.rgb, name))) for name in [None, *CAPTURE_CHANGES]})
    return pool


def _visit(samples: list[dict]) -> tuple[float, float]:
    """(mean visibility, SD of that mean) of a visit's captures, from their key metrics."""
    mean = float(np.mean([m["frame"][METRIC] for m in samples]))
    return mean, noise_from_samples(samples).get("frame", METRIC, mean) / np.sqrt(len(samples))


def null_study(pool: list[dict], n_sims: int, n_subjects: int = NULL_STUDY_SUBJECTS) -> dict:
    """Simulated control arms: capture changes only, two captures per visit.

    Each simulated study draws ``n_subjects`` subjects from the pool; per
    subject, visit 1 is the photo as drawn plus one random re-capture, visit 2
    two other random re-captures. Returns the share of subjects called changed,
    the number of studies whose paired t-test gives p < 0.05, and the mean
    and SD of the per-subject change (percent of visit 1).
    """
    from scipy import stats

    names = list(CAPTURE_CHANGES)
    rng = np.random.default_rng(11)
    called, sig, deltas = [], 0, []
    for _ in range(n_sims):
        v1, v2 = [], []
        for subj in rng.choice(len(pool), n_subjects, replace=False):
            picks = rng.choice(names, 3, replace=False)
            m1, sd1 = _visit([pool[subj][None], pool[subj][picks[0]]])
            m2, sd2 = _visit([pool[subj][picks[1]], pool[subj][picks[2]]])
            v1.append(m1)
            v2.append(m2)
            called.append(metric_change("frame", METRIC, m1, m2, sd1, sd2).verdict != "no_detectable_change")
        sig += stats.ttest_rel(v1, v2).pvalue < 0.05
        deltas.extend(100.0 * (np.array(v2) / np.array(v1) - 1.0))
    d = np.array(deltas)
    return {"called": float(np.mean(called)), "significant": int(sig), "mean_delta_pct": float(d.mean()), "sd_delta_pct": float(d.std(ddof=1))}


def ttest_share(values: np.ndarray, n_sims: int, rng: np.random.Generator, n_subjects: int = NULL_STUDY_SUBJECTS) -> float:
    """Share of simulated control arms whose paired t-test gives p < 0.05: null_study's design, vectorised.

    ``values`` is (subjects, 1 + captures): the metric as drawn and under each capture change.
    """
    from scipy import stats

    n, k = values.shape
    subj = np.argsort(rng.random((n_sims, n)), axis=1)[:, :n_subjects]  # each study: subjects without replacement
    picks = np.argsort(rng.random((n_sims, n_subjects, k - 1)), axis=2)[..., :3] + 1  # three different re-captures
    v = values[subj[..., None], picks]
    visit1 = (values[subj, 0] + v[..., 0]) / 2
    visit2 = (v[..., 1] + v[..., 2]) / 2
    return float(np.mean(stats.ttest_rel(visit1, visit2, axis=1).pvalue < 0.05))


def pool_range(pool: list[dict], n_boot: int = NULL_BOOTSTRAPS, n_sims: int = NULL_BOOTSTRAP_STUDIES) -> tuple[float, float]:
    """2.5th and 97.5th percentile of the significant share over pools resampled from ``pool``'s subjects."""
    values = np.array([[p[name]["frame"][METRIC] for name in [None, *CAPTURE_CHANGES]] for p in pool])
    rng = np.random.default_rng(13)
    shares = [ttest_share(values[rng.integers(0, len(values), len(values))], n_sims, rng) for _ in range(n_boot)]
    lo, hi = np.percentile(shares, [2.5, 97.5])
    return float(lo), float(hi)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=br.DEFAULT_DATA)
    ap.add_argument("--quick", action="store_true", help="fewer trials and simulated studies")
    args = ap.parse_args()
    t0 = time.perf_counter()
    ss = samples(args.data)
    print(f"samples: {', '.join(s.name for s in ss)}; headline metric: {METRIC}")

    bad, total = false_changes(ss)
    print(f"1. false changes on capture-only pairs: {bad}/{total} = {bad / max(total, 1):.1%} (target <= {TARGET_FALSE_RATE:.0%})")

    caps = [None, "exposure x1.2", "distance x0.85", "sensor noise 3"] if not args.quick else [None, "exposure x1.2"]
    errs, n, lines = direction_errors(ss, caps)
    print("\n".join(lines))
    print(f"2. direction errors: {errs} of {n} known changes (contrast x{CONTRAST_FACTORS[0]}..x{CONTRAST_FACTORS[-1]}, "
          f"area x{AREA_FACTORS[0]}/x{AREA_FACTORS[1]}, each alone and with {len(caps) - 1} capture changes; must be 0)")

    rates = detection_rates(ss, trials=2 if args.quick else 5)
    print("3. found with two captures per visit (share of trials):")
    for k, r in rates.items():
        print(f"   contrast x{k:<5} {r:6.0%}")
    ok = [abs(k - 1) for k, r in rates.items() if r >= 0.9]
    smallest = min(ok) if ok else None
    both = [d for d in sorted(set(round(abs(k - 1), 3) for k in CONTRAST_FACTORS))
            if all(r >= 0.9 for k, r in rates.items() if round(abs(k - 1), 3) == d)]
    print(f"   smallest contrast change found >= 90% of the time (both directions): "
          f"{f'{min(both):.0%}' if both else 'none'} (goal {GOAL_SMALLEST_CHANGE:.0%}); one direction: "
          f"{f'{smallest:.0%}' if smallest is not None else 'none'}")

    from scipy import stats

    n_sims = 200 if args.quick else NULL_STUDIES
    pool = null_pool(NULL_POOL_QUICK if args.quick else NULL_POOL)
    res = null_study(pool, n_sims=n_sims)
    sig = res["significant"]
    ci = stats.binomtest(sig, n_sims).proportion_ci(0.95)
    lo, hi = pool_range(pool, n_boot=20 if args.quick else NULL_BOOTSTRAPS)
    print(f"4. null study ({NULL_STUDY_SUBJECTS} subjects from a pool of {len(pool)} synthetic subjects, capture changes only, "
          f"two captures per visit): subjects called changed {res['called']:.1%} (target <= 5%); paired t-test p < 0.05 in "
          f"{sig} of {n_sims} simulated studies = {sig / n_sims:.1%} (binomial 95% CI {ci.low:.1%}-{ci.high:.1%}; over pools "
          f"resampled from these subjects, 95% range {lo:.1%}-{hi:.1%}; target <= 5%, which a valid test at alpha 0.05 "
          f"meets on average); per-subject change {res['mean_delta_pct']:+.3f}% (SD {res['sd_delta_pct']:.2f}%)")
    print(f"time: {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
