"""Study statistics on plain arrays: paired change, effect size, repeatability, verdicts.

* Paired change: mean of the per-subject differences with its t-based 95% CI,
  paired t-test (``scipy.stats.ttest_rel``) and Wilcoxon signed-rank test
  (``scipy.stats.wilcoxon``, two-sided, zero differences dropped: the
  ``'wilcox'`` zero method).
* Effect size: Cohen's d_z = mean(d) / SD(d) (ddof=1) of the paired
  differences (Cohen 1988; Lakens 2013, Front. Psychol. 4:863).
* Repeatability from repeat captures: ICC(2,1), two-way random effects,
  absolute agreement, single measurement (Shrout & Fleiss 1979, McGraw &
  Wong 1996 "ICC(A,1)"), with targets = subject x visit and raters = capture
  number. ICC(3,1) (consistency) is reported beside it. Within-subject
  coefficient of variation = root-mean-square of per-target SD/mean.

Per-subject noise-aware verdicts are :mod:`porescope.track.change`'s (the same rule
as the history store); this module holds the group statistics only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np


@dataclass
class Paired:
    n: int
    mean_before: float
    mean_after: float
    mean_delta: float
    sd_delta: float
    ci_low: float
    ci_high: float
    t: float
    p_t: float
    w: float
    p_wilcoxon: float
    d_z: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def paired(before, after) -> Paired:
    """Paired comparison of ``after`` vs ``before`` (same subjects, same order)."""
    from scipy import stats

    a = np.asarray(before, float)
    b = np.asarray(after, float)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    d = b - a
    n = int(d.size)
    nan = math.nan
    if n == 0:
        return Paired(0, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan)
    md = float(d.mean())
    sd = float(d.std(ddof=1)) if n > 1 else nan
    if n > 1:
        se = sd / math.sqrt(n)
        q = float(stats.t.ppf(0.975, n - 1))
        lo, hi = md - q * se, md + q * se
    else:
        lo = hi = nan
    t = p_t = w = p_w = nan
    with warnings.catch_warnings():  # near-identical values (e.g. counts) warn of precision loss; the result stands
        warnings.simplefilter("ignore", RuntimeWarning)
        if n > 1 and sd > 0:
            res = stats.ttest_rel(b, a)
            t, p_t = float(res.statistic), float(res.pvalue)
        if np.any(d != 0):
            try:
                res = stats.wilcoxon(b, a, zero_method="wilcox", alternative="two-sided")
                w, p_w = float(res.statistic), float(res.pvalue)
            except ValueError:
                pass
    dz = md / sd if (n > 1 and sd > 0) else nan
    return Paired(n, float(a.mean()), float(b.mean()), md, sd, lo, hi, t, p_t, w, p_w, dz)


def cohens_dz(before, after) -> float:
    d = np.asarray(after, float) - np.asarray(before, float)
    d = d[np.isfinite(d)]
    if d.size < 2:
        return math.nan
    sd = d.std(ddof=1)
    return float(d.mean() / sd) if sd > 0 else math.nan


def _anova2(x: np.ndarray):
    """Two-way ANOVA mean squares of an (n targets, k raters) matrix without replication."""
    n, k = x.shape
    grand = x.mean()
    ss_total = ((x - grand) ** 2).sum()
    ss_rows = k * ((x.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((x.mean(axis=0) - grand) ** 2).sum()
    ss_err = ss_total - ss_rows - ss_cols
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = ss_err / ((n - 1) * (k - 1))
    return msr, msc, mse


def icc2_1(x) -> float:
    """ICC(2,1): two-way random, absolute agreement, single measurement.

    ``x`` is (n targets, k measurements); rows with a missing value are dropped.
    """
    x = np.asarray(x, float)
    x = x[np.all(np.isfinite(x), axis=1)]
    n, k = x.shape if x.ndim == 2 else (0, 0)
    if n < 2 or k < 2:
        return math.nan
    msr, msc, mse = _anova2(x)
    den = msr + (k - 1) * mse + k * (msc - mse) / n
    return float((msr - mse) / den) if den > 0 else math.nan


def icc3_1(x) -> float:
    """ICC(3,1): two-way mixed, consistency, single measurement."""
    x = np.asarray(x, float)
    x = x[np.all(np.isfinite(x), axis=1)]
    n, k = x.shape if x.ndim == 2 else (0, 0)
    if n < 2 or k < 2:
        return math.nan
    msr, _msc, mse = _anova2(x)
    den = msr + (k - 1) * mse
    return float((msr - mse) / den) if den > 0 else math.nan


def within_cv_pct(x) -> float:
    """Within-subject CV, percent: root-mean-square over targets of SD/mean (ddof=1).

    ``x`` is (n targets, k measurements); NaNs ignored per row, rows with
    fewer than 2 values or a zero mean are skipped.
    """
    x = np.asarray(x, float)
    cvs = []
    for row in x:
        v = row[np.isfinite(row)]
        if v.size >= 2 and v.mean() != 0:
            cvs.append((v.std(ddof=1) / abs(v.mean())) ** 2)
    return float(100.0 * math.sqrt(np.mean(cvs))) if cvs else math.nan


def within_sd(x) -> float:
    """Pooled within-target SD (root of the mean within-row variance, ddof=1)."""
    x = np.asarray(x, float)
    num = den = 0.0
    for row in x:
        v = row[np.isfinite(row)]
        if v.size >= 2:
            num += v.var(ddof=1) * (v.size - 1)
            den += v.size - 1
    return float(math.sqrt(num / den)) if den else math.nan
