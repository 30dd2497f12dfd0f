"""End-to-end tests of the web app in a real headless Chromium.

Debian's ``chromium`` (scripts/install_browser.sh) driven by the PyPI
``playwright`` package; the server is uvicorn on 127.0.0.1 on a free port in a
thread. Skipped, with the reason, when either is missing.
"""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time

import pytest

from porescope.render import encode_image
from porescope.synth import SkinSpec, render

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (run scripts/install_browser.sh)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

#: Flags that work on this kind of machine (checked 2026-11-26 with Debian chromium).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
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
def base_url(tmp_path_factory):
    from porescope.web import create_app

    store = None
    try:
        from porescope.history import Store

        d = tmp_path_factory.mktemp("history")
        store = Store(str(d / "h.db"), data_dir=d)
    except ImportError:
        pass
    with _Server(create_app(store=store)) as url:
        yield url
    if store is not None:
        store.close()


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
    pytest.importorskip("porescope.routine")
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
    pytest.importorskip("porescope.ingredients")
    page.goto(base_url + "/label")
    page.fill("#label-text", "Aqua, Niacinamide, Glycerin, Salicylic Acid, Phenoxyethanol")
    page.click("#check")
    page.wait_for_selector("#report")
    assert "Niacinamide" in page.inner_text("#report")


def test_save_two_visits_and_compare_them(page, base_url, photo_files):
    pytest.importorskip("porescope.history")
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
    page.wait_for_function("() => ['img-a', 'img-b'].every(id => { const i = document.getElementById(id); return i.complete && i.naturalWidth > 0; })")
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
