"""The study report: one self-contained HTML file, plots inlined as PNG.

The HTML is the Jinja template ``study/templates/study_report.html`` (autoescaped); the plots are
drawn with :mod:`porescope.plots` and labelled from :mod:`porescope.labels`, like the history report's.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from porescope import __version__, plots
from porescope.htmlreport import ROOT, environment, render
from porescope.labels import metric_label, region_name
from porescope.study.columns import BASELINE_MISSING, NOT_COMPARABLE, PLOT_METRICS, UNMEASURED, visit_order
from porescope.track.change import Z95

MAX_REGION_PANELS = 6
TEMPLATES = "study/templates"
#: The report's style sheet (also used to lay out a single table in tests/study/test_report_print.py).
CSS = (ROOT / TEMPLATES / "study_report.css").read_text(encoding="utf-8")


def _labels(regions_df, metrics) -> dict[str, str]:
    """Metric -> axis label (porescope.labels); the density unit is the one this study's photos have."""
    units = frozenset(regions_df["density_unit"]) if regions_df is not None and "density_unit" in regions_df else frozenset()
    return {m: metric_label(m, units) for m in metrics}


def _fmt(v) -> str:
    """A cell's text: short numbers, tiny p-values in e-notation, '–' for NaN (escaped by the template)."""
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            return "–"
        return f"{v:.2e}" if (v != 0 and abs(v) < 1e-3) else f"{v:.4g}"
    return str(v)


def _table_data(df, cols: list[tuple[str, str]], left: tuple[str, ...] = ()) -> dict | None:
    """A table for the template's ``table`` macro: header and rows of (CSS class, text); None when empty."""
    if df is None or df.empty:
        return None
    head = [("l" if c in left else "", t) for c, t in cols]
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c, _t in cols:
            v = r.get(c)
            cls = "l" if c in left else ""
            if c == "verdict":
                cls += " " + {"improved": "improved", "worse": "worse"}.get(str(v), "")
            cells.append((cls.strip(), _fmt(v)))
        rows.append(cells)
    return {"head": head, "rows": rows}


def _table(df, cols: list[tuple[str, str]], left: tuple[str, ...] = ()) -> str:
    """One table of the report as HTML (the template's macro), for laying it out on its own."""
    macro = environment(TEMPLATES).get_template("study_table.html").module.table
    return str(macro(_table_data(df, cols, left)))


def _subject_visit_means(regions_df, metric):
    df = regions_df[regions_df["measurable"]]
    return df.groupby(["subject", "arm", "visit", "region"], as_index=False)[metric].mean()


def _box_arm(ax, m, metric, region, arm, ai: int, arms: list, visits: list) -> None:
    """One arm's boxes and points (one per subject's visit mean) on a region's panel."""
    width = 0.8 / max(1, len(arms))
    data, pos = [], []
    for vi, visit in enumerate(visits):
        v = m[(m["region"] == region) & (m["arm"] == arm) & (m["visit"] == visit)][metric].dropna().to_numpy()
        if v.size:
            data.append(v)
            pos.append(vi + (ai - (len(arms) - 1) / 2) * width)
    if not data:
        return
    c = plots.COLOURS[ai % len(plots.COLOURS)]
    bp = ax.boxplot(data, positions=pos, widths=width * 0.85, patch_artist=True, showfliers=False)
    for b in bp["boxes"]:
        b.set(facecolor=c, alpha=0.35, edgecolor=c)
    for med in bp["medians"]:
        med.set(color=c)
    rng = np.random.default_rng(0)
    for p, d in zip(pos, data):
        ax.scatter(p + rng.uniform(-width * 0.2, width * 0.2, d.size), d, s=9, color=c, zorder=3,
                   label=(arm or "all") if p == pos[0] else None)


def _distribution_plots(regions_df, metrics, visits, labels) -> list[tuple[str, bytes]]:
    """Per metric: one panel per region, boxes per visit and arm; (alt text, PNG) each."""
    out = []
    arms = list(dict.fromkeys(regions_df["arm"]))
    regions = list(dict.fromkeys(regions_df["region"]))[:MAX_REGION_PANELS]
    for metric in metrics:
        m = _subject_visit_means(regions_df, metric)
        if m[metric].notna().sum() == 0:
            continue
        fig = plots.new_figure(min(4.2 * len(regions), 15), 3.4)
        axes = fig.subplots(1, len(regions), squeeze=False)
        for ax, region in zip(axes[0], regions):
            for ai, arm in enumerate(arms):
                _box_arm(ax, m, metric, region, arm, ai, arms, visits)
            ax.set_xticks(range(len(visits)))
            ax.set_xticklabels(visits, rotation=30 if len(visits) > 4 else 0)
            plots.style_axes(ax, title=region_name(region), ylabel=labels[metric])
        if len(arms) > 1:
            axes[0][0].legend(fontsize=plots.FONT_PT["legend"], title="arm", title_fontsize=plots.FONT_PT["legend"])
        fig.suptitle(f"{labels[metric]} per visit and arm (one point = one subject's visit mean)",
                     fontsize=plots.FONT_PT["suptitle"], y=1.03)
        out.append((f"distribution of {labels[metric]}", plots.png_bytes(fig, tight=True)))
    return out


def _forest_plots(paired_df, metrics, labels) -> list[tuple[str, bytes]]:
    """Per metric: the mean paired change with its 95% CI per region, visit and arm; (alt text, PNG) each."""
    out = []
    for metric in metrics:
        g = paired_df[(paired_df["metric"] == metric) & (paired_df["n"] > 0)]
        if g.empty:
            continue
        ticks = [f"{region_name(r.region)} · {r.visit}" + (f" · {r.arm}" if r.arm else "") for r in g.itertuples()]
        y = np.arange(len(g))[::-1]
        fig = plots.new_figure(7.5, 0.35 * len(g) + 1.2)
        ax = fig.add_subplot()
        lo = (g["mean_delta"] - g["ci_low"]).to_numpy(float)
        hi = (g["ci_high"] - g["mean_delta"]).to_numpy(float)
        ax.errorbar(g["mean_delta"], y, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], fmt="o", capsize=3, color=plots.INK)
        ax.axvline(0, color=plots.ZERO_GREY, lw=1, ls="--")
        ax.set_yticks(y)
        ax.set_yticklabels(ticks)
        plots.style_axes(ax, xlabel=f"{labels[metric]}: change vs baseline (mean, 95% CI); left of 0 = improved")
        out.append((f"paired change in {labels[metric]}", plots.png_bytes(fig, tight=True)))
    return out


#: Columns of the report's tables: (data column, header).
PAIRED_COLS = [("arm", "arm"), ("visit", "visit"), ("region", "region"), ("metric", "metric"), ("n", "n"),
               ("mean_before", "baseline"), ("mean_after", "visit"), ("mean_delta", "mean Δ"), ("ci_low", "95% CI low"),
               ("ci_high", "95% CI high"), ("p_t", "p (paired t)"), ("p_wilcoxon", "p (Wilcoxon)"), ("d_z", "d_z"),
               ("improved", "improved"), ("no_detectable_change", "no detectable change"), ("worse", "worse")]
ARMS_COLS = [("visit", "visit"), ("region", "region"), ("metric", "metric"), ("arm", "arm"), ("reference_arm", "reference"),
             ("n_arm", "n"), ("n_reference", "n ref"), ("mean_delta_arm", "mean Δ arm"), ("mean_delta_reference", "mean Δ ref"),
             ("difference", "difference"), ("p_welch", "p (Welch)"), ("p_mannwhitney", "p (Mann-Whitney)"), ("hedges_g", "Hedges' g")]
REPEATABILITY_COLS = [("region", "region"), ("metric", "metric"), ("targets", "targets"), ("captures_per_target", "captures each"),
                      ("mean", "mean"), ("within_sd", "within SD"), ("cv_pct", "CV %"), ("icc_2_1", "ICC(2,1)"),
                      ("icc_3_1", "ICC(3,1)")]
ERROR_COLS = [("line", "line"), ("subject", "subject"), ("visit", "visit"), ("capture", "capture"), ("image", "image"),
              ("error", "error")]
#: The run's facts shown at the end: (key in info["run"], words).
RUN_FACTS = [("photos", "photos"), ("skipped_finished", "already finished (skipped)"), ("analyzed", "analyzed in this run"),
             ("failed", "failed"), ("wall_seconds", "wall time of this run (s)"), ("n_workers", "Dask workers"),
             ("bytes_per_image", "bytes shipped per photo"), ("mode", "mode"), ("sensitivity", "sensitivity"),
             ("perturb", "perturbed re-analyses (single-capture visits)"), ("memory_limit", "memory limit per local worker")]


def _verdicts(change_df) -> tuple[list[str], dict | None]:
    """Subjects whose baseline is missing ("S01 (baseline V1)"), and the table of verdict counts per arm, visit and metric."""
    if change_df is None or change_df.empty or "verdict" not in change_df:
        return [], None
    missing = change_df[change_df["verdict"] == BASELINE_MISSING]
    names = sorted(dict.fromkeys(f"{r.subject} (baseline {r.baseline_visit})" for r in missing.itertuples()))
    change_df = change_df[~change_df["verdict"].isin(UNMEASURED)]
    if change_df.empty:
        return names, None
    counts = change_df.groupby(["arm", "visit", "metric", "verdict"]).size().unstack("verdict", fill_value=0).reset_index()
    cols = [("arm", "arm"), ("visit", "visit"), ("metric", "metric")] + [
        (c, c.replace("_", " ")) for c in counts.columns if c not in ("arm", "visit", "metric")]
    return names, _table_data(counts, cols, left=("arm", "visit", "metric"))


def _not_comparable(change_df) -> list[str]:
    """Visit pairs not compared for their detail ("S01 V1-V2")."""
    if change_df is None or change_df.empty or "verdict" not in change_df:
        return []
    rows = change_df[change_df["verdict"] == NOT_COMPARABLE]
    return [f"{r.subject} {r.baseline_visit}-{r.visit}" for r in rows.itertuples()]


def write_report(path: Path, *, regions_df, change_df, paired_df, arms_df, rep_df, metrics, errors, info) -> None:
    """Write the study report (one self-contained HTML file) to ``path``."""
    import pandas as pd

    labels = _labels(regions_df, metrics)
    plotted = [m for m in PLOT_METRICS if m in metrics]
    analyzed = regions_df is not None and not regions_df.empty
    visits = visit_order(regions_df) if analyzed else []
    subj = regions_df.drop_duplicates("line") if analyzed else None
    missing, verdicts = _verdicts(change_df)
    paired = _table_data(paired_df, PAIRED_COLS, left=("arm", "visit", "region", "metric"))
    run = info.get("run") or {}
    page = render(
        TEMPLATES, "study_report.html", version=__version__, info=info, analyzed=analyzed, visits=visits,
        n_subjects=subj["subject"].nunique() if analyzed else 0,
        arms=sorted(set(subj["arm"])) if analyzed and subj["arm"].astype(bool).any() else [],
        metric_labels=[labels[m] for m in metrics],
        distribution_plots=_distribution_plots(regions_df, plotted, visits, labels) if analyzed else [],
        paired=paired, forest_plots=_forest_plots(paired_df, plotted, labels) if paired is not None else [],
        arms_compared=_table_data(arms_df, ARMS_COLS, left=("visit", "region", "metric", "arm", "reference_arm")),
        repeatability=_table_data(rep_df, REPEATABILITY_COLS, left=("region", "metric")),
        z95=Z95, baseline_missing=missing, verdicts=verdicts, not_comparable=_not_comparable(change_df),
        matched_pairs=info.get("matched_detail", 0),
        failed=_table_data(pd.DataFrame(errors), ERROR_COLS, left=("subject", "visit", "image", "error")),
        run=[(t, _fmt(run.get(k))) for k, t in RUN_FACTS if run.get(k) is not None],
    )
    Path(path).write_text(page, encoding="utf-8")
