"""Per-region numbers of a face before and after a change of the regions, against their repeatability (issue 21).

The face: ``skimage.data.astronaut()`` (NASA, public domain), cropped brows
to chin and scaled to a 12 MP (4032x3024) photo (~20 px/mm), with pores drawn
evenly over the whole photo (dark Gaussian dots, ~1 per mm^2, 0.2-0.4 mm
across: the astronaut's own pores are far below her photo's resolution).
Pores are the same everywhere, so a region that grows over more skin should
read the same density and coverage; a region reaching into hair, brows or
nostrils would read differently.

Re-captures: the same pored face re-photographed --captures times (shifted by
up to 1.5% of the frame, scaled 0.97-1.03, rolled up to 2 degrees, JPEG
quality 88-94). For each region, each headline number's mean and SD over the
re-captures with the code of git revision --baseline and with the current
code, the same photos, in the same run (the baseline runs in a subprocess
before and after the current code).

A number stays within its repeatability when the change of its mean is at
most twice the larger of the two SDs over the re-captures.

Usage: python benchmarks/bench_face_regions.py [--baseline REV] [--captures 6]
Prints; exits 0 (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
W, H = 4032, 3024
METRICS = ("area_px", "pore_count", "density_per_cm2", "coverage_pct", "median_area_mm2", "visibility_score")

RUNNER = r"""
import json, sys
from porescope.measure.pipeline import run
out = {}
for p in json.loads(sys.argv[1]):
    a = run(p, mode="face").analysis
    out[p] = {r.name: {k: getattr(r, k) for k in json.loads(sys.argv[2])} for r in a.regions}
print(json.dumps(out))
"""


def pored_face(seed: int = 3) -> np.ndarray:
    """The astronaut brows to chin at 12 MP with even synthetic pores."""
    from skimage import data

    a = data.astronaut()
    x0, y0, x1 = 150.0, 68.0, 300.0
    f = W / (x1 - x0)
    m = np.array([[f, 0, -x0 * f], [0, f, -y0 * f]])
    img = cv2.warpAffine(a, m, (W, H), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    rng = np.random.default_rng(seed)
    field = np.zeros((H, W), np.float32)
    for sigma, share in ((2.0, 0.6), (3.5, 0.4)):  # ~0.2 and ~0.35 mm pores at ~20 px/mm
        n = int(share * H * W / 400)  # ~1 pore per mm^2
        dots = np.zeros((H, W), np.float32)
        dots[rng.integers(0, H, n), rng.integers(0, W, n)] = 1.0
        g = cv2.GaussianBlur(dots, (0, 0), sigma)
        field += g / g.max()
    img *= (1.0 - 0.3 * np.clip(field, 0, 1))[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


def captures(img: np.ndarray, n: int, tmp: Path) -> list[str]:
    rng = np.random.default_rng(11)
    out = []
    for i in range(n):
        s = rng.uniform(0.97, 1.03)
        ang = rng.uniform(-2, 2)
        dx, dy = rng.uniform(-0.015, 0.015, 2) * (W, H)
        m = cv2.getRotationMatrix2D((W / 2, H / 2), ang, s)
        m[:, 2] += (dx, dy)
        shot = cv2.warpAffine(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        p = tmp / f"capture{i}.jpg"
        Image.fromarray(shot).save(p, quality=int(rng.integers(88, 95)))
        out.append(str(p))
    return out


def measure(src: Path, paths: list[str]) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    r = subprocess.run([sys.executable, "-c", RUNNER, json.dumps(paths), json.dumps(METRICS)], env=env, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"measuring with {src} failed: {r.stderr.strip().splitlines()[-1:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def summary(res: dict) -> dict[str, dict[str, tuple[float, float, int]]]:
    """region -> metric -> (mean, SD, number of captures with the region)."""
    out: dict = {}
    for by_region in res.values():
        for name, vals in by_region.items():
            for k, v in vals.items():
                if v is not None:
                    out.setdefault(name, {}).setdefault(k, []).append(float(v))
    return {n: {k: (float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0, len(v)) for k, v in d.items()} for n, d in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default="097ab73", help="git revision of the regions before the change (default: before issue 21)")
    ap.add_argument("--captures", type=int, default=6)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench_face_regions_"))
    paths = captures(pored_face(), args.captures, tmp)
    base_dir = tmp / "base"
    base_dir.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base_dir)], input=archive, check=True)
    b1 = measure(base_dir / "src", paths)
    now = summary(measure(ROOT / "src", paths))
    b2 = measure(base_dir / "src", paths)
    if json.dumps(b1, sort_keys=True) != json.dumps(b2, sort_keys=True):
        print("note: the baseline's numbers differed between its two passes")
    base = summary(b1)
    print(f"12 MP astronaut brows to chin with even synthetic pores, {args.captures} re-captures; baseline {args.baseline} vs current code")
    print(f"{'region':14s} {'metric':17s} {'baseline mean ± SD':>22s} {'now mean ± SD':>22s} {'change':>9s}  within 2 SD")
    for name in sorted(set(base) | set(now), key=lambda n: (n not in base, n)):
        for k in METRICS:
            b, c = base.get(name, {}).get(k), now.get(name, {}).get(k)
            bt = f"{b[0]:10.3f} ± {b[1]:8.3f}" if b else f"{'-':>21s}"
            ct = f"{c[0]:10.3f} ± {c[1]:8.3f}" if c else f"{'-':>21s}"
            if b and c:
                d = c[0] - b[0]
                ok = abs(d) <= 2 * max(b[1], c[1])
                rel = f"{100 * d / b[0]:+7.1f}%" if b[0] else f"{d:+8.3f}"
                print(f"{name:14s} {k:17s} {bt:>22s} {ct:>22s} {rel:>9s}  {'yes' if ok else 'NO'}")
            else:
                print(f"{name:14s} {k:17s} {bt:>22s} {ct:>22s} {'':>9s}  (new region)" if c else f"{name:14s} {k:17s} {bt:>22s} {ct:>22s}")


if __name__ == "__main__":
    main()
