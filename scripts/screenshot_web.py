"""Take the README screenshot of the web app's result page (docs/img/web-analyze.png).

Runs the app on 127.0.0.1 in a thread, uploads a synthetic close-up in
headless Chromium (scripts/install_browser.sh) and saves the result page.

    python scripts/screenshot_web.py [--out docs/img/web-analyze.png]
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from porescope.output.render import encode_image
    from porescope.testing.synth import SkinSpec, render
    from porescope.web import create_app

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "web-analyze.png")
    args = ap.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("chromium is not installed; run scripts/install_browser.sh")

    spec = SkinSpec(height=900, width=1200, pore_diameter_px=(6.0, 12.0), pore_density_per_mpx=2200, dark_fraction=0.25,
                    spots=6, hairs=3, lighting_gradient=0.15, seed=4)
    with tempfile.TemporaryDirectory() as d:
        photo = Path(d) / "cheek-closeup.jpg"
        photo.write_bytes(encode_image(render(spec).rgb, ".jpg"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(db_url=str(Path(d) / "h.db")), host="127.0.0.1", port=port, log_level="warning"))
        t = threading.Thread(target=server.run, daemon=True)
        t.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=chromium, args=ARGS)
                page = b.new_page(viewport={"width": 1280, "height": 1400}, device_scale_factor=1)
                page.goto(f"http://127.0.0.1:{port}/")
                page.set_input_files("#photo", str(photo))
                page.wait_for_selector("#quality-verdict:not(:empty)")
                page.click(".options summary")
                page.select_option("select[name=mode]", "closeup")
                page.click("#analyze-btn")
                page.wait_for_url("**/result/*")
                page.wait_for_function("() => [...document.querySelectorAll('img.layer')].every(i => i.complete && i.naturalWidth > 0)")
                page.click("#zoom-in")
                page.wait_for_timeout(300)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(args.out), full_page=False)
                b.close()
        finally:
            server.should_exit = True
            t.join(10)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
