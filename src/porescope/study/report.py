"""The study report: one self-contained HTML file, plots inlined as PNG."""

from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

import numpy as np

from porescope import __version__
from porescope.labels import metric_label
from porescope.study.columns import BASELINE_MISSING, PLOT_METRICS, visit_order
from porescope.track.change import Z95

MAX_REGION_PANELS = 6

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.8em;margin:.5em 0;width:100%}
th,td{border:1px solid #ddd;padding:2px 4px;text-align:right}th{background:#f4f4f4;font-weight:600;vertical-align:bottom}
.wrap{overflow-x:auto}
@page{size:A4 landscape;margin:12mm}
@media print{body{max-width:none;margin:0}h2{break-after:avoid;page-break-after:avoid}tr,img{break-inside:avoid}table{font-size:.68em}}
td.l,th.l{text-align:left}.note{color:#555;font-size:.9em}img{max-width:100%}
.improved{color:#17703a;font-weight:600}.worse{color:#b0281f;font-weight:600}
"""


def _labels(regions_df, metrics) -> dict[str, str]:
    """Metric -> axis label (porescope.labels); the density unit is the one this study's photos have."""
    units = frozenset(regions_df["density_unit"]) if regions_df is not None and "density_unit" in regions_df else frozenset()
    return {m: metric_label(m, units) for m in metrics}


def _fig_html(fig, alt: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode()
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(v):
            return "–"
        return f"{v:.2e}" if (v != 0 and abs(v) < 1e-3) else f"{v:.4g}"
    return html.escape(str(v))


def _table(df, cols: list[tuple[str, str]], left: tuple[str, ...] = ()) -> str:
    if df is None or df.empty:
        return '<p class="note">none</p>'
    head = "".join(f'<th class="{"l" if c in left else ""}">{html.escape(t)}</th>' for c, t in cols)
    body = []
    for _, r in df.iterrows():
        cells = []
        for c, _t in cols:
            v = r.get(c)
            cls = "l" if c in left else ""
            if c == "verdict":
                cls += " " + {"improved": "improved", "worse": "worse"}.get(str(v), "")
            cells.append(f'<td class="{cls.strip()}">{_fmt(v)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    # Headers wrap (they are words); cells keep their numbers whole. The wrapper scrolls only if a
    # window is narrower than the table can ever be.
    return f"<div class='wrap'><table><tr>{head}</tr>{''.join(body)}</table></div>"


def _subject_visit_means(regions_df, metric):
    df = regions_df[regions_df["measurable"]]
    return df.groupby(["subject", "arm", "visit", "region"], as_index=False)[metric].mean()


def _distribution_plots(regions_df, metrics, visits, labels) -> str:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    parts = []
    arms = list(dict.fromkeys(regions_df["arm"]))
    regions = list(dict.fromkeys(regions_df["region"]))[:MAX_REGION_PANELS]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for metric in metrics:
        m = _subject_visit_means(regions_df, metric)
        if m[metric].notna().sum() == 0:
            continue
        fig, axes = plt.subplots(1, len(regions), figsize=(min(4.2 * len(regions), 15), 3.4), squeeze=False)
        for ax, region in zip(axes[0], regions):
            width = 0.8 / max(1, len(arms))
            for ai, arm in enumerate(arms):
                data, pos = [], []
                for vi, visit in enumerate(visits):
                    v = m[(m["region"] == region) & (m["arm"] == arm) & (m["visit"] == visit)][metric].dropna().to_numpy()
                    if v.size:
                        data.append(v)
                        pos.append(vi + (ai - (len(arms) - 1) / 2) * width)
                if not data:
                    continue
                c = colors[ai % len(colors)]
                bp = ax.boxplot(data, positions=pos, widths=width * 0.85, patch_artist=True, showfliers=False)
                for b in bp["boxes"]:
                    b.set(facecolor=c, alpha=0.35, edgecolor=c)
                for med in bp["medians"]:
                    med.set(color=c)
                rng = np.random.default_rng(0)
                for p, d in zip(pos, data):
                    ax.scatter(p + rng.uniform(-width * 0.2, width * 0.2, d.size), d, s=9, color=c, zorder=3,
                               label=(arm or "all") if p == pos[0] else None)
            ax.set_xticks(range(len(visits)))
            ax.set_xticklabels(visits, rotation=30 if len(visits) > 4 else 0)
            ax.set_title(region)
            ax.set_ylabel(labels[metric])
        if len(arms) > 1:
            axes[0][0].legend(fontsize=8, title="arm")
        fig.suptitle(f"{labels[metric]} per visit and arm (one point = one subject's visit mean)", fontsize=10, y=1.03)
        parts.append(_fig_html(fig, f"distribution of {metric}"))
    return "\n".join(parts)


def _forest_plots(paired_df, metrics, labels) -> str:
    import matplotlib.pyplot as plt

    parts = []
    for metric in metrics:
        g = paired_df[(paired_df["metric"] == metric) & (paired_df["n"] > 0)]
        if g.empty:
            continue
        ticks = [f"{r.region} · {r.visit}" + (f" · {r.arm}" if r.arm else "") for r in g.itertuples()]
        y = np.arange(len(g))[::-1]
        fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(g) + 1.2))
        lo = (g["mean_delta"] - g["ci_low"]).to_numpy(float)
        hi = (g["ci_high"] - g["mean_delta"]).to_numpy(float)
        ax.errorbar(g["mean_delta"], y, xerr=[np.nan_to_num(lo), np.nan_to_num(hi)], fmt="o", capsize=3, color="#1f4e79")
        ax.axvline(0, color="#888", lw=1, ls="--")
        ax.set_yticks(y)
        ax.set_yticklabels(ticks, fontsize=8)
        ax.set_xlabel(f"{labels[metric]}: change vs baseline (mean, 95% CI); left of 0 = improved")
        parts.append(_fig_html(fig, f"paired change in {metric}"))
    return "\n".join(parts)


def write_report(path: Path, *, regions_df, change_df, paired_df, arms_df, rep_df, metrics, errors, info) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)

    esc = html.escape
    labels = _labels(regions_df, metrics)
    body = [f"<h1>porescope study report</h1><p class='note'>porescope {esc(__version__)} · "
            f"{info['photos']} photos, {info['analyzed']} analyzed, {info['errors']} failed, "
            f"{info['not_measurable']} not measurable (excluded from statistics), {info['pores']} pores measured.</p>"]
    if regions_df is None or regions_df.empty:
        body.append("<p>No photo could be analyzed; see the errors below.</p>")
        visits = []
    else:
        visits = visit_order(regions_df)
        subj = regions_df.drop_duplicates("line")
        body.append(
            f"<p>{subj['subject'].nunique()} subjects · visits (in time order): {esc(', '.join(visits))}"
            + (f" · arms: {esc(', '.join(sorted(set(subj['arm']))))}" if subj["arm"].astype(bool).any() else "")
            + f" · metrics compared: {esc(', '.join(labels[m] for m in metrics))}. Lower is better for every metric.</p>"
        )
        body.append("<h2>Distributions per visit and arm</h2>")
        body.append(_distribution_plots(regions_df, [m for m in PLOT_METRICS if m in metrics], visits, labels))
    body.append("<h2>Paired change against baseline</h2>")
    body.append(
        "<p class='note'>Per subject, the value of a visit is the mean of its measurable captures; the change is visit − baseline "
        "(the subject's earliest visit). Mean change with a t-based 95% CI, two-sided paired t-test (scipy.stats.ttest_rel), "
        "Wilcoxon signed-rank test (scipy.stats.wilcoxon, zero differences dropped) and Cohen's d<sub>z</sub> = mean(Δ)/SD(Δ). "
        "The verdict columns count subjects by their own noise-aware verdict (see below).</p>"
    )
    if paired_df is not None and not paired_df.empty:
        body.append(_forest_plots(paired_df, [m for m in PLOT_METRICS if m in metrics], labels))
        cols = [("arm", "arm"), ("visit", "visit"), ("region", "region"), ("metric", "metric"), ("n", "n"), ("mean_before", "baseline"),
                ("mean_after", "visit"), ("mean_delta", "mean Δ"), ("ci_low", "95% CI low"), ("ci_high", "95% CI high"),
                ("p_t", "p (paired t)"), ("p_wilcoxon", "p (Wilcoxon)"), ("d_z", "d_z"), ("improved", "improved"),
                ("no_detectable_change", "no detectable change"), ("worse", "worse")]
        body.append(_table(paired_df, cols, left=("arm", "visit", "region", "metric")))
    else:
        body.append("<p class='note'>No subject has a measurable baseline and a later visit.</p>")
    if arms_df is not None and not arms_df.empty:
        body.append("<h2>Arms compared</h2><p class='note'>Change in each arm minus change in the reference arm; Welch t-test and "
                    "Mann-Whitney U on the per-subject changes; Hedges' g.</p>")
        cols = [("visit", "visit"), ("region", "region"), ("metric", "metric"), ("arm", "arm"), ("reference_arm", "reference"),
                ("n_arm", "n"), ("n_reference", "n ref"), ("mean_delta_arm", "mean Δ arm"), ("mean_delta_reference", "mean Δ ref"),
                ("difference", "difference"), ("p_welch", "p (Welch)"), ("p_mannwhitney", "p (Mann-Whitney)"), ("hedges_g", "Hedges' g")]
        body.append(_table(arms_df, cols, left=("visit", "region", "metric", "arm", "reference_arm")))
    body.append("<h2>Repeatability from repeat captures</h2>")
    body.append(
        "<p class='note'>Targets are subject × visit groups with ≥ 2 measurable captures; captures are the raters. "
        "<b>ICC(2,1)</b> (two-way random effects, absolute agreement, single measurement; Shrout &amp; Fleiss 1979) is the "
        "repeatability figure; ICC(3,1) (consistency) is shown beside it. CV = root-mean-square of each target's SD/mean; "
        "within SD is pooled over targets.</p>"
    )
    cols = [("region", "region"), ("metric", "metric"), ("targets", "targets"), ("captures_per_target", "captures each"),
            ("mean", "mean"), ("within_sd", "within SD"), ("cv_pct", "CV %"), ("icc_2_1", "ICC(2,1)"), ("icc_3_1", "ICC(3,1)")]
    body.append(_table(rep_df, cols, left=("region", "metric")) if rep_df is not None and not rep_df.empty
                else "<p class='note'>No visit has two or more captures.</p>")
    body.append("<h2>Per-subject verdicts</h2>")
    body.append(
        f"<p class='note'>porescope.track.change's rule, the same as the history store's: each change gets the interval "
        f"Δ ± {Z95:.2f}·√(noise<sub>baseline</sub>² + noise<sub>visit</sub>²); entirely below 0 = improved, entirely above 0 = worse, "
        "otherwise no detectable change. The noise (1 SD) of a visit comes from its repeat captures when it has ≥ 2 (their SD, "
        "divided by √n because the visit's value is their mean), else from re-analyzing its one photo under re-capture changes "
        "(exposure ×0.8/×1.2, warmer and cooler light, JPEG, 5° rotation, camera distance ±15%, sensor noise); never below the "
        "noise floor (2% of the value).</p>"
    )
    if change_df is not None and not change_df.empty and "verdict" in change_df:

        missing = change_df[change_df["verdict"] == BASELINE_MISSING]
        if not missing.empty:
            names = ", ".join(sorted(dict.fromkeys(f"{r.subject} (baseline {r.baseline_visit})" for r in missing.itertuples())))
            body.append(f"<p class='note'><strong>Baseline missing</strong> — no measurable photo at the first visit, so these "
                        f"subjects have no change and are left out of every statistic: {esc(names)}. No later visit was used "
                        "in its place.</p>")
        change_df = change_df[change_df["verdict"] != BASELINE_MISSING]
    if change_df is not None and not change_df.empty:
        counts = change_df.groupby(["arm", "visit", "metric", "verdict"]).size().unstack("verdict", fill_value=0).reset_index()
        cols = [("arm", "arm"), ("visit", "visit"), ("metric", "metric")] + [
            (c, c.replace("_", " ")) for c in counts.columns if c not in ("arm", "visit", "metric")]
        body.append(_table(counts, cols, left=("arm", "visit", "metric")))
        body.append("<p class='note'>Full table: change.csv.</p>")
    body.append("<h2>Photos that failed</h2>")
    import pandas as pd

    body.append(_table(pd.DataFrame(errors), [("line", "line"), ("subject", "subject"), ("visit", "visit"), ("capture", "capture"),
                                              ("image", "image"), ("error", "error")], left=("subject", "visit", "image", "error")))
    run = info.get("run") or {}
    if run:
        keep = [("photos", "photos"), ("skipped_finished", "already finished (skipped)"), ("analyzed", "analyzed in this run"),
                ("failed", "failed"), ("wall_seconds", "wall time of this run (s)"), ("n_workers", "Dask workers"),
                ("bytes_per_image", "bytes shipped per photo"), ("mode", "mode"), ("sensitivity", "sensitivity"),
                ("perturb", "perturbed re-analyses (single-capture visits)"), ("memory_limit", "memory limit per local worker")]
        cells = "".join(f"<tr><th class='l'>{esc(t)}</th><td>{_fmt(run.get(k))}</td></tr>" for k, t in keep if run.get(k) is not None)
        body.append(f"<h2>Run</h2><table>{cells}</table>")
    body.append("<p class='note'>Cosmetic research measurements, not a diagnosis.</p>")
    doc = (f"<!doctype html><html><head><meta charset='utf-8'><title>porescope study report</title><style>{CSS}</style></head>"
           f"<body>{''.join(body)}</body></html>")
    Path(path).write_text(doc, encoding="utf-8")
