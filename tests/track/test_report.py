"""Reports: self-contained HTML and a PDF, with honest, non-medical language."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from history_helpers import add_visit, photo, worse_spec

from porescope.results import Cause
from porescope.track import Store
from porescope.track.report import build_report, render_html, write_html, write_pdf


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("rep")
    s = Store(str(d / "h.db"))
    add_visit(s, photo(d / "a.jpg"), "vic", taken_at=datetime(2026, 1, 1), condition={"cleansed": "yes", "makeup": "no"},
        device="phone A", lighting="window", mode="closeup")
    add_visit(s, photo(d / "b.jpg", exposure=1.05), "vic", taken_at=datetime(2026, 2, 1), condition={"cleansed": "yes", "makeup": "no"}, mode="closeup")
    add_visit(s, photo(d / "c.jpg", worse_spec()), "vic", taken_at=datetime(2026, 3, 15), condition={"cleansed": "no"}, mode="closeup")
    s.save_routine("vic", {"steps": [{"step": "evening", "active": "salicylic acid 2%", "citations": ["AHRQ review, 114 patients, 12 weeks"]}]})
    s.add_product_use("vic", "BHA gel", ["salicylic acid"], start=datetime(2026, 1, 2))
    add_visit(s, photo(d / "one.jpg", seed=4), "solo", mode="closeup")
    return s


def test_html_is_self_contained_and_complete(store, tmp_path):
    rep = build_report(store, "vic")
    html = render_html(rep)
    # Self-contained: images inline, nothing fetched.
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html)
    assert html.count("data:image/jpeg;base64,") == 2  # first and latest overlays
    assert "data:image/png;base64," in html  # trend plots
    for must in ("not a diagnosis", "95% interval", "worse", "AHRQ review", "BHA gel", "makeup: no", "Trends per region", "phone A"):
        assert must in html, must
    assert "shrink" not in html.lower()
    assert rep.comparison is not None and rep.comparison.region("frame").verdict == "worse"
    out = tmp_path / "r.html"
    write_html(rep, out)
    assert out.read_text() == html


def test_pdf(store, tmp_path):
    rep = build_report(store, "vic")
    out = tmp_path / "r.pdf"
    write_pdf(rep, out)
    data = out.read_bytes()
    assert data[:5] == b"%PDF-" and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 3


def test_single_visit_report(store):
    rep = build_report(store, "solo")
    assert rep.comparison is None and rep.latest_overlay is None
    html = render_html(rep)
    assert "nothing to compare yet" in html and html.count("data:image/jpeg;base64,") == 1


def test_causes_are_shown(store):
    rep = build_report(store, "vic", compare=False)
    rep.causes = [Cause(cause="clogging", strength=0.7, evidence=["many dark pores"], care="salicylic acid helps clear the opening")]
    html = render_html(rep)
    # the cause in plain words, called likely at 0.7, with its evidence as its own sentence
    assert "Likely cause: clogged pores" in html and "Many dark pores." in html


def test_pdf_pages_share_one_size(store, tmp_path):
    rep = build_report(store, "vic")
    out = tmp_path / "r.pdf"
    write_pdf(rep, out)
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*([^\]]+)\]", out.read_bytes()))
    assert len(boxes) == 1, boxes  # A4 portrait everywhere: no landscape page, no strip


def test_pdf_heading_is_never_last_on_a_page():
    from porescope.track.report import _text_pages

    blocks = [("h1", "Title")] + [("p", "filler line " * 8)] * 58 + [("h2", "A heading"), ("small", "\n".join(f"item {i}" for i in range(40)))]
    pages = _text_pages(blocks)
    assert len(pages) >= 2
    for page in pages:
        texts = sorted(page.texts, key=lambda t: -t.get_position()[1])
        assert texts[-1].get_fontweight() != "bold", texts[-1].get_text()
    where = next(i for i, p in enumerate(pages) if any(t.get_text() == "A heading" for t in p.texts))
    assert any(t.get_text() == "item 0" for t in pages[where].texts)


def test_html_report_prints_on_one_page_size_with_headings_kept(store):
    html = render_html(build_report(store, "vic", compare=False))
    assert "@page{size:A4 portrait" in html and "break-after:avoid" in html


def test_reports_explain_their_numbers(store, tmp_path):
    import html as htmllib

    from porescope.glossary import find
    from porescope.track.report import REPORT_TERMS

    rep = build_report(store, "vic")
    page = htmllib.unescape(render_html(rep))
    for key in REPORT_TERMS:
        assert find(key).sentence in page, key


def test_band_keeps_the_compared_change_when_the_latest_visit_is_re_measured(tmp_path, real_crops):
    """Baseline: a soft-focus copy of the real cheek; latest: the photo as taken (finer detail, so the engine
    re-measures it at the baseline's detail). The plotted points are the stored values; the latest point
    lies outside the no-change band exactly when the comparison calls a change."""
    import cv2
    import numpy as np

    from porescope import plots

    rgb, _, roi = real_crops["cheek_imgleft"]
    soft, sharp = tmp_path / "soft.png", tmp_path / "sharp.png"
    cv2.imwrite(str(soft), np.ascontiguousarray(cv2.GaussianBlur(rgb, (0, 0), 1.0)[..., ::-1]))
    cv2.imwrite(str(sharp), np.ascontiguousarray(rgb[..., ::-1]))
    with Store(str(tmp_path / "h.db"), data_dir=tmp_path / "data") as s:
        add_visit(s, soft, "me", roi=roi, px_per_mm=10.0, mode="closeup", taken_at=datetime(2026, 1, 5))
        add_visit(s, sharp, "me", roi=roi, px_per_mm=10.0, mode="closeup", taken_at=datetime(2026, 3, 2))
        rep = build_report(s, "me")
    assert any("measured at visit" in n and "detail" in n for n in rep.comparison.notes), rep.comparison.notes
    checked = 0
    from porescope.track.report import TREND_METRICS

    for m in (m for m in rep.comparison.changes if m.metric in TREND_METRICS):  # the plotted metrics
        lo, hi = rep.band[f"{m.region}:{m.metric}"]
        series = plots.trend_series(rep.visits, m.metric, [m.region]).get(m.region)
        if not series:
            continue
        latest = series[-1][1]
        assert (lo <= latest <= hi) == (m.verdict == "no_detectable_change"), (m.metric, lo, latest, hi, m.verdict)
        checked += 1
    assert checked >= 1
