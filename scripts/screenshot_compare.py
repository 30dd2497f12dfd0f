"""Take the README pictures of the compact comparison (issue 22): the web compare page on a phone
(docs/img/web-compare-phone.png) and the terminal's `porescope history compare` at 80 columns
(printed, for the README).

A real face (scikit-image's astronaut portrait, NASA, public domain: the openly licensed face the
tests use), enlarged to 3400 x 2550 px with pores drawn at 9 px/mm (her own are far below a pixel:
``porescope.testing.synth.pored_face``), is stored as two visits, the second 5% brighter with fresh
sensor noise, in a fresh SQLite store; the app runs on 127.0.0.1 in a thread and headless Chromium
(scripts/install_browser.sh) opens the compare page at 390 x 844 and waits for the real comparison.

    python scripts/screenshot_compare.py [--out docs/img/web-compare-phone.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}


def face_photos(folder: Path) -> list[Path]:
    """The astronaut's head and shoulders at 3400 x 2550 px (her iris reads about 9 px/mm) with pores drawn at that
    scale, and the same skin 5% brighter with fresh sensor noise: a re-take, not a change."""
    from skimage.data import astronaut

    from porescope.testing.synth import pored_face

    img = pored_face(astronaut(), (110.0, 10.0, 360.0), (3400, 2550), 9.0, 4).astype(np.float32)
    out = []
    for i, (name, gain) in enumerate((("visit1.jpg", 1.0), ("visit2.jpg", 1.05))):
        grain = np.random.default_rng(i).normal(0.0, 2.0, img.shape).astype(np.float32)
        p = folder / name
        cv2.imwrite(str(p), np.clip(img * gain + grain, 0, 255).astype(np.uint8)[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
        out.append(p)
    return out


def main() -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from porescope.track import Store
    from porescope.track.photos import analyze_visit_photo
    from porescope.web import create_app

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "web-compare-phone.png")
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("chromium is not installed; run scripts/install_browser.sh")
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        store = Store(str(d / "h.db"), data_dir=d)
        for p, when in zip(face_photos(d), (datetime(2026, 1, 5, 9), datetime(2026, 3, 2, 9)), strict=True):
            data, r = analyze_visit_photo(p, mode="face")  # the shells analyze; the store only stores
            store.add_visit(data, "me", analysis=r.analysis, taken_at=when, condition={"cleansed": "yes"})
        store.compare("me")  # measures both visits' noise once (stored), as the first compare would
        env = dict(os.environ, COLUMNS="80", NO_COLOR="1", PYTHONPATH=str(ROOT / "src"))
        term = subprocess.run([sys.executable, "-m", "porescope", "history", "compare", "--subject", "me", "--db", str(d / "h.db")],
                              capture_output=True, text=True, env=env, check=True).stdout
        print(term)
        print(f"({len(term.splitlines())} lines, widest {max(map(len, term.splitlines()))} columns)")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(store=store), host="127.0.0.1", port=port, log_level="warning"))
        t = threading.Thread(target=server.run, daemon=True)
        t.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as pw:
                b = pw.chromium.launch(executable_path=chromium, args=ARGS)
                page = b.new_page(viewport=PHONE, device_scale_factor=1)
                page.goto(f"http://127.0.0.1:{port}/history/compare?subject=me")
                page.wait_for_function("() => ['img-a', 'img-b'].every(id => document.getElementById(id).complete)")
                page.wait_for_selector("#comparison-body:not([hidden])", timeout=300_000)
                h = page.evaluate("() => document.documentElement.scrollHeight")
                page.screenshot(path=str(args.out), full_page=True)
                print(f"wrote {args.out}: {h} px tall = {h / PHONE['height']:.1f} phone screens")
                b.close()
        finally:
            server.should_exit = True
            t.join(timeout=10)
            store.close()


if __name__ == "__main__":
    main()
