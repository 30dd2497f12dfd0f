"""Reports laid out for a page: the study report's widest table fits a 1200 px window (real chromium)."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (run scripts/install_browser.sh)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]


def _paired_table_html() -> str:
    from porescope.study.report import CSS, _table

    rng = np.random.default_rng(0)
    rows = []
    for arm in ("niacinamide 5% serum", "vehicle"):
        for visit in ("week 4", "week 8", "week 12"):
            for region in ("left_cheek", "right_cheek", "forehead"):
                for metric in ("visibility_score", "density", "median_area_mm2"):
                    rows.append(dict(arm=arm, visit=visit, region=region, metric=metric, n=24,
                                     mean_before=rng.uniform(10, 2000), mean_after=rng.uniform(10, 2000),
                                     mean_delta=rng.normal(0, 50), ci_low=rng.normal(-80, 5), ci_high=rng.normal(80, 5),
                                     p_t=rng.uniform(1e-5, 1), p_wilcoxon=rng.uniform(1e-5, 1), d_z=rng.normal(0, 1),
                                     improved=7, no_detectable_change=12, worse=5))
    cols = [("arm", "arm"), ("visit", "visit"), ("region", "region"), ("metric", "metric"), ("n", "n"),
            ("mean_before", "baseline"), ("mean_after", "visit"), ("mean_delta", "mean Δ"), ("ci_low", "95% CI low"),
            ("ci_high", "95% CI high"), ("p_t", "p (paired t)"), ("p_wilcoxon", "p (Wilcoxon)"), ("d_z", "d_z"),
            ("improved", "improved"), ("no_detectable_change", "no detectable change"), ("worse", "worse")]
    table = _table(pd.DataFrame(rows), cols, left=("arm", "visit", "region", "metric"))
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{CSS}</style></head><body><h1>t</h1>{table}</body></html>"


def test_study_paired_table_fits_a_1200px_window(tmp_path):
    page_file = tmp_path / "study.html"
    page_file.write_text(_paired_table_html(), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.goto(page_file.as_uri())
            fit = page.evaluate(
                "() => { const t = document.querySelector('table'); const w = t.parentElement;"
                " return [t.scrollWidth, w.clientWidth, document.documentElement.scrollWidth, window.innerWidth]; }"
            )
        finally:
            browser.close()
    table_w, wrap_w, doc_w, win_w = fit
    assert table_w <= wrap_w, fit  # nothing cut or hidden behind a scroll bar
    assert doc_w <= win_w, fit
