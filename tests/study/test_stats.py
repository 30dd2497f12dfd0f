"""Study statistics against scipy and hand computations, on data with a known effect."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from porescope.study import stats as st
from porescope.study.manifest import Row
from porescope.study.tables import arm_table, change_table, paired_table, repeatability_table

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges, with their published
# ICC(1,1)=0.17, ICC(2,1)=0.29, ICC(3,1)=0.71.
SHROUT_FLEISS = np.array([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]], float)


def _known_effect(n=12, effect=-3.0, seed=3):
    rng = np.random.default_rng(seed)
    before = rng.normal(50, 8, n)
    after = before + effect + rng.normal(0, 1.5, n)
    return before, after


def test_paired_matches_scipy():
    before, after = _known_effect()
    p = st.paired(before, after)
    t = stats.ttest_rel(after, before)
    w = stats.wilcoxon(after, before)
    d = after - before
    assert p.n == 12
    assert p.mean_delta == pytest.approx(d.mean())
    assert p.t == pytest.approx(t.statistic) and p.p_t == pytest.approx(t.pvalue)
    assert p.w == pytest.approx(w.statistic) and p.p_wilcoxon == pytest.approx(w.pvalue)
    # d_z by hand: mean difference over SD of differences.
    sd = math.sqrt(sum((x - d.mean()) ** 2 for x in d) / (len(d) - 1))
    assert p.d_z == pytest.approx(d.mean() / sd)
    assert p.d_z == pytest.approx(st.cohens_dz(before, after))
    # t-based 95% CI of the mean change, by hand.
    half = stats.t.ppf(0.975, 11) * sd / math.sqrt(12)
    assert (p.ci_low, p.ci_high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert p.ci_high < 0 and p.p_t < 0.001  # the known effect (-3) is found


def test_paired_edge_cases():
    assert st.paired([], []).n == 0
    same = st.paired([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert same.mean_delta == 0 and math.isnan(same.p_t) and math.isnan(same.p_wilcoxon)
    with_nan = st.paired([1.0, np.nan, 3.0, 4.0], [2.0, 5.0, 4.5, 4.0])
    assert with_nan.n == 3


def test_icc_against_shrout_fleiss_and_hand_computation():
    assert st.icc2_1(SHROUT_FLEISS) == pytest.approx(0.29, abs=0.005)
    assert st.icc3_1(SHROUT_FLEISS) == pytest.approx(0.71, abs=0.005)
    # By hand from the ANOVA table (same data): BMS, JMS, EMS.
    x = SHROUT_FLEISS
    n, k = x.shape
    g = x.mean()
    bms = k * ((x.mean(1) - g) ** 2).sum() / (n - 1)
    jms = n * ((x.mean(0) - g) ** 2).sum() / (k - 1)
    ems = (((x - g) ** 2).sum() - bms * (n - 1) - jms * (k - 1)) / ((n - 1) * (k - 1))
    assert st.icc2_1(x) == pytest.approx((bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n))
    assert st.icc3_1(x) == pytest.approx((bms - ems) / (bms + (k - 1) * ems))


def test_cv_and_within_sd_by_hand():
    x = np.array([[10.0, 12.0], [20.0, 18.0], [5.0, 5.5]])
    cvs = [np.std(r, ddof=1) / np.mean(r) for r in x]
    assert st.within_cv_pct(x) == pytest.approx(100 * math.sqrt(np.mean(np.square(cvs))))
    assert st.within_sd(x) == pytest.approx(math.sqrt(np.mean([np.var(r, ddof=1) for r in x])))
    perfect = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert st.icc2_1(perfect) == pytest.approx(1.0)


# --- the tables, on constructed per-photo results -------------------------

def _analysis_dict(visibility: float, coverage: float, count: int):
    return {
        "schema_version": "1.0", "porescope_version": "test",
        "source": {"width_px": 400, "height_px": 400},
        "scale": {}, "quality": {"sharpness": 1.0, "noise_sigma": 1.0, "mean_luminance": 60.0, "clipped_fraction": 0.0,
                                 "glare_fraction": 0.0, "measurable": True, "problems": []},
        "regions": [{"name": "frame", "label": 1, "area_px": 160000, "pore_count": count, "density_per_mpx": count / 0.16,
                     "coverage_pct": coverage, "large_pore_share": 0.1, "mean_elongation": 1.2, "dark_share": 0.1,
                     "visibility_score": visibility}],
        "pores": [], "settings": {"mode": "closeup", "min_diameter_px": 2, "max_diameter_px": 20, "detector": "t", "sensitivity": 1.0},
    }


def _constructed(n_subjects=10, seed=5):
    """Subjects with two captures per visit; the treated arm's visibility drops by 8 points at V2."""
    rng = np.random.default_rng(seed)
    rows, results, regions = [], {}, []
    line = 2
    for s in range(n_subjects):
        arm = "treated" if s % 2 else "control"
        base = rng.normal(60, 6)
        for v, visit in enumerate(("V1", "V2")):
            true = base - (8.0 if (arm == "treated" and v == 1) else 0.0)
            for c in (1, 2):
                vis = true + rng.normal(0, 0.8)
                cov = 5 + rng.normal(0, 0.2)
                r = Row(line=line, subject=f"S{s}", visit=visit, date=dt.date(2026, 1, 1) + dt.timedelta(days=28 * v),
                        image=Path(f"/x/{s}_{v}_{c}.jpg"), capture=c, arm=arm)
                rows.append(r)
                results[line] = {"ok": True, "analysis": _analysis_dict(vis, cov, 100 + c), "noise": None}
                regions.append({"subject": r.subject, "visit": visit, "capture": c, "arm": arm, "region": "frame",
                                "measurable": True, "visibility_score": vis, "coverage_pct": cov})
                line += 1
    return rows, results, pd.DataFrame(regions)


def test_change_verdicts_and_paired_table_on_known_effect():
    rows, results, _ = _constructed()
    ch = change_table(rows, results)
    vis = ch[ch["metric"] == "visibility_score"]
    assert len(vis) == 10 and set(vis["noise_source_visit"]) == {"repeat captures (n=2)"}
    # Interval formula: delta ± 1.96·sqrt(noise_a² + noise_b²).
    r0 = vis.iloc[0]
    half = 1.96 * math.sqrt(r0["noise_baseline"] ** 2 + r0["noise_latest"] ** 2)
    assert (r0["low"], r0["high"]) == pytest.approx((r0["delta"] - half, r0["delta"] + half), abs=1e-3)
    treated = vis[vis["arm"] == "treated"]
    assert (treated["verdict"] == "improved").all()  # an 8-point drop against <1-point noise
    control = vis[vis["arm"] == "control"]
    assert (control["verdict"] != "improved").sum() >= 4
    pt = paired_table(ch)
    row = pt[(pt["arm"] == "treated") & (pt["metric"] == "visibility_score")].iloc[0]
    g = treated
    assert row["n"] == 5
    assert row["p_t"] == pytest.approx(stats.ttest_rel(g["latest"], g["baseline"]).pvalue)
    assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(g["latest"], g["baseline"]).pvalue)
    assert row["d_z"] == pytest.approx(st.cohens_dz(g["baseline"], g["latest"]))
    assert row["mean_delta"] == pytest.approx(-8.0, abs=1.5) and row["improved"] == 5
    arms = arm_table(ch)
    a = arms[(arms["metric"] == "visibility_score")].iloc[0]
    assert a["reference_arm"] == "control" and a["arm"] == "treated"
    d_t = treated["delta"].to_numpy()
    d_c = control["delta"].to_numpy()
    assert a["p_welch"] == pytest.approx(stats.ttest_ind(d_t, d_c, equal_var=False).pvalue)


def test_repeatability_table_uses_icc_2_1():
    _, _, regions = _constructed()
    rep = repeatability_table(regions, ["visibility_score"])
    r = rep.iloc[0]
    assert r["targets"] == 20 and r["captures_per_target"] == 2
    mat = np.array([g.sort_values("capture")["visibility_score"].to_numpy() for _, g in regions.groupby(["subject", "visit"])])
    assert r["icc_2_1"] == pytest.approx(st.icc2_1(mat))
    assert r["icc_2_1"] > 0.9  # between-subject SD 6 vs capture noise 0.8


def test_pore_tables_with_and_without_scale_share_one_schema():
    from porescope.results import Pore
    from porescope.study.task import ipc_to_table, pore_schema, pores_to_ipc

    def pore(mm):
        return Pore(id=1, region="frame", x_px=1.5, y_px=2.5, area_px=20, area_mm2=mm, equiv_diameter_px=5.0,
                    equiv_diameter_mm=mm, major_axis_px=6.0, minor_axis_px=4.0, elongation=1.5, orientation_deg=10.0,
                    contrast_dl=3.0, core_dl=5.0, kind="open")

    a, b = ipc_to_table(pores_to_ipc([pore(None)])), ipc_to_table(pores_to_ipc([pore(0.05)]))
    assert a.schema == b.schema == pore_schema()
    assert pores_to_ipc([]) is None


def test_failed_baseline_is_reported_missing_never_replaced():
    """A subject whose first-visit photos failed gets 'baseline_missing' rows and stays out of the statistics;
    its V2 is never promoted to baseline and pooled with true baselines."""
    from porescope.study.tables import BASELINE_MISSING

    rows, results, _ = _constructed(n_subjects=4)
    add = []
    for v, visit in enumerate(("V2", "V3")):  # subject S9: V1 failed (no result), V2 and V3 measured
        r = Row(line=900 + v, subject="S9", visit=visit, date=dt.date(2026, 1, 29) + dt.timedelta(days=28 * v),
                image=Path(f"/x/s9_{v}.jpg"), capture=1, arm="treated")
        add.append(r)
        results[r.line] = {"ok": True, "analysis": _analysis_dict(40.0 - 10 * v, 5.0, 100), "noise": None}
    failed = Row(line=899, subject="S9", visit="V1", date=dt.date(2026, 1, 1), image=Path("/x/s9_broken.jpg"), capture=1, arm="treated")
    ch = change_table(rows + [failed] + add, results)
    s9 = ch[ch["subject"] == "S9"]
    assert set(s9["verdict"]) == {BASELINE_MISSING} and set(s9["baseline_visit"]) == {"V1"}
    assert s9["delta"].isna().all() and sorted(s9["visit"]) == ["V2", "V3"]
    pt = paired_table(ch)
    treated_v2 = pt[(pt["arm"] == "treated") & (pt["visit"] == "V2") & (pt["metric"] == "visibility_score")].iloc[0]
    assert treated_v2["n"] == 2  # S1 and S3 only
    assert "V3" not in set(pt["visit"])
