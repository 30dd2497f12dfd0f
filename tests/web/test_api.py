"""Web app API and pages, through FastAPI's TestClient (no browser, no network)."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
import pytest
from history_helpers import add_visit
from PIL import Image

from porescope.advise.knowledge import language
from porescope.labels import region_name
from porescope.output.render import encode_image
from porescope.testing.synth import SkinSpec, render
from porescope.track import Store

with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what FastAPI documents
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from web_helpers import ORIGIN
from web_helpers import PageClient as _Client

from porescope.web import create_app
from porescope.web.uploads import safe_label


@pytest.fixture(scope="module")
def photos():
    """Two small synthetic close-ups (the second with larger pores) as JPEG bytes."""
    a = render(SkinSpec(height=360, width=480, pore_diameter_px=(4.0, 7.0), seed=11)).rgb
    b = render(SkinSpec(height=360, width=480, pore_diameter_px=(5.0, 9.0), seed=12)).rgb
    return encode_image(a, ".jpg"), encode_image(b, ".jpg"), a


@pytest.fixture()
def store(tmp_path):
    s = Store(str(tmp_path / "history.db"), data_dir=tmp_path / "data")
    yield s
    s.close()


@pytest.fixture()
def client(store):
    with _Client(create_app(store=store)) as c:
        yield c


@pytest.fixture()
def bare_client():
    """An app whose history store is never opened (pages that don't need it)."""
    with _Client(create_app(store=None, db_url="sqlite:///:memory:")) as c:
        yield c


def _upload(client, data, name="skin.jpg", url="/analyze", **form):
    return client.post(url, files={"photo": (name, data, "image/jpeg")}, data=form, follow_redirects=False)


# ---------------------------------------------------------------- analyze


def test_analyze_page_states_limits_and_health_language(bare_client):
    r = bare_client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "40 MB" in html and "JPEG, PNG, TIFF, WebP, HEIC" in html
    assert "not a diagnosis" in html and "dermatologist" in html
    assert 'type="file"' in html and "/static/analyze.js" in html


def test_no_external_assets_in_any_page(bare_client):
    for url in ("/", "/routine", "/label", "/about"):
        html = bare_client.get(url).text
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^(https?:)?//", ref), f"{url} loads {ref} from the network"
    assert "default-src 'self'" in bare_client.get("/").headers["content-security-policy"]


def test_static_assets_are_served(bare_client):
    for name in ("app.css", "viewer.js", "analyze.js", "compare.js", "history.js", "favicon.svg"):
        r = bare_client.get(f"/static/{name}")
        assert r.status_code == 200, name
        assert len(r.content) > 100


def test_upload_redirects_to_result_with_layers(bare_client, photos):
    r = _upload(bare_client, photos[0], mode="closeup")
    assert r.status_code == 303
    loc = r.headers["location"]
    assert re.fullmatch(r"/result/[0-9a-f]{16}", loc)
    page = bare_client.get(loc)
    assert page.status_code == 200
    html = page.text
    for layer in ("photo.jpg", "pores.png", "regions.png"):
        assert f"{loc}/{layer}" in html
    assert 'id="region-table"' in html and f">{region_name('frame')}<" in html  # named as every shell names it
    assert 'id="causes"' in html
    assert 'id="dark-note"' in html  # a dark share is shown, so what it is worth is said
    assert "not a diagnosis" in html.lower() or "Cosmetic guidance" in html

    photo = bare_client.get(f"{loc}/photo.jpg")
    assert photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).size == (480, 360)
    for layer in ("pores.png", "regions.png"):
        resp = bare_client.get(f"{loc}/{layer}")
        assert resp.headers["content-type"] == "image/png"
        im = Image.open(io.BytesIO(resp.content))
        assert im.size == (480, 360)
        assert "transparency" in im.info  # a transparent layer over the photo
    pores = np.asarray(Image.open(io.BytesIO(bare_client.get(f"{loc}/pores.png").content)))
    assert (pores > 0).mean() > 0.01  # pores are drawn


def test_api_analyze_returns_schema_and_downloads(bare_client, photos):
    r = _upload(bare_client, photos[0], url="/api/analyze", mode="closeup", px_per_mm="20")
    assert r.status_code == 200
    body = r.json()
    assert body["analysis"]["schema_version"]
    assert body["analysis"]["scale"]["px_per_mm"] == 20
    assert len(body["analysis"]["pores"]) > 20
    rid = body["id"]
    j = bare_client.get(f"/result/{rid}/analysis.json")
    assert j.status_code == 200 and j.json()["source"]["width_px"] == 480
    csv = bare_client.get(f"/result/{rid}/pores.csv")
    assert csv.text.startswith("image,id,region")


def test_quality_endpoint_is_fast_and_flags_blur(bare_client, photos):
    import cv2

    ok = _upload(bare_client, photos[0], url="/api/quality")
    assert ok.status_code == 200
    assert ok.json()["verdict"] in ("ok", "ok_with_warnings")
    blurred = encode_image(cv2.GaussianBlur(photos[2], (0, 0), 4), ".jpg")
    bad = _upload(bare_client, blurred, url="/api/quality").json()
    assert bad["verdict"] == "retake"
    assert any(p["code"] == "too_blurry" for p in bad["quality"]["problems"])
    assert "reduced copy" in bad["note"]


def test_quality_endpoint_downscales_big_photos(bare_client):
    big = render(SkinSpec(height=1500, width=2000, seed=5)).rgb
    r = _upload(bare_client, encode_image(big, ".jpg"), url="/api/quality").json()
    assert (r["width_px"], r["height_px"]) == (2000, 1500)
    assert max(r["checked_width_px"], r["checked_height_px"]) <= 1280


@pytest.mark.parametrize(
    "data, name, fragment",
    [
        (b"this is not a photo", "notes.txt", "notes.txt: not an image porescope can read"),
        (b"", "empty.jpg", "empty.jpg: the file is empty"),
    ],
)
def test_bad_files_get_the_cli_one_line_error(bare_client, data, name, fragment):
    api = _upload(bare_client, data, name=name, url="/api/analyze")
    assert api.status_code == 400
    assert api.json()["error"].startswith(fragment)
    assert "\n" not in api.json()["error"]
    page = _upload(bare_client, data, name=name)
    assert page.status_code == 400
    assert fragment in page.text


def test_truncated_and_tiny_images(bare_client, photos):
    trunc = _upload(bare_client, photos[0][: len(photos[0]) // 3], name="cut.jpg", url="/api/analyze")
    assert trunc.status_code == 400 and trunc.json()["error"].startswith("cut.jpg:")
    tiny = _upload(bare_client, encode_image(np.full((20, 20, 3), 180, np.uint8), ".png"), name="tiny.png", url="/api/analyze")
    assert tiny.status_code == 400 and "too small" in tiny.json()["error"]


def test_unaccepted_format_is_refused(bare_client):
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 160, 140)).save(buf, "GIF")
    r = _upload(bare_client, buf.getvalue(), name="anim.gif", url="/api/analyze")
    assert r.status_code == 400
    assert "JPEG, PNG, TIFF, WebP or HEIC" in r.json()["error"]


def test_missing_file_field(bare_client):
    r = bare_client.post("/api/analyze", data={"mode": "auto"})
    assert r.status_code == 400 and "no photo" in r.json()["error"]


def test_upload_over_the_size_limit_is_413(photos):
    with _Client(create_app(max_upload_bytes=1024 * 1024)) as c:
        big = b"\xff\xd8" + bytes(2 * 1024 * 1024)
        r = _upload(c, big, name="huge.jpg", url="/api/analyze")
        assert r.status_code == 413
        assert "1 MB limit" in r.json()["error"]
        page = _upload(c, big, name="huge.jpg")
        assert page.status_code == 413 and "limit" in page.text


def test_streamed_upload_over_the_limit_is_413():
    """Without a Content-Length (chunked), the cap still applies while reading."""
    with _Client(create_app(max_upload_bytes=1024 * 1024)) as c:
        boundary = "XyZ"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode()

        def body():
            yield head
            for _ in range(40):
                yield bytes(64 * 1024)
            yield f"\r\n--{boundary}--\r\n".encode()

        r = c.post("/api/analyze", content=body(), headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        assert r.status_code == 413


def test_bad_scale_and_mode(bare_client, photos):
    r = _upload(bare_client, photos[0], url="/api/analyze", px_per_mm="-3")
    assert r.status_code == 400 and "positive" in r.json()["error"]
    r = _upload(bare_client, photos[0], url="/api/analyze", mode="../../etc")
    assert r.status_code == 400 and "mode must be" in r.json()["error"]


def test_result_ids_are_validated(bare_client):
    for rid in ("..%2F..%2Fetc%2Fpasswd", "0123", "zzzzzzzzzzzzzzzz", "0123456789abcdef"):
        r = bare_client.get(f"/result/{rid}")
        assert r.status_code == 404
        assert bare_client.get(f"/result/{rid}/photo.jpg").status_code == 404


def test_uploaded_filename_is_never_a_path(bare_client, photos, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = _upload(bare_client, photos[0], name="../../evil/../x.jpg", url="/api/analyze")
    assert r.status_code == 200
    assert list(tmp_path.iterdir()) == []
    assert safe_label("../../evil/x.jpg") == "x.jpg"
    assert safe_label("C:\\Users\\a\\b.png") == "b.png"
    assert safe_label("a\x00b\n.jpg") == "ab.jpg"
    assert safe_label("") == "uploaded image"


def test_old_results_are_dropped(photos):
    with _Client(create_app(results_kept=2)) as c:
        ids = [_upload(c, photos[0], url="/api/analyze", mode="closeup").json()["id"] for _ in range(3)]
        assert c.get(f"/result/{ids[0]}").status_code == 404
        assert c.get(f"/result/{ids[2]}").status_code == 200


def test_foreign_host_and_cross_site_post_are_refused(bare_client, photos):
    assert bare_client.get("/", headers={"host": "evil.example"}).status_code == 400
    r = bare_client.post("/label", data={"text": "Aqua"}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403
    ok = bare_client.post("/label", data={"text": "Aqua"}, headers={"origin": ORIGIN})
    assert ok.status_code == 200
    with _Client(create_app(allowed_hosts=None)) as open_client:
        assert open_client.get("/", headers={"host": "192.168.1.5:8000"}).status_code == 200
        assert open_client.get("/", headers={"host": "a b@c"}).status_code == 400  # still a well-formed name only


@pytest.mark.parametrize("host", [
    "evil.example@localhost", "localhost@evil.example", "evil.example", "testserver", "127.0.0.1.evil.example",
    "localhost:80@evil.example", "localhost/x", "localhost:99999", "localhost:abc", "", " localhost", "localhost\\x",
    "127.0.0.1:8000:1", "[::1]@evil", "0x7f.0.0.1", "127.1",
])
def test_host_allow_list_is_exact(bare_client, host):
    r = bare_client.get("/about", headers={"host": host})
    assert r.status_code == 400, host


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:8000", "localhost:1234", "LOCALHOST", "[::1]:8000", "[::1]"])
def test_loopback_hosts_are_answered(bare_client, host):
    assert bare_client.get("/about", headers={"host": host}).status_code == 200


def test_test_names_are_not_in_production_defaults():
    from porescope.web.security import LOOPBACK_HOSTS

    assert "testserver" not in LOOPBACK_HOSTS
    with TestClient(create_app()) as c:  # TestClient's default host is 'testserver'
        assert c.get("/about").status_code == 400


def test_state_changes_need_same_origin(bare_client):
    """Origin must be this server's own; 'null', another port, or neither Origin nor Referer is refused."""
    for headers in ({"origin": "null"}, {"origin": "http://127.0.0.1:9999"}, {"origin": "https://127.0.0.1"},
                    {"origin": "http://localhost"}, {"origin": ""}):
        r = bare_client.post("/label", data={"text": "Aqua"}, headers=headers)
        assert r.status_code == 403, headers
        assert "did not come from a porescope page" in r.text
    # No Origin at all: the Referer decides; neither: refused.
    del bare_client.headers["origin"]
    assert bare_client.post("/label", data={"text": "Aqua"}).status_code == 403
    assert bare_client.post("/label", data={"text": "Aqua"}, headers={"referer": "http://127.0.0.1:9999/x"}).status_code == 403
    assert bare_client.post("/label", data={"text": "Aqua"}, headers={"referer": ORIGIN + "/label"}).status_code == 200


def test_state_changes_need_the_session_token(bare_client, photos):
    token = bare_client.headers.pop("x-csrf-token")
    # Form field instead of header: accepted.
    ok = bare_client.post("/label", data={"text": "Aqua", "csrf_token": token})
    assert ok.status_code == 200
    for bad in ("", "0" * 64, token[:-1] + ("0" if token[-1] != "0" else "1")):
        r = bare_client.post("/label", data={"text": "Aqua", "csrf_token": bad})
        assert r.status_code == 403 and "security token" in r.text, bad
    r = _upload(bare_client, photos[0], url="/api/analyze")
    assert r.status_code == 403 and "security token" in r.json()["error"]
    # A token from another session (another cookie) does not fit this one.
    with _Client(create_app()) as other:
        other_token = other.headers["x-csrf-token"]
    assert other_token != token
    assert bare_client.post("/label", data={"text": "Aqua"}, headers={"x-csrf-token": other_token}).status_code == 403
    # A planted cookie with a made-up session id gets no valid token either.
    bare_client.cookies.clear()
    bare_client.cookies.set("porescope_session", "A" * 43)
    assert bare_client.post("/label", data={"text": "Aqua"}, headers={"x-csrf-token": token}).status_code == 403


def test_session_cookie_is_strict_and_http_only(bare_client):
    with TestClient(create_app(), base_url=ORIGIN) as c:
        cookie = c.get("/").headers["set-cookie"]
    assert "porescope_session=" in cookie and "SameSite=Strict" in cookie and "HttpOnly" in cookie and "Path=/" in cookie
    r = bare_client.get("/")
    assert "set-cookie" not in r.headers  # the session keeps its id
    assert r.headers["referrer-policy"] == "same-origin"  # own form posts keep their real Origin
    html = r.text
    for form in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S):
        assert 'name="csrf_token"' in form


def test_every_post_form_carries_the_token(client, store, photos):
    rid = _upload(client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    add_visit(store, photos[0], "tok", mode="closeup")
    token = client.headers["x-csrf-token"]
    pages = [client.get(u).text for u in ("/", "/routine", "/label", f"/result/{rid}", "/history?subject=tok")]
    forms = [f for html in pages for f in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S)]
    assert len(forms) >= 5
    for form in forms:
        assert f'name="csrf_token" value="{token}"' in form, form[:120]


# ---------------------------------------------------------------- advice pages


def test_routine_page_builds_a_routine(bare_client, photos):
    assert bare_client.get("/routine").status_code == 200
    rid = _upload(bare_client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    form = {"result": rid, "age": "34", "skin_type": "oily", "sensitive": "no", "concerns": ["visible_pores", "blackheads"],
            "sun_exposure": "moderate", "catalog": "1"}
    r = bare_client.post("/routine", data=form)
    assert r.status_code == 200
    html = r.text
    assert 'id="routine"' in html and "Morning" in html and "Evening" in html
    assert "Why:" in html and "Source:" in html
    assert "dermatologist" in html.lower()
    assert "photo you just analyzed" in html


def test_routine_pregnancy_and_bad_input(bare_client):
    r = bare_client.post("/routine", data={"pregnant": "1", "skin_type": "combination"})
    assert r.status_code == 200 and "no retinoid" in r.text.lower()
    bad = bare_client.post("/routine", data={"age": "old"})
    assert bad.status_code == 400 and "error: age must be a whole number" in bad.text
    bad = bare_client.post("/routine", data={"skin_type": "scaly"})
    assert bad.status_code == 400 and "skin_type" in bad.text


def test_label_checker(bare_client):
    assert bare_client.get("/label").status_code == 200
    r = bare_client.post("/label", data={"text": "Aqua, Niacinamide, Glycerin, Salicylic Acid, Phenoxyethanol"})
    assert r.status_code == 200
    assert 'id="report"' in r.text and "Niacinamide" in r.text
    api = bare_client.post("/api/label", data={"text": "Aqua, Salicylic Acid 2%"}).json()
    assert any(a["id"] for a in api["actives"])
    assert bare_client.post("/label", data={"text": "  "}).status_code == 400


# ---------------------------------------------------------------- history


def test_save_visit_timeline_compare_export_delete(client, store, photos):
    ids = []
    for data in photos[:2]:
        rid = _upload(client, data, url="/api/analyze", mode="closeup").json()["id"]
        r = client.post(f"/result/{rid}/save", data={"subject": "P-01", "cleansed": "yes", "makeup": "no"}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/history?subject=P-01")
        ids.append(rid)
    visits = store.visits("P-01")
    assert len(visits) == 2 and visits[0].condition == {"cleansed": "yes", "makeup": "no"}

    listing = client.get("/history")
    assert "P-01" in listing.text
    page = client.get("/history", params={"subject": "P-01"})
    assert page.status_code == 200
    assert 'id="visits"' in page.text and 'id="trends"' in page.text and "<polyline" in page.text

    cmp_page = client.get("/history/compare", params={"subject": "P-01", "a": visits[0].id, "b": visits[1].id})
    assert cmp_page.status_code == 200 and 'id="slider"' in cmp_page.text
    img = client.get(f"/history/visit/{visits[0].id}/photo.jpg")
    assert img.status_code == 200 and img.headers["content-type"] == "image/jpeg"
    aligned = client.get("/history/compare/aligned.jpg", params={"subject": "P-01", "a": visits[0].id, "b": visits[1].id})
    assert aligned.status_code == 200
    assert Image.open(io.BytesIO(aligned.content)).size == Image.open(io.BytesIO(img.content)).size
    pores = client.get(f"/history/visit/{visits[0].id}/pores.png")
    assert pores.status_code == 200

    csv = client.get("/history/export.csv", params={"subject": "P-01"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.count("\nP-01,") == 2

    # Deleting needs the typed name.
    no = client.post("/history/delete", data={"subject": "P-01", "confirm": "p-01"})
    assert no.status_code == 400 and len(store.visits("P-01")) == 2
    yes = client.post("/history/delete", data={"subject": "P-01", "confirm": "P-01"}, follow_redirects=False)
    assert yes.status_code == 303
    assert [s.name for s in store.subjects()] == []
    assert client.get("/history", params={"subject": "P-01"}).status_code == 404


def test_compare_api_returns_verdicts(client, store, photos):
    for data in photos[:2]:
        add_visit(store, data, "cmp", mode="closeup")
    v = store.visits("cmp")
    body = client.get("/api/history/compare", params={"subject": "cmp", "a": v[0].id, "b": v[1].id}).json()
    assert body["baseline_visit"] == v[0].id and body["regions"]
    assert all(m["verdict"] in ("improved", "no_detectable_change", "worse") for g in body["regions"] for m in g["metrics"])
    bad = client.get("/api/history/compare", params={"subject": "cmp", "a": v[0].id, "b": 99999})
    assert bad.status_code == 400


def test_history_ids_are_checked(client, store, photos):
    add_visit(store, photos[0], "someone", mode="closeup")
    assert client.get("/history/visit/99999/photo.jpg").status_code == 404
    assert client.get("/history/visit/..%2F..%2Fetc/photo.jpg").status_code in (404, 422)
    assert client.get("/history", params={"subject": "../../etc/passwd"}).status_code == 404
    other = client.get("/history/compare/aligned.jpg", params={"subject": "someone", "a": 1, "b": 99999})
    assert other.status_code == 404


def test_save_rejects_bad_subject_names(client, photos):
    rid = _upload(client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    r = client.post(f"/result/{rid}/save", data={"subject": "../x<script>"})
    assert r.status_code == 400 and "subject name" in r.text


def test_history_page_when_empty(client):
    r = client.get("/history")
    assert r.status_code == 200 and 'id="no-subjects"' in r.text


def test_store_opens_from_env_url(tmp_path, monkeypatch):
    monkeypatch.setenv("PORESCOPE_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    with _Client(create_app()) as c:
        assert c.get("/history").status_code == 200
    assert (tmp_path / "env.db").exists()


def test_healthz(bare_client):
    assert bare_client.get("/healthz").json()["ok"] is True


# ---------------------------------------------------------------- serve command


def test_serve_command_is_registered_and_warns_off_loopback(monkeypatch):
    import uvicorn
    from typer.testing import CliRunner

    from porescope.cli import app
    from porescope.cli.serve import is_loopback

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda web, host, port, **kw: calls.append((host, port)))
    runner = CliRunner()
    r = runner.invoke(app, ["serve", "--port", "8123"])
    assert r.exit_code == 0, r.output
    assert calls[-1] == ("127.0.0.1", 8123)
    assert "warning" not in r.output.lower()
    r = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8124"])
    assert r.exit_code == 0
    assert calls[-1] == ("0.0.0.0", 8124)
    assert "warning" in r.output.lower() and "network" in r.output.lower()
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_pages_never_promise_to_shrink_pores(client, store, photos):
    """Every page a person can reach passes the package's health-language guard."""
    rid = _upload(client, photos[0], url="/api/analyze").json()["id"]
    add_visit(store, photos[0], "lang", mode="closeup")
    add_visit(store, photos[1], "lang", mode="closeup")
    pages = [client.get(u) for u in ("/", "/about", "/history", "/label", "/routine", f"/result/{rid}")]
    pages.append(client.get("/history", params={"subject": "lang"}))
    pages.append(client.get("/history/compare", params={"subject": "lang"}))
    routine_form = {"result": rid, "skin_type": "oily", "concerns": ["visible_pores", "blackheads", "firmness"]}
    pages.append(client.post("/routine", data=routine_form))
    pages.append(client.post("/label", data={"text": "Aqua, Retinol, Salicylic Acid 2%, Niacinamide, Parfum"}))
    for r in pages:
        assert r.status_code == 200, r.url
        text = re.sub(r"<[^>]+>", " ", r.text)
        assert language.forbidden_phrases(text) == [], r.url
        assert "dermatologist" in text


def test_result_page_has_summary_and_causes_when_available(bare_client, photos):
    rid = _upload(bare_client, photos[0], url="/api/analyze").json()["id"]
    html = bare_client.get(f"/result/{rid}").text
    assert 'id="summary"' in html and "Photo: pores" in html
    assert "not available in this build" not in html


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("TIFF", ".tif"), ("WEBP", ".webp"), ("HEIF", ".heic")])
def test_accepted_formats_upload(bare_client, photos, fmt, suffix):
    if fmt == "HEIF":
        pytest.importorskip("pillow_heif")
    buf = io.BytesIO()
    Image.fromarray(photos[2]).save(buf, fmt, **({"quality": 95} if fmt in ("WEBP", "HEIF") else {}))
    q = _upload(bare_client, buf.getvalue(), name=f"skin{suffix}", url="/api/quality")
    assert q.status_code == 200, q.text
    r = _upload(bare_client, buf.getvalue(), name=f"skin{suffix}", url="/api/analyze", mode="closeup")
    assert r.status_code == 200, r.text
    rid = r.json()["id"]
    photo = bare_client.get(f"/result/{rid}/photo.jpg")  # browsers cannot show TIFF/HEIC: always sent as JPEG
    assert photo.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(photo.content)).format == "JPEG"


def test_rotated_jpeg_layers_line_up(bare_client, photos):
    """A phone JPEG with EXIF orientation 6: layers and photo share the upright size."""
    im = Image.fromarray(photos[2])
    exif = im.getexif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes())
    rid = _upload(bare_client, buf.getvalue(), url="/api/analyze", mode="closeup").json()["id"]
    photo = Image.open(io.BytesIO(bare_client.get(f"/result/{rid}/photo.jpg").content))
    pores = Image.open(io.BytesIO(bare_client.get(f"/result/{rid}/pores.png").content))
    assert photo.size == pores.size == (360, 480)
    assert photo.getexif().get(0x0112) in (None, 1)  # re-encoded upright, no orientation left to apply twice


def test_face_photo_gets_named_regions_and_region_layer(bare_client):
    from porescope.measure.face import mesh as facemesh

    if not facemesh.available():
        pytest.skip("ai-edge-litert or the face models are missing")
    from skimage import data

    png = encode_image(data.astronaut(), ".png")
    r = _upload(bare_client, png, name="astronaut.png", url="/api/analyze", mode="face")
    assert r.status_code == 200, r.text
    body = r.json()
    names = {g["name"] for g in body["analysis"]["regions"]}
    assert {"forehead", "nose", "left_cheek", "right_cheek", "chin"} <= names
    html = bare_client.get(body["page"]).text
    assert html.count('class="region-label"') >= 5 and "left cheek" in html
    layer = np.asarray(Image.open(io.BytesIO(bare_client.get(body["layers"]["regions"]).content)))
    assert (layer == 1).sum() > 100  # yellow region boundaries drawn


def test_too_many_pixels_is_413(bare_client):
    buf = io.BytesIO()
    Image.new("L", (11_000, 10_000), 170).save(buf, "PNG", compress_level=1)
    r = _upload(bare_client, buf.getvalue(), name="huge.png", url="/api/analyze")
    assert r.status_code == 413
    assert "MP limit" in r.json()["error"] and r.json()["error"].startswith("huge.png:")


def test_quick_check_reports_low_resolution_at_full_size(bare_client, photos):
    r = _upload(bare_client, photos[0], url="/api/quality", px_per_mm="3").json()
    codes = [p["code"] for p in r["quality"]["problems"]]
    assert codes.count("pores_too_small_to_resolve") == 1
    r = _upload(bare_client, photos[0], url="/api/quality", px_per_mm="30").json()
    assert "pores_too_small_to_resolve" not in [p["code"] for p in r["quality"]["problems"]]


@pytest.mark.parametrize("stage", ["porescope.track", "porescope.advise.routine", "porescope.advise.profile",
                                   "porescope.advise.ingredients", "porescope.output.explain", "porescope.measure.causes",
                                   "porescope.glossary", "porescope.measure.pipeline", "porescope.measure.register"])
def test_a_broken_stage_is_an_import_error_not_a_fallback_page(stage):
    """Every stage ships with the web app: a stage that cannot be imported stops the app from loading
    (no page quietly saying 'not available')."""
    import subprocess
    import sys

    code = (f"import sys; sys.modules[{stage!r}] = None\n"
            "try:\n    import porescope.web\nexcept ImportError as exc:\n    print('ImportError', exc)\n"
            "else:\n    print('imported')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.startswith("ImportError") and stage in out.stdout, out.stdout


_IMPORT_STATE = """
import logging, os, pkgutil, sys, threading, warnings
import PIL.Image as Image
import porescope.measure.causes, porescope.track.change, porescope.output.explain, porescope.glossary, porescope.track, porescope.advise.ingredients
import porescope.measure.io, porescope.measure.pipeline, porescope.measure.pores.detect, porescope.advise.profile, porescope.measure.quality
import porescope.output.render, porescope.results, porescope.advise.routine

def snapshot():
    mask = os.umask(0o22)
    os.umask(mask)
    return (Image.MAX_IMAGE_PIXELS, sorted(Image.OPEN), sorted(Image.SAVE), mask, list(logging.root.handlers),
            logging.root.level, list(warnings.filters), threading.active_count(), sorted(os.environ))

before = snapshot()
import porescope.web
names = sorted(m.name for m in pkgutil.walk_packages(porescope.web.__path__, "porescope.web."))
for name in names:
    __import__(name)
print(len(names), before == snapshot())
"""


def test_importing_the_web_app_changes_no_global_state():
    """Importing every module of porescope.web (after the stages it uses) leaves Pillow's limits and
    formats, the umask, logging, warnings, threads and the environment as they were."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _IMPORT_STATE], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    n, same = out.stdout.split()
    assert int(n) >= 15 and same == "True", out.stdout


def test_a_store_that_cannot_be_opened_says_why(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with _Client(create_app(db_url=f"sqlite:///{blocker / 'sub' / 'h.db'}")) as c:
        page = c.get("/history")
        assert page.status_code == 503 and "History store cannot be opened" in page.text
        api = c.get("/api/history/visits", params={"subject": "x"})
        assert api.status_code == 503 and api.json()["error"]
        assert "not available in this build" not in page.text + api.text


def test_subject_names_with_reserved_characters_round_trip(client, store, photos):
    add_visit(store, photos[0], "a&b/c?d", mode="closeup", condition={"note": "<script>x</script>"}, lighting="<i>lamp</i>")
    listing = client.get("/history").text
    assert "/history?subject=a%26b%2Fc%3Fd" in listing
    page = client.get("/history", params={"subject": "a&b/c?d"})
    assert page.status_code == 200 and "a&amp;b/c?d" in page.text
    assert "<script>x" not in page.text and "&lt;script&gt;x&lt;/script&gt;" in page.text
    assert "&lt;i&gt;lamp&lt;/i&gt;" in page.text


# ---------------------------------------------------------------- fuzz: no 5xx from user input

_FUZZ_VALUES = [
    "0", "-1", "1", "99999999999999999999", "9223372036854775808", "-9223372036854775809", "1e400", "NaN", "abc",
    "..%2F..%2Fetc%2Fpasswd", "%00", "a%00b", "%ff%fe", "'; DROP TABLE visits; --", "<script>alert(1)</script>",
    "%F0%9F%98%80" * 40, "x" * 5000, " ", "0123456789abcdef", "%0d%0aSet-Cookie:%20x=1",
]
_FUZZ_BODIES = [
    {},
    {"data": {"subject": "%00\x00", "confirm": "x" * 300, "text": "\x00" * 10, "mode": "../../x", "px_per_mm": "1e309",
              "age": "99999999999999999999", "concerns": ["nope"], "result": "zz", "csrf_token": "x"}},
    {"content": b"\x00\xff" * 100, "headers": {"content-type": "application/octet-stream"}},
    {"content": b'{"a": 1}', "headers": {"content-type": "application/json"}},
    {"content": b"--x\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=x"}},
    {"content": b"a=%zz&b", "headers": {"content-type": "application/x-www-form-urlencoded"}},
    {"content": b"", "headers": {"content-type": "multipart/form-data"}},
    {"files": {"photo": ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="9999999" height="9999999"/>', "image/svg+xml")}},
    {"files": {"photo": ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "image/jpeg")}, "data": {"px_per_mm": "-0"}},
]


def _fuzz_paths(app):
    """Every route (path, method, query parameters), from the app's OpenAPI description (public on every FastAPI)."""
    for path, ops in app.openapi()["paths"].items():
        for method, op in ops.items():
            yield path, [method.upper()], [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]


def test_no_5xx_from_any_route_or_parameter(client, store, photos):
    """Every route, every parameter: odd values, wrong methods, wrong bodies. A 5xx fails."""
    add_visit(store, photos[0], "fz", mode="closeup")
    add_visit(store, photos[1], "fz", mode="closeup")
    rid = _upload(client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    failures = []

    def check(method, url, **kw):
        r = client.request(method, url, **kw)
        if r.status_code >= 500:
            failures.append(f"{method} {url[:120]} {str(kw)[:80]} -> {r.status_code} {r.text[:120]}")

    paths = list(_fuzz_paths(client.app))
    assert len(paths) >= 20
    for path, methods, query in paths:
        params = re.findall(r"{(\w+)}", path)
        for value in _FUZZ_VALUES + ([rid] if "rid" in params else []):
            url = path
            for p in params:
                url = url.replace("{" + p + "}", value)
            qs = "&".join(f"{q}={value}" for q in query)
            full = url + ("?" + qs if qs else "")
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"):
                check(method, full)
            if "POST" in methods:
                for body in _FUZZ_BODIES:
                    check("POST", full, **body)
        # Each query parameter alone, with the others valid.
        for q in query:
            for value in _FUZZ_VALUES:
                good = {"subject": "fz", "a": "1", "b": "2", "max_side": "500", "result": rid}
                good[q] = value
                url = re.sub(r"{\w+}", "1", path)
                check("GET", url + "?" + "&".join(f"{k}={v}" for k, v in good.items() if k in query))
    # The session and origin checks themselves, fuzzed.
    for origin in ("null", "", "http://", "http://[", b"\x00", b"http://\xff", "http://127.0.0.1:99999"):
        check("POST", "/label", data={"text": "Aqua"}, headers={"origin": origin})
    for token in ("é" * 64, b"\xff" * 64, "", "x" * 10_000):  # odd tokens, by header and by form field
        check("POST", "/label", data={"text": "Aqua"}, headers={"x-csrf-token": token.encode() if isinstance(token, str) else token})
        if isinstance(token, str):
            check("POST", "/label", data={"text": "Aqua", "csrf_token": token}, headers={"x-csrf-token": "no"})
    for cookie in (b"porescope_session=\xff\xfe", "porescope_session=" + "A" * 5000, "porescope_session", ";;=;",
                   "a=b; porescope_session=="):
        check("GET", "/", headers={"cookie": cookie})
        check("POST", "/label", data={"text": "Aqua"}, headers={"cookie": cookie})
    for host in ("[", "]:80", "[::1", b"\xff", "a" * 300):
        check("GET", "/", headers={"host": host})
    assert failures == []


# ---------------------------------------------------------------- bounded memory, one error path


def _png_bomb(w=10_000, h=10_000) -> bytes:
    """A tiny PNG whose header declares w x h pixels (one grey row, repeated by zlib)."""
    buf = io.BytesIO()
    Image.new("L", (w, h), 170).save(buf, "PNG", compress_level=9)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return _png_bomb()


def test_pixel_bomb_is_refused_from_the_header(bare_client, bomb, monkeypatch):
    from PIL import ImageFile

    decoded = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im, *a, **k: decoded.append(im.size) or real_load(im, *a, **k))
    assert len(bomb) < 200_000
    for url in ("/api/analyze", "/api/quality"):
        r = _upload(bare_client, bomb, name="bomb.png", url=url)
        assert decoded == [], url  # refused from the header: not one pixel decoded
        assert r.status_code == 413, url
        assert r.json()["error"].startswith("bomb.png: 10000x10000 is 100 MP, above the web app's 24 MP limit")
    page = _upload(bare_client, bomb, name="bomb.png")
    assert page.status_code == 413 and "above the web app&#39;s 24 MP limit" in page.text


@pytest.mark.parametrize("kind", ["truncated", "svg", "gif", "tiny", "empty", "text", "bomb", "cli_limit"])
def test_quick_check_and_analysis_give_the_same_error(bare_client, photos, kind):
    data = {
        "truncated": photos[0][: len(photos[0]) // 3],
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"><rect width="10" height="10"/></svg>',
        "gif": None, "tiny": encode_image(np.full((20, 20, 3), 180, np.uint8), ".png"), "empty": b"", "text": b"hello",
        "bomb": None, "cli_limit": None,
    }[kind]
    if kind == "gif":
        buf = io.BytesIO()
        Image.new("RGB", (300, 300), (200, 160, 140)).save(buf, "GIF")
        data = buf.getvalue()
    elif kind == "bomb":
        data = _png_bomb(8000, 4000)
    elif kind == "cli_limit":
        data = _png_bomb(11_000, 10_000)
    quick = _upload(bare_client, data, name="f.jpg", url="/api/quality")
    full = _upload(bare_client, data, name="f.jpg", url="/api/analyze")
    assert quick.status_code == full.status_code and quick.status_code in (400, 413)
    assert quick.json()["error"] == full.json()["error"]
    assert quick.json()["error"].startswith("f.jpg: ") and "\n" not in quick.json()["error"]


def test_big_jpeg_is_analyzed_reduced_and_says_so(photos):
    with _Client(create_app(web_max_pixels=100_000)) as c:  # the 480x360 photo is 173k px: decoded at 1/2
        r = _upload(c, photos[0], url="/api/analyze", mode="closeup", px_per_mm="20")
        assert r.status_code == 200, r.text
        body = r.json()
        assert "1/2 size (240×180 px)" in body["note"] and "porescope analyze" in body["note"]
        assert (body["analysis"]["source"]["width_px"], body["analysis"]["source"]["height_px"]) == (240, 180)
        assert body["analysis"]["scale"]["px_per_mm"] == 10  # the scale follows the reduction
        html = c.get(body["page"]).text
        assert 'id="reduced"' in html and "480×360" in html
        photo = Image.open(io.BytesIO(c.get(body["layers"]["photo"]).content))
        assert photo.size == (240, 180)  # the photo layer matches the analysis, not the upload
        saved = c.post(f"{body['page']}/save", data={"subject": "x"})
        assert saved.status_code == 413 and "porescope history add" in saved.text
        png = _upload(c, encode_image(photos[2], ".png"), name="big.png", url="/api/analyze")
        assert png.status_code == 413 and "above the web app's 0 MP limit" not in png.json()["error"]
        assert "save it as JPEG" in png.json()["error"]


def test_big_progressive_jpeg_is_refused_not_decoded(photos):
    buf = io.BytesIO()
    Image.fromarray(photos[2]).save(buf, "JPEG", progressive=True)
    with _Client(create_app(web_max_pixels=100_000)) as c:
        for url in ("/api/analyze", "/api/quality"):
            r = _upload(c, buf.getvalue(), name="prog.jpg", url=url)
            assert r.status_code == 413 and "progressive JPEG cannot be decoded reduced" in r.json()["error"], url


def test_result_cache_is_bounded_in_bytes(photos):
    with _Client(create_app(results_kept=10, results_max_bytes=1)) as c:
        ids = [_upload(c, photos[0], url="/api/analyze", mode="closeup").json()["id"] for _ in range(3)]
        # Over the byte budget only the newest result stays (one is always kept to show it).
        assert [c.get(f"/result/{i}").status_code for i in ids] == [404, 404, 200]
        assert len(c.app.state.web.results) == 1
    with _Client(create_app(results_kept=10)) as c:
        ids = [_upload(c, photos[0], url="/api/analyze", mode="closeup").json()["id"] for _ in range(3)]
        assert [c.get(f"/result/{i}").status_code for i in ids] == [200, 200, 200]
        assert 0 < c.app.state.web.results.nbytes() <= c.app.state.web.results.max_bytes


def test_layers_drawn_ahead_free_the_big_arrays(bare_client, photos):
    rid = _upload(bare_client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    res = bare_client.app.state.web.results.get(rid)
    bare_client.app.state.web.background.submit(lambda: None).result(timeout=30)  # the prerender job ran before this one
    assert res.labels is None and res.rgb is None
    assert set(res._layers) == {"photo", "pores", "regions"}
    assert bare_client.get(f"/result/{rid}/pores.png").status_code == 200


def test_too_large_upload_gets_the_styled_analyze_page():
    with _Client(create_app(max_upload_bytes=1024 * 1024)) as c:
        r = _upload(c, b"\xff\xd8" + bytes(2 * 1024 * 1024), name="huge.jpg")
        assert r.status_code == 413
        assert '<link rel="stylesheet" href="/static/app.css">' in r.text and 'id="analyze-form"' in r.text
        assert "error: the upload is larger than the 1 MB limit" in r.text
        q = _upload(c, b"\xff\xd8" + bytes(2 * 1024 * 1024), name="huge.jpg", url="/api/quality")
        assert q.status_code == 413
        assert q.json()["error"] == "the upload is larger than the 1 MB limit; export a smaller JPEG or crop the skin area."


# ---------------------------------------------------------------- notices by code


def test_notices_are_chosen_by_code_not_copied_from_the_address(client, store, photos):
    add_visit(store, photos[0], "nn", mode="closeup")
    other = add_visit(store, photos[0], "other", mode="closeup")
    listing = client.get("/history", params={"deleted": "Mallory's data", "n": "999", "notice": "<b>hi</b>"}).text
    listing = re.sub(r'"[0-9a-f]{64}"', '""', listing)  # the session's random CSRF token may hold "999"
    assert "Mallory" not in listing and "999" not in listing and "hi</b>" not in listing and 'id="deleted"' not in listing
    assert 'id="deleted"' in client.get("/history", params={"notice": "deleted"}).text
    v = store.visits("nn")[0]
    page = client.get("/history", params={"subject": "nn", "notice": "saved", "visit": str(v.id)}).text
    assert f"Saved the visit of {v.taken_at:%Y-%m-%d %H:%M}" in page
    for visit in (str(other.id), "abc", "99999999999999999999999"):  # another subject's visit, junk: no notice
        page = client.get("/history", params={"subject": "nn", "notice": "saved", "visit": visit}).text
        assert 'id="saved"' not in page
    # The redirects themselves use codes.
    rid = _upload(client, photos[0], url="/api/analyze", mode="closeup").json()["id"]
    r = client.post(f"/result/{rid}/save", data={"subject": "nn"}, follow_redirects=False)
    assert re.fullmatch(r"/history\?subject=nn&notice=saved&visit=\d+", r.headers["location"])
    r = client.post("/history/delete", data={"subject": "nn", "confirm": "nn"}, follow_redirects=False)
    assert r.headers["location"] == "/history?notice=deleted"


# ---------------------------------------------------------------- compare view pictures


def test_history_pictures_decode_reduced(tmp_path, monkeypatch):
    """A stored 4:3 JPEG shown at 700 px decodes at libjpeg's 1/2 scale, not full size."""
    from PIL import ImageFile

    from porescope.web import uploads

    rgb = render(SkinSpec(height=1200, width=1600, seed=4)).rgb
    path = tmp_path / "v.jpg"
    path.write_bytes(encode_image(rgb, ".jpg"))
    sizes = []
    real_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda im, *a, **k: sizes.append(im.size) or real_load(im, *a, **k))
    out = uploads.decode_display(path, 700)
    assert out.shape == (525, 700, 3)
    assert sizes and sizes[0] == (800, 600)


def test_compare_pictures_are_cached_and_prepared_on_save(client, store, photos):
    from porescope.web.pictures import COMPARE_MAX_SIDE_PX

    for data in photos[:2]:
        rid = _upload(client, data, url="/api/analyze", mode="closeup").json()["id"]
        assert client.post(f"/result/{rid}/save", data={"subject": "pic"}, follow_redirects=False).status_code == 303
    client.app.state.web.background.submit(lambda: None).result(timeout=60)  # the save's picture job has run
    v = store.visits("pic")
    kinds = sorted(k[0] for k in client.app.state.web.pictures.keys())
    assert kinds == ["aligned", "visit", "visit"]  # ready before anyone opens the compare page
    params = {"subject": "pic", "a": v[0].id, "b": v[1].id}
    first = client.get("/history/compare/aligned.jpg", params=params)
    again = client.get("/history/compare/aligned.jpg", params=params)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.headers["x-porescope-alignment"] == again.headers["x-porescope-alignment"]
    assert max(Image.open(io.BytesIO(first.content)).size) <= COMPARE_MAX_SIDE_PX
    assert len(client.app.state.web.pictures.keys()) == 3  # served from the cache, nothing new made


def test_trend_legend_names_are_whole_text_not_clipped_svg(client, store, photos):
    add_visit(store, photos[0], "tl", mode="closeup")
    add_visit(store, photos[1], "tl", mode="closeup")
    html = client.get("/history", params={"subject": "tl"}).text
    legends = re.findall(r'<ul class="trend-legend">(.*?)</ul>', html, re.S)
    name = region_name("frame")
    assert len(legends) >= 1 and all(f"</i>{name}</li>" in x for x in legends)
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):  # no region names squeezed into the plot's margin
        assert f">{name}<" not in svg


def test_result_page_of_a_photo_that_does_not_resolve_pores_shows_no_size_shape_or_cause_from_them(bare_client):
    # A JPEG copy of the shipped sample, shrunk 4x and enlarged back, given 10 px/mm: the CLI's table said n/a
    # for size, length/width and dark share, but the web's table printed numbers for them.
    from pathlib import Path

    import cv2

    sample = Path(__file__).resolve().parents[2] / "src" / "porescope" / "data" / "sample_closeup.jpg"
    rgb = cv2.imread(str(sample))
    h, w = rgb.shape[:2]
    copy = cv2.resize(cv2.resize(rgb, (w // 4, h // 4), interpolation=cv2.INTER_AREA), (w, h), interpolation=cv2.INTER_CUBIC)
    data = cv2.imencode(".jpg", copy, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()
    r = _upload(bare_client, data, mode="closeup", px_per_mm="10")
    assert r.status_code == 303
    html = bare_client.get(r.headers["location"]).text
    assert "2 cycles per mm" in html  # the problem is shown
    table = html[html.index('id="region-table"'):]
    body = table[table.index("<tbody>"):]
    row = body[:body.index("</tr>")]
    cells = re.findall(r'<td class="num">(.*?)</td>', row, flags=re.S)
    # pores, faint, density, median area, coverage, length/width, dark share, visibility
    assert [c.strip() for c in cells[:4]] == ["n/a"] * 4 and cells[5].strip() == "n/a" and cells[6].strip() == "n/a", cells
    assert re.fullmatch(r"<b>\d+</b>", cells[7].strip()) and cells[4].strip().endswith("%")  # visibility and coverage stay
    assert "too coarse to see pore shapes (it holds " in html
    assert 'id="dark-note"' not in html  # no dark share shown, so nothing to say of it


def test_quick_check_says_what_the_files_exif_says(bare_client, photos):
    # The live check before upload read only pixels: a dim, edited or digitally zoomed photo was said so only after
    # the analysis. It now gives the same EXIF warnings as the analysis.
    from porescope.testing.phone import phone_photo

    rgb = photos[2]
    zoomed = _upload(bare_client, phone_photo(rgb, iso=800, digital_zoom=2.0, software="Facetune2 2.34.1"), url="/api/quality").json()
    codes = {p["code"] for p in zoomed["quality"]["problems"]}
    assert {"digital_zoom", "low_light", "edited"} <= codes, codes
    analysis = _upload(bare_client, phone_photo(rgb, iso=800, digital_zoom=2.0, software="Facetune2 2.34.1"), url="/api/analyze").json()
    assert {"digital_zoom", "low_light", "edited"} <= {p["code"] for p in analysis["analysis"]["quality"]["problems"]}
    plain = _upload(bare_client, phone_photo(rgb), url="/api/quality").json()
    assert not {"digital_zoom", "low_light", "edited"} & {p["code"] for p in plain["quality"]["problems"]}
