"""Turn the cached per-photo results into the study's tables.

Files written into the output folder:

* ``pores/subject=<id>/part-0.parquet`` — one row per pore (hive-partitioned by subject)
* ``regions.csv`` / ``regions.parquet`` — one row per photo and region
* ``quality_problems.csv`` — one row per capture problem
* ``errors.csv`` — one row per photo that could not be analyzed
* ``change.csv`` / ``change.parquet`` — per subject, region, metric and visit:
  change against the subject's baseline with a noise-aware verdict
* ``paired_stats.csv``, ``arm_comparison.csv``, ``repeatability.csv`` — the
  numbers behind the report
"""

from __future__ import annotations

import json
import math
import shutil
import warnings
from pathlib import Path
from urllib.parse import quote

import numpy as np

from porescope.study import stats as st
from porescope.study.columns import BASELINE_MISSING, NOT_COMPARABLE, PLOT_METRICS, UNMEASURED, visit_order  # noqa: F401 (re-exported)
from porescope.study.manifest import Row
from porescope.study.runner import cache_paths, load_result

#: Metrics compared between visits: porescope.track.change's key metrics, lower = better
#: for all. ``density`` is per cm² when the photo's scale is known, else per MP.
from porescope.track.models import KEY_METRICS  # noqa: E402

VERDICT_WORDS = {"improved": "improved", "no_detectable_change": "no detectable change", "worse": "worse"}
CONTROL_ARM_NAMES = ("control", "placebo", "vehicle", "untreated", "sham")

ROW_COLUMNS = ("subject", "visit", "capture", "date", "arm", "condition", "line", "image")


def _row_fields(r: Row) -> dict:
    return {"subject": r.subject, "visit": r.visit, "capture": r.capture, "date": r.date.isoformat(), "arm": r.arm,
            "condition": r.condition, "line": r.line, "image": str(r.image)}


def collect(rows: list[Row], line_key: dict[int, str], line_sha: dict[int, str], out: Path):
    """(regions rows, quality rows, {line: cached result}) for the rows whose result is cached."""
    regions, problems, results = [], [], {}
    for r in rows:
        key = line_key[r.line]
        res = load_result(out, key)
        if res is None or not res.get("ok"):
            continue
        results[r.line] = res
        a = res["analysis"]
        noise = res.get("noise") or {}
        base = {**_row_fields(r), "image_sha256": line_sha[r.line], "result_key": key,
                "measurable": a["quality"]["measurable"], "px_per_mm": a["scale"]["px_per_mm"], "scale_source": a["scale"]["source"],
                "sharpness": a["quality"]["sharpness"], "n_problems": len(a["quality"]["problems"])}
        for m in a["regions"]:
            rec = dict(base)
            rec["region"] = m["name"]
            rec.update({k: v for k, v in m.items() if k != "name"})
            # porescope.track.change's key metrics: density per cm² when the scale is known, else per MP;
            # counts left out when the scale is too coarse to resolve pores.
            meaningful = m["counts_meaningful"]
            rec["density"] = (m["density_per_cm2"] if m["density_per_cm2"] is not None else m["density_per_mpx"]) if meaningful else None
            rec["density_unit"] = "per_cm2" if m["density_per_cm2"] is not None else "per_mpx"
            if not meaningful:
                rec["pore_count"] = None
            if noise:
                for metric, sd in (noise.get("sd", {}).get(m["name"]) or {}).items():
                    rec[f"perturb_sd_{metric}"] = sd
            regions.append(rec)
        for p in a["quality"]["problems"]:
            problems.append({**_row_fields(r), "image_sha256": line_sha[r.line], **p})
    return regions, problems, results


def write_pores(rows: list[Row], line_key: dict[int, str], line_sha: dict[int, str], out: Path) -> int:
    """Write the per-pore table partitioned by subject; returns the number of pores."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from porescope.study.task import ipc_to_table

    root = out / "pores"
    if root.exists():
        shutil.rmtree(root)
    by_subject: dict[str, list[Row]] = {}
    for r in rows:
        by_subject.setdefault(r.subject, []).append(r)
    total = 0
    for subject, srows in by_subject.items():
        parts = []
        for r in srows:
            _, pores_path = cache_paths(out, line_key[r.line])
            if not pores_path.is_file():
                continue
            t = ipc_to_table(pores_path.read_bytes())
            n = t.num_rows
            extra = {"visit": r.visit, "capture": r.capture, "date": r.date.isoformat(), "arm": r.arm, "condition": r.condition,
                     "image_sha256": line_sha[r.line]}
            for i, (name, val) in enumerate(extra.items()):
                typ = pa.int32() if name == "capture" else pa.string()
                t = t.add_column(i, name, pa.array([val] * n, type=typ))
            parts.append(t)
        if not parts:
            continue
        table = pa.concat_tables(parts, promote_options="default")
        d = root / f"subject={quote(subject, safe='')}"
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, d / "part-0.parquet", compression="zstd")
        total += table.num_rows
    return total


def pick_metrics(regions_df) -> list[str]:
    """The key metrics that have values in this study."""
    return [m for m in KEY_METRICS if m in regions_df and regions_df[m].notna().any()]


def _analysis(res: dict):
    from porescope.results import Analysis

    return Analysis.model_validate({**res["analysis"], "pores": []})


def measured_changes(change_df):
    """The change rows with numbers (rows saying the baseline is missing, or that the pair is not compared, left out)."""
    if change_df.empty or "verdict" not in change_df:
        return change_df
    return change_df[~change_df["verdict"].isin(UNMEASURED)]


def _missing_row(subject, r0, base_visit, base_date, visit, caps, *, verdict, detail) -> dict:
    """A change row with no numbers: the baseline is missing, or the pair is not compared (``detail`` says why)."""
    date = min(r.date for r, _ in caps)
    return {
        "subject": subject, "arm": r0.arm, "region": None, "metric": None,
        "baseline_visit": base_visit, "baseline_date": base_date.isoformat(), "visit": visit,
        "date": date.isoformat(), "days": (date - base_date).days,
        "n_baseline": 0, "n_visit": len(caps), "baseline": math.nan, "latest": math.nan, "delta": math.nan,
        "delta_pct": math.nan, "noise_baseline": math.nan, "noise_latest": math.nan,
        "noise_source_baseline": "baseline missing" if verdict == BASELINE_MISSING else "", "noise_source_visit": "",
        "low": math.nan, "high": math.nan, "verdict": verdict, "detail": detail,
    }


def _visit_summary(caps) -> dict:
    """A visit's value per region and metric (mean over its captures) and its noise (1 SD of that mean)."""
    from porescope.track.change import Noise, key_metrics, noise_from_repeats

    caps = sorted(caps, key=lambda x: x[0].capture)
    analyses = [_analysis(res) for _, res in caps]
    km = [key_metrics(a) for a in analyses]
    values: dict[str, dict[str, float]] = {}
    for reg in dict.fromkeys(k for d in km for k in d):
        for m in KEY_METRICS:
            vals = [d[reg][m] for d in km if reg in d and m in d[reg]]
            if vals:
                values.setdefault(reg, {})[m] = float(np.mean(vals))
    n = len(analyses)
    if n >= 2:
        noise, source = noise_from_repeats(analyses), f"repeat captures (n={n})"
    elif caps[0][1].get("noise"):
        noise, source = Noise.model_validate(caps[0][1]["noise"]), "perturbed re-analysis"
    else:
        noise, source = Noise(source="none", samples=1), "noise floor only"
    if noise.source == "none":
        source = "noise floor only"
    return {"row": caps[0][0], "date": min(r.date for r, _ in caps), "n": n, "values": values,
            "sd": lambda reg, m, val, _noise=noise, _n=n: _noise.get(reg, m, val) / math.sqrt(_n), "source": source}


def change_table(rows: list[Row], results: dict[int, dict], *, plans=None, line_key=None, load=None):
    """Per subject x region x key metric x later visit: change against the subject's baseline.

    The value of a visit is the mean over its measurable captures. Its noise
    (1 SD) is :func:`porescope.track.change.noise_from_repeats` over those captures
    divided by sqrt(n) when there are two or more (the noise of a mean of n),
    else the photo's perturbed re-analysis noise (run on the worker), else
    only porescope.track.change's noise floor. The interval and verdict are
    :func:`porescope.track.change.metric_change`: delta ± 1.96·sqrt(noise_a² + noise_b²).

    ``plans`` (from :func:`porescope.study.matching.plan_pairs`) brings each
    baseline and later visit to the same detail: the sharper visit's values
    are those of its photos re-measured through the pair's filter (read with
    ``load(key)`` under the keys of ``line_key``), and a pair that cannot be
    matched gets one row with the verdict NOT_COMPARABLE and the reason in
    ``detail``. Without plans, visits are compared as measured.
    """
    import pandas as pd

    from porescope.study.matching import pair_results, subject_visits
    from porescope.track.change import metric_change

    by_subject, first_visit = subject_visits(rows, results)
    out = []
    for subject, visits in by_subject.items():
        order = sorted(visits, key=lambda v: (min(r.date for r, _ in visits[v]), min(r.line for r, _ in visits[v])))
        base_date, _, base = first_visit[subject]
        if base not in visits:
            # The baseline photo failed or was not measurable: say so, never promote
            # a later visit to baseline (it would be pooled with true baselines).
            for v in order:
                out.append(_missing_row(subject, visits[v][0][0], base, base_date, v, visits[v], verdict=BASELINE_MISSING, detail=""))
            continue
        as_measured = {v: _visit_summary(visits[v]) for v in order}
        for v in order[1:]:
            pair = (plans or {}).get((subject, v))
            b, s, detail = as_measured[base], as_measured[v], "as measured"
            if pair is not None:
                matched = None if pair.reason else pair_results(pair, visits, line_key, load)
                if matched is None:
                    why = pair.reason or "the re-measure of the sharper visit at the other's detail failed or was not measurable"
                    out.append(_missing_row(subject, visits[v][0][0], base, base_date, v, visits[v], verdict=NOT_COMPARABLE, detail=why))
                    continue
                b = _visit_summary(matched[base]) if pair.filters[0] is not None else b
                s = _visit_summary(matched[v]) if pair.filters[1] is not None else s
                detail = pair.how()
            for reg, bm in b["values"].items():
                for m, bval in bm.items():
                    if m not in s["values"].get(reg, {}):
                        continue
                    lval = s["values"][reg][m]
                    mc = metric_change(reg, m, bval, lval, b["sd"](reg, m, bval), s["sd"](reg, m, lval))
                    out.append({
                        "subject": subject, "arm": b["row"].arm, "region": reg, "metric": m,
                        "baseline_visit": base, "baseline_date": b["date"].isoformat(), "visit": v, "date": s["date"].isoformat(),
                        "days": (s["date"] - b["date"]).days, "n_baseline": b["n"], "n_visit": s["n"],
                        "baseline": bval, "latest": lval, "delta": lval - bval,
                        "delta_pct": 100.0 * (lval - bval) / bval if bval else math.nan,
                        "noise_baseline": mc.noise_baseline, "noise_latest": mc.noise_latest,
                        "noise_source_baseline": b["source"], "noise_source_visit": s["source"],
                        "low": mc.low, "high": mc.high, "verdict": mc.verdict, "detail": detail,
                    })
    return pd.DataFrame(out)


def paired_table(change_df):
    """Per arm x visit x region x metric: paired statistics over subjects (subjects without a baseline left out)."""
    import pandas as pd

    out = []
    change_df = measured_changes(change_df)
    if change_df.empty:
        return pd.DataFrame(out)
    for (arm, visit, region, metric), g in change_df.groupby(["arm", "visit", "region", "metric"], sort=False):
        p = st.paired(g["baseline"].to_numpy(float), g["latest"].to_numpy(float))
        rec = {"arm": arm, "visit": visit, "region": region, "metric": metric, **p.as_dict()}
        for v in VERDICT_WORDS:
            rec[v] = int((g["verdict"] == v).sum())
        out.append(rec)
    return pd.DataFrame(out)


def reference_arm(arms: list[str]) -> str | None:
    arms = [a for a in arms]
    if len(arms) < 2:
        return None
    for a in arms:
        if a.strip().lower() in CONTROL_ARM_NAMES:
            return a
    return sorted(arms)[0]


def arm_table(change_df):
    """Change in each arm against the reference (control) arm: Welch t and Mann-Whitney U on the deltas."""
    import pandas as pd
    from scipy import stats

    out = []
    change_df = measured_changes(change_df)
    if change_df.empty:
        return pd.DataFrame(out)
    arms = list(dict.fromkeys(change_df["arm"]))
    ref = reference_arm(arms)
    if ref is None:
        return pd.DataFrame(out)
    for (visit, region, metric), g in change_df.groupby(["visit", "region", "metric"], sort=False):
        d_ref = g.loc[g["arm"] == ref, "delta"].dropna().to_numpy(float)
        for arm in arms:
            if arm == ref:
                continue
            d = g.loc[g["arm"] == arm, "delta"].dropna().to_numpy(float)
            rec = {"visit": visit, "region": region, "metric": metric, "arm": arm, "reference_arm": ref,
                   "n_arm": int(d.size), "n_reference": int(d_ref.size),
                   "mean_delta_arm": float(d.mean()) if d.size else math.nan,
                   "mean_delta_reference": float(d_ref.mean()) if d_ref.size else math.nan}
            rec["difference"] = rec["mean_delta_arm"] - rec["mean_delta_reference"]
            rec["p_welch"] = rec["p_mannwhitney"] = rec["hedges_g"] = math.nan
            if d.size >= 2 and d_ref.size >= 2:
                with warnings.catch_warnings():  # near-identical deltas warn of precision loss; the result stands
                    warnings.simplefilter("ignore", RuntimeWarning)
                    rec["p_welch"] = float(stats.ttest_ind(d, d_ref, equal_var=False).pvalue)
                    rec["p_mannwhitney"] = float(stats.mannwhitneyu(d, d_ref, alternative="two-sided").pvalue)
                sp = math.sqrt(((d.size - 1) * d.var(ddof=1) + (d_ref.size - 1) * d_ref.var(ddof=1)) / (d.size + d_ref.size - 2))
                if sp > 0:
                    j = 1 - 3 / (4 * (d.size + d_ref.size) - 9)
                    rec["hedges_g"] = j * (d.mean() - d_ref.mean()) / sp
            out.append(rec)
    return pd.DataFrame(out)


def repeatability_table(regions_df, metrics: list[str]):
    """Per region x metric: within-subject CV, within SD, ICC(2,1) and ICC(3,1) from repeat captures."""
    import pandas as pd

    df = regions_df[regions_df["measurable"]]
    out = []
    for region, g in df.groupby("region", sort=False):
        for metric in metrics:
            groups = [gv.sort_values("capture")[metric].dropna().to_numpy(float) for _, gv in g.groupby(["subject", "visit"])]
            groups = [v for v in groups if v.size >= 2]
            if len(groups) < 2:
                continue
            k = min(v.size for v in groups)
            mat = np.array([v[:k] for v in groups])
            out.append({
                "region": region, "metric": metric, "targets": len(groups), "captures_per_target": k,
                "mean": float(mat.mean()), "within_sd": st.within_sd(mat), "cv_pct": st.within_cv_pct(mat),
                "icc_2_1": st.icc2_1(mat), "icc_3_1": st.icc3_1(mat),
            })
    return pd.DataFrame(out)


def write_all(rows: list[Row], line_key: dict[int, str], line_sha: dict[int, str], out: Path, errors: list[dict], run_info: dict,
              *, plans=None) -> dict:
    """Write every table and the report; returns what was written (also saved as study.json).

    ``plans``: how each subject's visits are compared at the same detail
    (:func:`porescope.study.matching.plan_pairs`; their re-measures are in the cache).
    """
    import pandas as pd

    regions, problems, results = collect(rows, line_key, line_sha, out)
    regions_df = pd.DataFrame(regions)
    if not regions_df.empty:
        regions_df["date"] = pd.to_datetime(regions_df["date"])
    n_pores = write_pores(rows, line_key, line_sha, out)
    written = {}

    def save(df, name, parquet=False):
        df.to_csv(out / f"{name}.csv", index=False)
        written[f"{name}.csv"] = len(df)
        if parquet:
            df.to_parquet(out / f"{name}.parquet", index=False)
            written[f"{name}.parquet"] = len(df)

    regions_out = regions_df.copy()
    if not regions_out.empty:
        regions_out["date"] = regions_out["date"].dt.date.astype(str)
    save(regions_out, "regions", parquet=True)
    save(pd.DataFrame(problems, columns=[*ROW_COLUMNS, "image_sha256", "code", "message", "severity", "value", "limit"]), "quality_problems")
    save(pd.DataFrame(errors, columns=["line", "subject", "visit", "capture", "image", "error_type", "error"]), "errors")
    metrics = pick_metrics(regions_df) if not regions_df.empty else []
    change = change_table(rows, results, plans=plans, line_key=line_key, load=lambda key: load_result(out, key))
    save(change, "change", parquet=True)
    paired_df = paired_table(change)
    save(paired_df, "paired_stats")
    arms_df = arm_table(change)
    save(arms_df, "arm_comparison")
    rep = repeatability_table(regions_df, metrics) if metrics else pd.DataFrame()
    save(rep, "repeatability")
    written["pores/"] = n_pores
    info = {
        "photos": len(rows), "analyzed": len(results), "errors": len(errors), "pores": n_pores,
        "not_measurable": int((~regions_df.drop_duplicates("line")["measurable"]).sum()) if not regions_df.empty else 0,
        "metrics": metrics, "files": written, "run": run_info,
        "baseline_missing": sorted(set(change.loc[change["verdict"] == BASELINE_MISSING, "subject"])) if not change.empty else [],
        "not_comparable": [f"{r.subject} {r.baseline_visit}-{r.visit}" for r in change[change["verdict"] == NOT_COMPARABLE].itertuples()]
        if not change.empty else [],
        "matched_detail": int(change.loc[change["detail"].str.contains("re-measured", na=False), ["subject", "visit"]].drop_duplicates().shape[0])
        if not change.empty else 0,
    }
    from porescope.study.report import write_report

    write_report(out / "report.html", regions_df=regions_df, change_df=change, paired_df=paired_df, arms_df=arms_df, rep_df=rep,
                 metrics=metrics, errors=errors, info=info)
    written["report.html"] = 1
    (out / "study.json").write_text(json.dumps(info, indent=1, default=str))
    return info
