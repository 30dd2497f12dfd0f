"""Experiment: can a learned model beat porescope's classical detector on
unseen parts of the annotated photo?

The held-back scoring set is other parts of the same photo as the two shared
crops, so the most favourable honest test is a *spatial split*: train on one
half (top or bottom) of each crop's ROI and score the other half, beside
porescope's default detector on the very same half.

The model is a small U-Net (2 poolings, 16/32 channels, ~60 k weights, about
40 px of context) on three inputs: L*, a* and b* minus their local mean
(Gaussian σ 6 px), divided by the robust noise of L*. Training: random 64 px
patches at scale 0.8-1.25, 90° rotations, flips, contrast and noise jitter,
BCE + soft-Dice loss, 1,500 steps of 16 patches (AdamW, one-cycle LR). One
probability threshold for both crops, chosen on the training halves.

Needs torch (CPU is enough): ``pip install torch==2.13.0``; porescope itself
does not. Reads ../shared/data/real-pores; about 5 minutes per split on 2
cores. Not a test and not a benchmark target: it informs what to build.

Usage: python experiments/unet_split.py [--steps 1500] [--splits top bottom]

Result (2026-11-26, this machine, default arguments), Dice / blob F1 on the
held-out half:

  train top, score bottom   cheek  U-Net 0.628 / 0.831   classical 0.610 / 0.848
  (threshold 0.30)          glab.  U-Net 0.473 / 0.721   classical 0.506 / 0.724
  train bottom, score top   cheek  U-Net 0.515 / 0.699   classical 0.504 / 0.730
  (threshold 0.45)          glab.  U-Net 0.376 / 0.637   classical 0.348 / 0.656

Even trained on the same photo, the model moves Dice by -0.03 to
+0.03, lowers blob F1, and stays far below 0.62 on the glabella: the limit is how
consistently the faint pores are annotated, not the detector's form.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_accuracy import CROPS, DEFAULT_DATA, blob_f1, dice, load_crop  # noqa: E402

from porescope.measure.pores.detect import detect, lightness, robust_sigma  # noqa: E402

PATCH = 64
SEED = 20261126


def inputs(rgb: np.ndarray, roi: np.ndarray) -> np.ndarray:
    """(3, H, W) float32: L*, a*, b* minus their local mean, in L* noise units."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab).astype(np.float32)
    chans = [lightness(rgb), lab[..., 1], lab[..., 2]]
    high = [c - cv2.GaussianBlur(c, (0, 0), 6) for c in chans]
    s = robust_sigma(high[0][roi])
    return np.stack([h / s for h in high]).astype(np.float32)


def halves(roi: np.ndarray, train_part: str) -> tuple[np.ndarray, np.ndarray]:
    rows = np.flatnonzero(roi.any(axis=1))
    mid = (rows[0] + rows[-1]) // 2
    top = np.zeros_like(roi)
    top[:mid] = True
    train = roi & (top if train_part == "top" else ~top)
    return train, roi & ~train


def build_net(torch):
    nn, F = torch.nn, torch.nn.functional

    def block(a, b):
        return nn.Sequential(
            nn.Conv2d(a, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(),
            nn.Conv2d(b, b, 3, padding=1), nn.BatchNorm2d(b), nn.ReLU(),
        )

    class UNet(nn.Module):
        def __init__(self, c: int = 16):
            super().__init__()
            self.e1, self.e2, self.e3 = block(3, c), block(c, 2 * c), block(2 * c, 2 * c)
            self.d2, self.d1 = block(4 * c, c), block(2 * c, c)
            self.out = nn.Conv2d(c, 1, 1)

        def forward(self, x):
            a = self.e1(x)
            b = self.e2(F.max_pool2d(a, 2))
            c = self.e3(F.max_pool2d(b, 2))
            u = self.d2(torch.cat([F.interpolate(c, size=b.shape[-2:], mode="bilinear"), b], 1))
            u = self.d1(torch.cat([F.interpolate(u, size=a.shape[-2:], mode="bilinear"), a], 1))
            return self.out(u)

    return UNet()


def sample_batch(rng, crops, size: int = 16):
    xs, ys, ms = [], [], []
    names = list(crops)
    while len(xs) < size:
        x_all, gt, _, train, _ = crops[names[rng.integers(len(names))]]
        scale = np.exp(rng.uniform(np.log(0.8), np.log(1.25)))
        s = int(PATCH / scale) + 2
        h, w = gt.shape
        y0, x0 = rng.integers(0, h - s), rng.integers(0, w - s)
        m = train[y0 : y0 + s, x0 : x0 + s]
        if m.mean() < 0.5:
            continue
        x = np.stack([cv2.resize(c[y0 : y0 + s, x0 : x0 + s], (PATCH, PATCH)) for c in x_all])
        g = cv2.resize(gt[y0 : y0 + s, x0 : x0 + s].astype(np.float32), (PATCH, PATCH)) > 0.5
        mm = cv2.resize(m.astype(np.float32), (PATCH, PATCH), interpolation=cv2.INTER_NEAREST)
        k = int(rng.integers(4))
        x, g, mm = np.rot90(x, k, (1, 2)), np.rot90(g, k), np.rot90(mm, k)
        if rng.random() < 0.5:
            x, g, mm = x[:, :, ::-1], g[:, ::-1], mm[:, ::-1]
        x = x * rng.uniform(0.7, 1.4) + rng.normal(0, 0.3, x.shape) * rng.uniform(0, 1)
        xs.append(np.ascontiguousarray(x, np.float32))
        ys.append(np.ascontiguousarray(g, np.float32))
        ms.append(np.ascontiguousarray(mm, np.float32))
    return np.stack(xs), np.stack(ys)[:, None], np.stack(ms)[:, None]


def run_split(torch, train_part: str, steps: int) -> None:
    F = torch.nn.functional
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    crops = {}
    for name in CROPS:
        rgb, gt, roi = load_crop(DEFAULT_DATA, name)
        train, test = halves(roi, train_part)
        crops[name] = (inputs(rgb, roi), gt, rgb, train, test)
    crops_for_batches = {n: (c[0], c[1], None, c[3], None) for n, c in crops.items()}
    net = build_net(torch)
    opt = torch.optim.AdamW(net.parameters(), 3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    t0 = time.time()
    for _ in range(steps):
        x, y, m = (torch.from_numpy(a) for a in sample_batch(rng, crops_for_batches))
        logits = net(x)
        bce = (F.binary_cross_entropy_with_logits(logits, y, reduction="none") * m).sum() / m.sum()
        p = torch.sigmoid(logits) * m
        loss = bce + 1 - 2 * (p * y).sum() / (p.sum() + (y * m).sum() + 1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    net.eval()
    probs = {}
    with torch.no_grad():
        for name, (x_all, *_rest) in crops.items():
            probs[name] = torch.sigmoid(net(torch.from_numpy(x_all)[None]))[0, 0].numpy()
    # One threshold for both crops, chosen on the training halves (pooled Dice).
    def pooled(t):
        inter = total = 0
        for name, (_, gt, _, train, _) in crops.items():
            p = (probs[name] > t) & train
            inter += np.count_nonzero(p & gt)
            total += np.count_nonzero(p) + np.count_nonzero(gt & train)
        return 2 * inter / max(1, total)

    t_best = max(np.arange(0.2, 0.8, 0.05), key=pooled)
    print(f"train {train_part} half, score the other ({steps} steps, {time.time() - t0:.0f} s, threshold {t_best:.2f}):")
    for name, (_, gt, rgb, _, test) in crops.items():
        pred = probs[name] > t_best
        roi = test | crops[name][3]
        classical = detect(rgb, roi).labels > 0
        f_u, f_c = blob_f1(pred, gt, test)[0], blob_f1(classical, gt, test)[0]
        print(f"  {name:14s} U-Net Dice {dice(pred, gt, test):.3f} F1 {f_u:.3f} | "
              f"classical Dice {dice(classical, gt, test):.3f} F1 {f_c:.3f}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--splits", nargs="+", default=["top", "bottom"], choices=["top", "bottom"])
    a = ap.parse_args()
    if not (DEFAULT_DATA / "cheek_imgleft.png").exists():
        print(f"no annotated crops at {DEFAULT_DATA}; nothing to do")
        return 0
    try:
        import torch
    except ImportError:
        print("this experiment needs torch: pip install torch==2.13.0 (CPU build)")
        return 2
    for part in a.splits:
        run_split(torch, part, a.steps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
