"""Issue 22: a visit saved from the web app gets its own cause spread from the re-analyses of its noise (the
background job the save starts, ``Store.noise``); an unsaved result says its spread is the typical one."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi")

from web_helpers import PageClient  # noqa: E402

from porescope.output.render import encode_image  # noqa: E402
from porescope.testing.synth import SkinSpec, render  # noqa: E402
from porescope.track import Store  # noqa: E402
from porescope.web import create_app  # noqa: E402


def test_saved_visit_reports_its_own_spread(tmp_path):
    st = Store(str(tmp_path / "history.db"), data_dir=tmp_path / "data")
    jpg = encode_image(render(SkinSpec(height=320, width=320, pore_diameter_px=(5.0, 9.0), elongation=(1.8, 2.4),
                                       orientation_deg=30.0, seed=5)).rgb, ".jpg")
    with PageClient(create_app(store=st)) as client:
        r = client.post("/analyze", files={"photo": ("skin.jpg", jpg, "image/jpeg")}, data={"mode": "closeup"}, follow_redirects=False)
        loc = r.headers["location"]
        page = " ".join(client.get(loc).text.split())
        assert "a typical spread (not measured on this photo)" in page and "over re-takes of this photo" not in page
        r = client.post(f"{loc}/save", data={"subject": "kim"}, follow_redirects=False)
        assert r.status_code == 303
        (visit,) = st.visits("kim")
        noise = st.noise(visit.id)  # what the save's background job runs (computed once; the job may have done it)
        assert noise.cause_strengths
        report = " ".join(client.get("/history/report.html", params={"subject": "kim", "inline": "1"}).text.split())
        assert "over re-takes of this photo" in report and "typical spread (not measured on this photo)" not in report
    st.close()
