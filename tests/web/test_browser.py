"""End-to-end tests of the web app in a real headless Chromium.

Debian's ``chromium`` (scripts/install_browser.sh) driven by the PyPI
``playwright`` package; the server is uvicorn on 127.0.0.1 on a free port in a
thread. Skipped, with the reason, when either is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time

import pytest
from history_helpers import add_visit

from porescope.output.render import encode_image
from porescope.testing.synth import SkinSpec, render

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (run scripts/install_browser.sh)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

#: True once both compare-view photos have loaded.
IMAGES_LOADED_JS = ("() => ['img-a', 'img-b'].every(id => { const i = document.getElementById(id); "
                    "return i.complete && i.naturalWidth > 0; })")
#: Flags that work on this kind of machine (checked 2026-11-26 with Debian chromium).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
#: Extra flags for the camera test: a synthetic camera, permission granted.
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """uvicorn in a background thread, stopped cleanly at the end."""

    def __init__(self, app):
        import uvicorn

        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def photo_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("photos")
    out = []
    for seed, size in ((21, (4.0, 7.0)), (22, (5.0, 9.0))):
        rgb = render(SkinSpec(height=600, width=800, pore_diameter_px=size, seed=seed)).rgb
        p = d / f"cheek-{seed}.jpg"
        p.write_bytes(encode_image(rgb, ".jpg"))
        out.append(p)
    return out


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on a free port: (base url, its history store)."""
    from porescope.track import Store
    from porescope.web import create_app

    d = tmp_path_factory.mktemp("history")
    store = Store(str(d / "h.db"), data_dir=d)
    with _Server(create_app(store=store)) as url:
        yield url, store
    if store is not None:
        store.close()


@pytest.fixture(scope="module")
def base_url(server):
    return server[0]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["camera"], origin=base_url)
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    external: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda req: external.append(req.url) if not req.url.startswith((base_url, "blob:", "data:")) else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ctx.close()
    assert external == [], f"the page fetched from outside this machine: {external}"
    assert errors == [], f"JavaScript errors: {errors}"


def _analyze(page, base_url, path) -> str:
    page.goto(base_url + "/")
    page.set_input_files("#photo", str(path))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    page.click("#analyze-btn")
    page.wait_for_url(re.compile(r".*/result/[0-9a-f]{16}$"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('img.layer')].every(i => i.complete && i.naturalWidth > 0)"
    )
    return page.url


def test_upload_shows_capture_check_and_overlay(page, base_url, photo_files):
    page.goto(base_url + "/")
    page.set_input_files("#photo", str(photo_files[0]))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    assert page.inner_text("#quality-verdict") in ("looks good", "usable, see notes")
    assert not page.is_hidden("#preview-wrap")
    page.click("#analyze-btn")
    page.wait_for_url(re.compile(r".*/result/[0-9a-f]{16}$"))
    page.wait_for_function("() => [...document.querySelectorAll('img.layer')].every(i => i.complete && i.naturalWidth > 0)")
    sizes = page.eval_on_selector_all("img.layer", "els => els.map(e => [e.naturalWidth, e.naturalHeight])")
    assert sizes == [[800, 600]] * 3
    assert page.locator("#region-table tbody tr").count() >= 1

    # Toggles hide and show the layers without a round trip.
    page.uncheck("#toggle-pores")
    assert page.is_hidden("#layer-pores")
    page.check("#toggle-pores")
    assert page.is_visible("#layer-pores")
    page.uncheck("#toggle-regions")
    assert page.is_hidden("#layer-regions")

    # Zoom and pan change the stage transform.
    before = page.eval_on_selector("#stage", "e => e.style.transform")
    page.click("#zoom-in")
    zoomed = page.eval_on_selector("#stage", "e => e.style.transform")
    assert zoomed != before
    box = page.locator("#viewer").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 240, steps=4)
    page.mouse.up()
    assert page.eval_on_selector("#stage", "e => e.style.transform") != zoomed
    page.click("#zoom-fit")


def test_bad_file_shows_one_line_error(page, base_url, tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_bytes(b"not a photo at all")
    page.goto(base_url + "/")
    page.set_input_files("#photo", str(bad))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    assert "notes.jpg: not an image porescope can read" in page.inner_text("#quality-problems")
    page.click("#analyze-btn")
    page.wait_for_selector("#error")
    assert page.inner_text("#error").startswith("error: notes.jpg: not an image porescope can read")


def test_webcam_capture_is_checked_and_analyzed(page, base_url):
    page.goto(base_url + "/")
    page.check("#use-camera")
    page.click("#start-camera")
    page.wait_for_function("() => document.getElementById('video').videoWidth > 0")
    page.wait_for_selector("#capture:not([disabled])")
    page.click("#capture")
    page.wait_for_function("() => document.getElementById('photo').files.length === 1")
    page.wait_for_selector("#quality-verdict:not(:empty)")
    page.click("#analyze-btn")
    page.wait_for_url(re.compile(r".*/result/[0-9a-f]{16}$"))
    assert page.locator("#region-table").count() == 1


def test_build_a_routine_from_a_result(page, base_url, photo_files):
    _analyze(page, base_url, photo_files[0])
    page.click("#to-routine")
    page.wait_for_selector("#routine-form")
    page.fill("input[name=age]", "29")
    page.select_option("select[name=skin_type]", "oily")
    page.check("input[name=concerns][value=blackheads]")
    page.click("#build")
    page.wait_for_selector("#routine")
    text = page.inner_text("#routine")
    assert "Morning" in text and "Evening" in text
    assert "Why:" in text and "Source:" in text
    assert "dermatologist" in text.lower()


def test_label_checker(page, base_url):
    page.goto(base_url + "/label")
    page.fill("#label-text", "Aqua, Niacinamide, Glycerin, Salicylic Acid, Phenoxyethanol")
    page.click("#check")
    page.wait_for_selector("#report")
    assert "Niacinamide" in page.inner_text("#report")


def test_save_two_visits_and_compare_them(page, base_url, photo_files):
    for path in photo_files:
        _analyze(page, base_url, path)
        page.fill("#save-form input[name=subject]", "e2e")
        page.select_option("#save-form select[name=cleansed]", "yes")
        page.click("#save-form button[type=submit]")
        page.wait_for_url(re.compile(r".*/history\?subject=e2e.*"))
    assert page.locator("#visits tbody tr").count() == 2
    assert page.locator("#trends svg").count() >= 1
    page.click("#compare-btn")
    page.wait_for_url(re.compile(r".*/history/compare\?.*"))
    page.wait_for_function(IMAGES_LOADED_JS)
    page.wait_for_selector("#comparison-body:not([hidden])", timeout=180_000)
    assert page.locator("#comparison-rows tr").count() >= 1
    page.fill("#slider", "20")
    page.dispatch_event("#slider", "input")
    assert "20%" in page.eval_on_selector("#after", "e => e.style.clipPath")

    # Delete with confirmation.
    page.goto(base_url + "/history?subject=e2e")
    page.once("dialog", lambda d: d.accept())
    page.fill("#delete-confirm", "e2e")
    page.click("#delete-btn")
    page.wait_for_selector("#deleted")


# ---------------------------------------------------------------- a hostile page on another origin


class _HostilePages:
    """A plain HTTP server on another port of this machine serving attack pages
    (another origin, but the same site: the SameSite=Strict cookie still goes)."""

    def __init__(self, pages: dict[str, str]):
        import http.server

        pages_b = {k: v.encode() for k, v in pages.items()}

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = pages_b.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("content-type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()


def _attack_pages(target: str, rid: str) -> dict[str, str]:
    """Auto-submitting forms and fetches against every state-changing route,
    each with and without 'no-referrer' (which makes Chromium send Origin: null)."""
    posts = {
        "delete": ("/history/delete", {"subject": "victim", "confirm": "victim"}),
        "routine": ("/routine", {"subject": "victim", "save": "1", "skin_type": "dry", "age": "77"}),
        "save": (f"/result/{rid}/save", {"subject": "planted"}),
        "label": ("/api/label", {"text": "Aqua"}),
    }
    pages = {}
    for name, (path, fields) in posts.items():
        for nr in (False, True):
            meta = '<meta name="referrer" content="no-referrer">' if nr else ""
            inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
            inputs += '<input type="hidden" name="csrf_token" value="guessed">'
            pages[f"/form-{name}{'-nr' if nr else ''}"] = (
                f"<!doctype html><html><head>{meta}</head><body><form id=f method=post action='{target}{path}'>{inputs}</form>"
                "<script>document.getElementById('f').submit()</script></body></html>"
            )
            fd = "".join(f"fd.append({k!r}, {v!r});" for k, v in fields.items())
            for mode in ("no-cors", "cors"):
                pages[f"/fetch-{mode}-{name}{'-nr' if nr else ''}"] = (
                    f"<!doctype html><html><head>{meta}</head><body><script>"
                    f"var fd = new FormData(); {fd} fd.append('csrf_token', 'guessed');"
                    f"fetch('{target}{path}', {{method: 'POST', body: fd, mode: '{mode}', credentials: 'include'}})"
                    ".then(function () { document.title = 'sent'; }, function () { document.title = 'sent'; });"
                    "</script></body></html>"
                )
    return pages


def test_hostile_page_on_another_origin_changes_nothing(browser, server, photo_files):
    base, store = server
    add_visit(store, photo_files[0].read_bytes(), "victim", mode="closeup")
    store.save_routine("victim", {"marker": "original"})
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        rid = _analyze(page, base, photo_files[0]).rsplit("/", 1)[1]  # the victim has a live session and a result
        assert any(c["name"] == "porescope_session" for c in ctx.cookies())
        before = ([s.name for s in store.subjects()], len(store.visits("victim")), store.routine("victim"), store.profile("victim"))
        answers = []
        page.on("response", lambda r: answers.append((r.url, r.status)) if r.url.startswith(base) and r.request.method == "POST" else None)
        with _HostilePages(_attack_pages(base, rid)) as evil:
            assert evil.split(":")[-1] != base.split(":")[-1]
            for path in _attack_pages(base, rid):
                page.goto(evil + path)
                if path.startswith("/form-"):
                    page.wait_for_url(base + "/**")
                    page.wait_for_load_state()
                    assert page.locator("#error").count() == 1 or page.locator("body").inner_text().strip(), path
                else:
                    page.wait_for_function("() => document.title === 'sent'")
        after = ([s.name for s in store.subjects()], len(store.visits("victim")), store.routine("victim"), store.profile("victim"))
        assert after == before  # nothing deleted, saved or changed
        assert "planted" not in after[0]
        posted = [status for url, status in answers]
        assert len(posted) >= 8 and set(posted) == {403}, answers
        # The same session, from the app's own pages, still works: the refusals were about the origin.
        page.goto(base + "/label")
        page.fill("#label-text", "Aqua, Niacinamide")
        page.click("#check")
        page.wait_for_selector("#report")
    finally:
        ctx.close()


# ---------------------------------------------------------------- phone layout and contrast

#: Contrast of every rendered text against what is behind it (WCAG 2 formula).
#: Backgrounds are composited up the tree; text over photos (translucent tags)
#: is checked over both a white and a black photo.
CONTRAST_JS = """
() => {
  function parse(s) {
    const m = /rgba?\\(([^)]+)\\)/.exec(s || ""); if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(parseFloat);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function over(top, under) { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); }
  function lum(c) { const v = c.slice(0, 3).map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
  function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  function backgrounds(el) {
    const layers = []; let overMedia = false;
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e); const c = parse(cs.backgroundColor);
      if (e.matches && e.matches(".viewer, .compare")) overMedia = true;
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1 && !overMedia) break; }
      if (c && c[3] >= 1 && overMedia && layers.length > 1) break;
    }
    const unders = overMedia ? [[255, 255, 255, 1], [0, 0, 0, 1]] : [[255, 255, 255, 1]];
    return unders.map(u => { let bg = u; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; });
  }
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (["SCRIPT", "STYLE", "OPTION", "TITLE", "NOSCRIPT"].includes(el.tagName)) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest("[hidden], :disabled, title")) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.display === "none" || parseFloat(cs.opacity) === 0) continue;
    const fg = parse(el instanceof SVGElement ? cs.fill : cs.color); if (!fg) continue;
    for (const bg of backgrounds(el)) {
      const r = ratio(over(fg, bg), bg);
      if (r < 4.5) out.push({ text: el.textContent.trim().slice(0, 40), tag: el.tagName,
                              cls: String(el.className.baseVal ?? el.className), color: cs.color, ratio: Math.round(r * 100) / 100 });
    }
  }
  return out;
}
"""


def _all_pages(page, base, photo_files, tmp_path):
    """Visit every page in its interesting states; yields (name, url) after each is shown."""
    page.goto(base + "/")
    page.click("details.options summary")
    page.fill("input[name=px_per_mm]", "3")  # a warning in the quick check and on the result
    page.set_input_files("#photo", str(photo_files[0]))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    yield "analyze"
    page.click("#analyze-btn")
    page.wait_for_url(re.compile(r".*/result/[0-9a-f]{16}$"))
    page.wait_for_function("() => [...document.querySelectorAll('img.layer')].every(i => i.complete && i.naturalWidth > 0)")
    yield "result"
    rid_url = page.url
    page.goto(base + "/routine?result=" + rid_url.rsplit("/", 1)[1])
    page.fill("input[name=allergies]", "fragrance, a-very-long-ingredient-name-without-any-spaces-at-all")
    page.click("#build")
    page.wait_for_selector("#routine")
    yield "routine"
    page.goto(base + "/label")
    page.fill("#label-text", "Aqua, Niacinamide, Glycerin, Salicylic Acid 2%, Retinol, Parfum, Phenoxyethanol, "
              "Hydroxypropyltetrahydropyrantriol, Butylene Glycol")
    page.click("#check")
    page.wait_for_selector("#report")
    page.click("#report details summary")
    yield "label"
    page.goto(base + "/about")
    yield "about"
    page.goto(base + "/history")
    yield "history"
    page.goto(base + "/history?subject=phone")
    yield "subject"
    page.click("#compare-btn")
    page.wait_for_url(re.compile(r".*/history/compare\\?.*"))
    page.wait_for_function(IMAGES_LOADED_JS)
    page.wait_for_selector("#comparison-body:not([hidden])", timeout=180_000)
    yield "compare"
    page.goto(base + "/result/0123456789abcdef")
    yield "error"
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(photo_files[0].read_bytes()[:3000])
    page.goto(base + "/")
    page.set_input_files("#photo", str(bad))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    yield "analyze-error"
    page.click("#analyze-btn")
    page.wait_for_selector("#error")
    yield "analyze-error-page"


@pytest.fixture(scope="module")
def phone_history(server, photo_files):
    _, store = server
    if not store.subjects() or "phone" not in [s.name for s in store.subjects()]:
        for p in photo_files:
            add_visit(store, p.read_bytes(), "phone", mode="closeup", condition={"cleansed": "yes"}, lighting="window, morning")
    return store


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_every_page_fits_and_all_text_has_contrast(browser, server, photo_files, phone_history, tmp_path, width, height):
    base, _ = server
    shots = os.environ.get("PORESCOPE_SCREENSHOTS")
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    wide, dim = [], []
    try:
        # The checks themselves can fail: the old warning colour and a too-wide block are caught.
        page.goto(base + "/about")
        page.evaluate("() => { const p = document.createElement('p'); p.id = 'probe'; p.textContent = 'warning'; "
                      "p.style.cssText = 'color: #b7791f; background: #fff; width: 600px'; "
                      "document.querySelector('main').appendChild(p); }")
        assert any(x["text"] == "warning" and 3.5 < x["ratio"] < 3.8 for x in page.evaluate(CONTRAST_JS))
        assert page.evaluate("() => document.documentElement.scrollWidth") > width or width > 600
        for name in _all_pages(page, base, photo_files, tmp_path):
            sw = page.evaluate("() => document.documentElement.scrollWidth")
            if sw > width:
                culprits = page.evaluate(f"() => [...document.querySelectorAll('body *')]"
                                         f".filter(e => e.getBoundingClientRect().right > {width} + 0.5)"
                                         ".slice(-4).map(e => e.tagName + '.' + e.className + '#' + e.id)")
                wide.append((name, sw, culprits))
            low = page.evaluate(CONTRAST_JS)
            dim += [(name, x) for x in low]
            if shots:
                page.screenshot(path=f"{shots}/{name}-{width}.png", full_page=True)
    finally:
        ctx.close()
    assert wide == [], f"pages wider than {width} px: {wide}"
    assert dim == [], f"text under 4.5:1 contrast: {dim}"


def test_quick_check_and_analysis_report_the_same_errors(page, base_url, tmp_path, photo_files):
    """A truncated JPEG, an SVG and an oversized file: the quick check says exactly what the analysis says."""
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(photo_files[0].read_bytes()[:4000])
    svg = tmp_path / "drawing.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect width="800" height="600"/></svg>')
    for path in (cut, svg):
        page.goto(base_url + "/")
        page.set_input_files("#photo", str(path))
        page.wait_for_selector("#quality-verdict:not(:empty)")
        assert page.inner_text("#quality-verdict") == "cannot read"
        quick = page.inner_text("#quality-problems").strip()
        assert quick.startswith(f"error: {path.name}: ")
        page.click("#analyze-btn")
        page.wait_for_selector("#error")
        assert page.inner_text("#error").strip() == quick, path.name
        assert page.evaluate("() => getComputedStyle(document.querySelector('.top')).display") == "flex"  # styled page


def test_quick_check_shows_the_real_size(page, base_url, tmp_path):
    big = render(SkinSpec(height=1500, width=2000, seed=9)).rgb
    p = tmp_path / "big.jpg"
    p.write_bytes(encode_image(big, ".jpg"))
    page.goto(base_url + "/")
    page.set_input_files("#photo", str(p))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    assert "2000×1500 px" in page.inner_text("#quality-note")


def test_quick_check_runs_again_when_the_scale_is_given(page, base_url, tmp_path):
    # The live check read the photo once, when it was chosen; a scale typed afterwards (which decides the detail
    # a photo must hold) was only used by the full analysis, so an enlarged copy looked fine until then.
    from pathlib import Path

    import cv2

    rgb = cv2.imread(str(Path(__file__).resolve().parents[2] / "src" / "porescope" / "data" / "sample_closeup.jpg"))
    h, w = rgb.shape[:2]
    copy = cv2.resize(cv2.resize(rgb, (w // 4, h // 4), interpolation=cv2.INTER_AREA), (w, h), interpolation=cv2.INTER_CUBIC)
    p = tmp_path / "enlarged-copy.jpg"
    p.write_bytes(cv2.imencode(".jpg", copy, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes())
    page.goto(base_url + "/")
    page.set_input_files("#photo", str(p))
    page.wait_for_selector("#quality-verdict:not(:empty)")
    assert "2 cycles per mm" not in page.inner_text("#quality-problems")  # no scale: the check cannot tell
    page.click(".options summary")
    page.fill("input[name=px_per_mm]", "10")
    page.press("input[name=px_per_mm]", "Tab")
    page.wait_for_function("() => document.getElementById('quality-problems').innerText.includes('2 cycles per mm')", timeout=15000)
    assert "upload the original photo file" in page.inner_text("#quality-problems")  # with what to do
