"""One table of metric and region names that every shell reads (porescope.labels), one plotting helper
(porescope.plots), and reports rendered through autoescaped Jinja templates shipped as package data (issue 14)."""

from __future__ import annotations

import ast
import base64
import fnmatch
import html as htmllib
import re
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from history_helpers import add_visit, photo, worse_spec
from typer.testing import CliRunner

from porescope import plots
from porescope.cli import app
from porescope.glossary import find
from porescope.labels import METRICS, metric, metric_label, metric_short, metric_words, region_name
from porescope.track import Store
from porescope.track.models import KEY_METRICS

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "porescope"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("labels")
    s = Store(str(d / "h.db"))
    add_visit(s, photo(d / "a.jpg"), "lee", taken_at=datetime(2026, 1, 1), mode="closeup")
    add_visit(s, photo(d / "b.jpg", worse_spec()), "lee", taken_at=datetime(2026, 2, 20), mode="closeup")
    return s, str(d / "h.db")


def test_every_compared_metric_has_one_label_and_a_glossary_term():
    assert [m.key for m in METRICS] and {m.key for m in METRICS} == set(KEY_METRICS)
    for key in KEY_METRICS:
        m = metric(key)
        assert m in METRICS and m.label and m.words, key
        assert find(m.term) is not None and find(m.term).key == m.term, key
    assert metric_label("visibility_score") == "Visibility score (0-100)"
    assert metric_label("density", {"per_cm2"}) == "Pore density (pores/cm²)"
    assert metric_label("density", {"per_mpx"}) == "Pore density (pores/MP)"
    assert "mixed" in metric_label("density", {"per_cm2", "per_mpx"})
    assert region_name("frame") == "photo" and region_name("left_cheek") == "left cheek"


def test_no_module_keeps_its_own_metric_names():
    """A dict literal naming a compared metric in words anywhere but porescope.labels is a second table."""
    found = []
    for f in SRC.rglob("*.py"):
        if f == SRC / "labels.py":
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values):
                    if isinstance(k, ast.Constant) and k.value in KEY_METRICS and isinstance(v, ast.Constant) \
                            and isinstance(v.value, str):
                        found.append(f"{f.relative_to(SRC)}:{node.lineno} {k.value!r}: {v.value!r}")
    assert not found, found


def test_change_summary_cli_web_and_report_name_metrics_alike(store):
    store, db = store
    from porescope.track.report import build_report, render_html
    from porescope.web.trends import trend_svgs

    c = store.compare("lee")
    vis = next(m for m in c.changes if m.metric == "visibility_score")
    # The change summary (shown by the CLI, the web compare page and the report) ...
    assert f"{region_name(vis.region)}: {metric_words('visibility_score')} " in c.summary
    # ... the CLI's compact rows (issue 22: every metric with --all, named from porescope.labels) ...
    r = CliRunner().invoke(app, ["history", "compare", "--subject", "lee", "--all", "--db", db])
    assert r.exit_code == 0, r.output
    units = {r.density_unit for v in store.visits("lee") for r in v.regions}
    for m in c.changes:
        assert re.search(rf"^\S*\s+{re.escape(metric_short(m.metric, next(iter(units))))}\s", r.output, re.M), m.metric
    assert re.search(rf"^{region_name('frame')}\s", r.output, re.M)
    # ... the history report's table and its trend figure ...
    rep = build_report(store, "lee")
    page = htmllib.unescape(render_html(rep))
    for m in c.changes:
        assert f"<td>{metric_short(m.metric, next(iter(units)))}</td>" in page, m.metric
    titles = {ax.get_title() for ax in rep.trends.axes}
    assert f"{region_name('frame')}: {metric_label('visibility_score')}" in titles
    assert f"{region_name('frame')}: {metric_label('density', units)}" in titles
    # ... and the web page's hand-drawn SVG trends.
    web = {t["key"]: t["title"] for t in trend_svgs(store.visits("lee"))}
    assert web["visibility_score"] == metric_label("visibility_score") and web["density"] == metric_label("density", units)


def test_history_report_escapes_what_it_shows(store):
    from porescope.track.report import build_report, render_html

    store, _db = store
    rep = build_report(store, "lee", compare=False)
    rep.notes = ["<script>alert(1)</script> & more"]
    html = render_html(rep)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html


def test_study_report_escapes_what_it_shows(tmp_path):
    from porescope.study.report import write_report

    out = tmp_path / "report.html"
    errors = [{"line": 7, "subject": "<b>S9</b>", "visit": "V1", "capture": 1, "image": "x.jpg",
               "error": "<img src=x onerror=alert(1)>"}]
    info = {"photos": 1, "analyzed": 0, "errors": 1, "not_measurable": 0, "pores": 0, "run": {"mode": "<i>closeup</i>"}}
    write_report(out, regions_df=None, change_df=None, paired_df=None, arms_df=None, rep_df=None, metrics=[],
                 errors=errors, info=info)
    html = out.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<b>S9" not in html and "<i>closeup" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;S9&lt;/b&gt;" in html
    assert "No photo could be analyzed" in html and "No visit has two or more captures." in html


def test_report_templates_ship_as_package_data():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]["porescope"]
    templates = [p.relative_to(SRC).as_posix() for part in ("track", "study") for p in (SRC / part / "templates").iterdir()]
    assert any(t.endswith("history_report.html") for t in templates) and any(t.endswith("study_report.html") for t in templates)
    for t in templates:
        assert any(fnmatch.fnmatch(t, g) for g in globs), t


def test_plots_encode_png_and_inline_svg():
    fig = plots.new_figure(3, 2)
    ax = fig.add_subplot()
    ax.plot([0, 1], [2, 3], color=plots.COLOURS[0])
    plots.style_axes(ax, title=metric_label("coverage_pct"), ylabel="y")
    assert ax.get_title() == "Coverage (%)" and ax.title.get_fontsize() == plots.FONT_PT["title"]
    png = plots.png_bytes(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    uri = plots.data_uri(png)
    assert uri.startswith("data:image/png;base64,") and base64.b64decode(uri.split(",", 1)[1]) == png
    svg = plots.svg_text(fig)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>") and "<?xml" not in svg and "DOCTYPE" not in svg
