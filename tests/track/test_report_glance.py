"""Issue 22, reports that can be read: the compact comparison, trend plots with room around the points
and the no-change band, readable dates, and pages filled before a picture moves on."""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime

import numpy as np
import pytest
from history_helpers import add_visit, photo, worse_spec

from porescope.track import Store
from porescope.track.report import _text_pages, build_report, pdf_blocks, render_html, trend_limits


@pytest.fixture(scope="module")
def rep(tmp_path_factory):
    d = tmp_path_factory.mktemp("glance-rep")
    s = Store(str(d / "h.db"), data_dir=d)
    add_visit(s, photo(d / "a.jpg"), "ada", taken_at=datetime(2026, 1, 1), condition={"cleansed": "yes"}, mode="closeup")
    add_visit(s, photo(d / "b.jpg", exposure=1.05), "ada", taken_at=datetime(2026, 2, 1), condition={"cleansed": "yes"}, mode="closeup")
    add_visit(s, photo(d / "c.jpg", worse_spec()), "ada", taken_at=datetime(2026, 3, 15), condition={"cleansed": "no"}, mode="closeup")
    yield build_report(s, "ada")
    s.close()


def test_trend_plots_show_points_and_band_with_room_around_them(rep):
    """The issue's PDF: every plot entirely grey (the band filled the axis). Now the band and the points
    sit inside the axis with room either side."""
    assert rep.trends is not None
    rep.trends.canvas.draw()
    banded = 0
    for ax in rep.trends.axes:
        lo, hi = ax.get_ylim()
        ys = np.concatenate([line.get_ydata() for line in ax.get_lines() if line.get_marker() == "o"])
        assert lo < ys.min() and ys.max() < hi
        axis = ax.get_window_extent()
        for band in ax.patches:  # axhspan: the no-change band
            box = band.get_window_extent()
            assert box.height <= 0.75 * axis.height, "the band fills the axis"
            assert box.y0 > axis.y0 and box.y1 < axis.y1  # room below and above it
            banded += 1
    assert banded >= 2


def test_trend_limits_leave_room():
    lo, hi = trend_limits([10, 11], 8, 12)
    assert lo < 8 and hi > 12 and (12 - 8) / (hi - lo) < 0.75
    lo, hi = trend_limits([5.0])
    assert lo < 5 < hi


def test_trend_dates_are_the_visits_in_words(rep):
    rep.trends.canvas.draw()
    labels = {t.get_text() for ax in rep.trends.axes for t in ax.get_xticklabels() if t.get_text()}
    assert labels == {"01 Jan\n2026", "01 Feb\n2026", "15 Mar\n2026"}, labels


def test_pdf_pages_are_filled_before_a_picture_moves_on(rep):
    pages = _text_pages(pdf_blocks(rep))
    assert 2 <= len(pages) <= 3
    for fig in pages[:-1]:
        lowest = min([t.get_position()[1] for t in fig.texts] + [ax.get_position().y0 for ax in fig.axes])
        assert lowest < 0.3, f"a page ends at {lowest:.2f} of its height"
    pictures = [ax for fig in pages for ax in fig.axes]
    assert len(pictures) == 2  # first/latest side by side, and the trends


def test_pdf_and_html_show_the_compact_comparison_once(rep):
    c = rep.comparison
    blocks = pdf_blocks(rep)
    table = next(text for style, text in blocks if style == "mono")
    assert "95% interval" in table and re.search(r"^photo\s+visibility\s", table, re.M)
    texts = " ".join(t for style, t in blocks if isinstance(t, str))
    assert c.summary not in texts and "perturbation" not in texts and "re-measuring each photo" in texts
    page = htmllib.unescape(render_html(rep))
    assert c.summary not in page and "perturbation" not in page
    assert page.count("<details>") == 1 and "More: pores, elongation, dark share" in page
    assert re.search(r"<td>visibility</td><td class=\"num\">[\d.]+ → [\d.]+</td>", page)
    # On a phone the trend plots come one panel a row (readable at 390 px), on wider screens two.
    assert re.search(r'<picture><source media="\(max-width: 640px\)" srcset="data:image/png;base64,', page)
    for raw in re.findall(r"\d+\.\d{4,}", page):
        pytest.fail(f"an unrounded number in the report: {raw}")


def test_trend_axis_never_stretches_below_what_the_metric_can_be():
    lo, hi = trend_limits([3.3, 6.9], -23.0, 30.0)  # a wide band around a small score
    assert -0.05 * 30 <= lo < 0 and hi > 30  # a sliver under 0, so a point at 0 is not on the frame
    assert trend_limits([3.3, 6.9], -23.0, 30.0, floor=None)[0] < -23
