"""Real annotated pores (../shared/data/real-pores): regression guard.

The figures and targets live in benchmarks/bench_accuracy.py; this test only
checks the minimum the project promises: the default settings beat the
difference-of-Gaussians baseline, measured in the same run, in pixel Dice and
blob F1 on every crop. Skipped when the shared data is absent.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from porescope.measure.pipeline import run

_spec = importlib.util.spec_from_file_location("bench_accuracy", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_accuracy.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.parametrize("name", ["cheek_imgleft", "glabella"])
def test_default_settings_beat_dog_baseline(real_crops, name):
    rgb, gt, roi = real_crops[name]
    ours = run(rgb, roi=roi, mode="closeup").labels > 0
    base = bench.baseline_dog(rgb, roi)
    assert bench.dice(ours, gt, roi) > bench.dice(base, gt, roi)
    assert bench.blob_f1(ours, gt, roi)[0] > bench.blob_f1(base, gt, roi)[0]
    # Nothing outside the annotated ROI is reported.
    assert not ours[~roi].any()


def test_scoring_functions_on_known_masks():
    import numpy as np

    gt = np.zeros((20, 20), bool)
    gt[2:6, 2:6] = True
    gt[10:14, 10:14] = True
    roi = np.ones_like(gt)
    pred = np.zeros_like(gt)
    pred[2:6, 2:4] = True  # half of the first blob
    pred[16:18, 16:18] = True  # a false blob
    assert bench.dice(pred, gt, roi) == pytest.approx(2 * 8 / (12 + 32))
    f1, p, r = bench.blob_f1(pred, gt, roi)
    assert (p, r) == (0.5, 0.5) and f1 == pytest.approx(0.5)


@pytest.mark.parametrize("name", ["cheek_imgleft", "glabella"])
def test_headline_numbers_repeat_under_capture_changes_on_real_skin(real_crops, name):
    """Issue 10 on real, faint pores: the same skin re-captured 9 ways (exposure, light colour, JPEG,
    rotation, camera distance with px/mm, sensor noise) keeps count, density, coverage and score within
    a coefficient of variation of 0.05, and no re-capture moves the count by more than 10%."""
    import numpy as np

    from porescope.measure.recapture import CAPTURE_CHANGES, recapture

    rgb, _, roi = real_crops[name]
    px = 10.0  # the crops' scale (../shared/data/real-pores/README.md)
    rows = []
    for change in [None, *CAPTURE_CHANGES]:
        if change is None:
            a = run(rgb, roi=roi, px_per_mm=px, mode="closeup").analysis
        else:
            rc = recapture(change, rgb, roi, px)
            a = run(rc.rgb, roi=rc.mask, px_per_mm=rc.px_per_mm, mode="closeup").analysis
        assert a.quality.measurable, (change, [p.code for p in a.quality.problems])
        r = a.regions[0]
        rows.append((r.pore_count, r.density_per_cm2, r.coverage_pct, r.visibility_score))
    v = np.array(rows, float)
    cv = v.std(axis=0, ddof=1) / v.mean(axis=0)
    assert (cv <= 0.05).all(), dict(zip(("count", "density", "coverage", "visibility"), cv.round(3)))
    assert (np.abs(v[1:, 0] / v[0, 0] - 1) <= 0.10).all(), v[:, 0]


@pytest.mark.parametrize("name", ["cheek_imgleft", "glabella"])
def test_sensor_noise_moves_no_headline_number_by_more_than_5_percent_on_real_skin(real_crops, name):
    """Issue 10: the same real skin with σ 3 sensor noise added keeps count, density, coverage and
    score within 5% of the clean capture, or is refused as too noisy -- never silent drift. Eight
    noise draws: with one, the v4 engine passed, yet 4 of these 8 moved the glabella's coverage
    by -5.2 to -5.5% (its noise correction was tuned on synthetic skin alone)."""
    from capture_helpers import assert_noise_within_or_refused

    rgb, _, roi = real_crops[name]
    assert_noise_within_or_refused(rgb, roi, 10.0, seeds=tuple(range(1, 9)))  # the crops' scale (../shared/data/real-pores/README.md)


@pytest.mark.parametrize("name", ["cheek_imgleft", "glabella"])
def test_accuracy_does_not_depend_on_exposure(real_crops, name):
    """Issue 10: with the crop's exposure changed by x0.8 and x1.2 (issue 10's range), Dice and blob
    F1 stay within 0.02 of the crop as taken. Thresholds in absolute ΔL* (the engine before issue 10)
    lost 0.045-0.050 F1 at x0.8 (benchmarks/bench_accuracy.py --baseline-src): its accuracy held
    only at the exposure it was tuned at."""
    from porescope.measure.recapture import exposure

    rgb, gt, roi = real_crops[name]
    scores = []
    for gain in (1.0, 0.8, 1.2):
        pred = run(exposure(rgb, gain), roi=roi, mode="closeup").labels > 0
        scores.append((bench.dice(pred, gt, roi), bench.blob_f1(pred, gt, roi)[0]))
    base, *others = scores
    for gain, (d, f1) in zip((0.8, 1.2), others):
        assert abs(d - base[0]) <= 0.02 and abs(f1 - base[1]) <= 0.02, (gain, (d, f1), base)
