"""Web app speed and memory: 12 MP upload → result page, the compare page's
first load, the server's peak memory under 10 concurrent 12 MP uploads and
under pixel bombs, and a 1,000-visit history.

Prints figures, not pass/fail. Targets (issues 5 and 12): upload → result page
≤ 2 s; compare page first load ≤ 2 s; server ≤ 1.5 GB resident under 10
concurrent 12 MP uploads and under any pixel bomb; history of 1,000 visits
listed ≤ 200 ms.

    python benchmarks/bench_web.py [--repeat 3] [--before REV] [--skip-history]

Each scenario starts a fresh server process (uvicorn on 127.0.0.1, a free
port) so its peak resident memory (``VmHWM`` in /proc) is its own; the client
is httpx, so the figures include HTTP, multipart parsing and template
rendering. ``--before REV`` runs the same scenarios, in the same run, against
the package as it was at git revision REV (extracted with ``git archive``).

The 12 MP photo is ``porescope.testing.synth.render(SkinSpec(height=3024, width=4032))``
saved as JPEG, cached in ``$PORESCOPE_BENCH_CACHE`` (default: the system temp
folder); the second visit is the same skin moved (shift, 2° rotation) and
re-lit, as a later photo would be.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx

SPEC = dict(height=3024, width=4032, jpeg_quality=90, seed=1)
ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("PORESCOPE_BENCH_CACHE", tempfile.gettempdir()))


def photo_12mp() -> bytes:
    cache = CACHE / "porescope-bench-12mp-seed1.jpg"
    if cache.exists():
        return cache.read_bytes()
    from porescope.output.render import encode_image
    from porescope.testing.synth import SkinSpec, render

    print("drawing the 12 MP synthetic photo (cached afterwards)...", flush=True)
    data = encode_image(render(SkinSpec(**SPEC)).rgb, ".jpg")
    cache.write_bytes(data)
    return data


def photo_12mp_later() -> bytes:
    """The same skin photographed again: shifted, turned 2°, 5 % brighter."""
    cache = CACHE / "porescope-bench-12mp-seed1-later.jpg"
    if cache.exists():
        return cache.read_bytes()
    import cv2
    import numpy as np

    from porescope.measure.io import read_image
    from porescope.output.render import encode_image

    rgb = read_image(photo_12mp()).rgb
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 2.0, 1.0)
    m[:, 2] += (60, -40)
    moved = cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT)
    data = encode_image(np.clip(moved.astype(np.float32) * 1.05, 0, 255).astype(np.uint8), ".jpg")
    cache.write_bytes(data)
    return data


def pixel_bomb() -> bytes:
    """A ~12 KB PNG declaring 10,000 × 10,000 px (the CLI's 100 MP limit)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (10_000, 10_000), 170).save(buf, "PNG", compress_level=9)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# a server in its own process

SERVER_CODE = """
import sys, uvicorn
from porescope.web import create_app
store = None
if sys.argv[2]:
    from porescope.track import Store
    store = Store(sys.argv[2] + "/h.db", data_dir=sys.argv[2])
uvicorn.run(create_app(store=store), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class Server:
    """``python -c SERVER_CODE`` with ``src`` first on the path; ``peak_mb()`` reads VmHWM."""

    def __init__(self, src: Path, with_store: bool = False):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.tmp = tempfile.TemporaryDirectory() if with_store else None
        env = dict(os.environ, PYTHONPATH=str(src))
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER_CODE, str(self.port), self.tmp.name if self.tmp else ""], env=env)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        return self

    def _status(self, key: str) -> float:
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(rf"^{key}:\s+(\d+) kB", text, re.M).group(1)) / 1024

    def rss_mb(self) -> float:
        return self._status("VmRSS")

    def peak_mb(self) -> float:
        return self._status("VmHWM")

    def cpu_s(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait_idle(self, limit_s: float = 300.0) -> float:
        """Wait until the server has used under 0.05 s of CPU in a second (its background work is done)."""
        t0 = time.perf_counter()
        last = self.cpu_s()
        while time.perf_counter() - t0 < limit_s:
            time.sleep(1.0)
            now = self.cpu_s()
            if now - last < 0.05:
                break
            last = now
        return time.perf_counter() - t0

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.tmp:
            self.tmp.cleanup()


@contextlib.contextmanager
def client(base: str):
    """An httpx client that behaves like the app's pages: session cookie,
    same Origin, and the CSRF token when the server asks for one."""
    with httpx.Client(base_url=base, timeout=300) as c:
        page = c.get("/")
        m = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
        c.headers["origin"] = base
        if m:
            c.headers["x-csrf-token"] = m.group(1)
        yield c


# ---------------------------------------------------------------------------
# scenarios


def bench_upload(src: Path, data: bytes, repeat: int, mode: str) -> dict:
    rows = []
    with Server(src) as srv, client(srv.url) as c:
        for i in range(repeat):
            t0 = time.perf_counter()
            r = c.post("/analyze", files={"photo": ("bench.jpg", data, "image/jpeg")}, data={"mode": mode})
            t_post = time.perf_counter()
            assert r.status_code == 303, r.text[:300]
            loc = r.headers["location"]
            page = c.get(loc)
            t_page = time.perf_counter()
            assert page.status_code == 200

            def fetch(name, loc=loc):
                resp = c.get(f"{loc}/{name}")
                assert resp.status_code == 200
                return len(resp.content)

            with ThreadPoolExecutor(3) as ex:  # a browser fetches the three layers at once
                list(ex.map(fetch, ("photo.jpg", "pores.png", "regions.png")))
            t_all = time.perf_counter()
            pipe = c.get(f"{loc}/analysis.json").json()["timings_ms"]["total"] / 1000
            rows.append((t_page - t0, t_all - t0, pipe))
            print(f"    run {i + 1}: upload+analyze {t_post - t0:.2f} s → result page {t_page - t0:.2f} s; "
                  f"all layers {t_all - t0:.2f} s; analysis pipeline {pipe:.2f} s", flush=True)
        peak = srv.peak_mb()
    return {"page_s": statistics.median(r[0] for r in rows), "all_s": statistics.median(r[1] for r in rows),
            "pipeline_s": statistics.median(r[2] for r in rows), "peak_mb": peak}


def _concurrent(src: Path, files: list[tuple[str, bytes]], url: str, n: int) -> dict:
    with Server(src) as srv:
        base_mb = srv.rss_mb()
        codes: list[int] = []
        sampled = [0.0]
        stop = threading.Event()

        def sample():
            while not stop.is_set():
                try:
                    sampled[0] = max(sampled[0], srv.rss_mb())
                except (OSError, AttributeError):
                    pass
                time.sleep(0.02)

        def one(i):
            with client(srv.url) as c:
                name, data = files[i % len(files)]
                return c.post(url, files={"photo": (name, data, "application/octet-stream")}, data={"mode": "closeup"}).status_code

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(n) as ex:
            codes = list(ex.map(one, range(n)))
        elapsed = time.perf_counter() - t0
        time.sleep(0.5)
        after_mb = srv.rss_mb()
        stop.set()
        th.join()
        return {"codes": codes, "elapsed_s": elapsed, "base_mb": base_mb, "peak_mb": srv.peak_mb(), "after_mb": after_mb}


def bench_compare(src: Path, a: bytes, b: bytes, settle_s: float) -> dict:
    """Two 12 MP visits saved through the web app, then the compare page opened
    in Chromium: until both slider photos show, and until the comparison table
    is filled (each version's own page script decides when it asks for it)."""
    with Server(src, with_store=True) as srv, client(srv.url) as c:
        for data in (a, b):
            r = c.post("/api/analyze", files={"photo": ("visit.jpg", data, "image/jpeg")}, data={"mode": "closeup"})
            assert r.status_code == 200, r.text[:300]
            s = c.post(f"/result/{r.json()['id']}/save", data={"subject": "bench", "cleansed": "yes"})
            assert s.status_code == 303 and "subject=bench" in s.headers.get("location", ""), s.text[:300]
        # The visits were saved on other days: whatever the server does after a save has run by now.
        waited = srv.wait_idle(settle_s)
        ids = [v["id"] for v in c.get("/api/history/visits", params={"subject": "bench"}).json()]
        url = f"{srv.url}/history/compare?subject=bench&a={ids[0]}&b={ids[1]}"
        t_page, t_api, align = compare_in_chromium(url)
        t2 = time.perf_counter()
        c.get("/api/history/compare", params={"subject": "bench", "a": ids[0], "b": ids[1]})
        t_api2 = time.perf_counter() - t2
        return {"page_s": t_page, "api_s": t_api, "api2_s": t_api2, "alignment": align, "peak_mb": srv.peak_mb(),
                "waited_s": waited}


def compare_in_chromium(url: str) -> tuple[float, float, str]:
    """Open the compare page in Debian's Chromium as a person would: seconds
    until both slider photos are shown, seconds until the comparison table is
    filled, and the alignment the slider used."""
    import shutil

    from playwright.sync_api import sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(600_000)
        align = []
        page.on("response", lambda r: align.append(r.headers.get("x-porescope-alignment", "")) if "aligned.jpg" in r.url else None)
        t0 = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function("() => ['img-a', 'img-b'].every(id => { const i = document.getElementById(id); "
            "return i && i.complete && i.naturalWidth > 0; })", polling=20)
        t_page = time.perf_counter() - t0
        page.wait_for_selector("#comparison-body:not([hidden]), #comparison-status.error")
        t_table = time.perf_counter() - t0
        browser.close()
    return t_page, t_table, (align or ["?"])[0]


def bench_history(n_visits: int, repeat: int) -> None:
    import porescope.measure.pipeline as pipeline
    from porescope.output.render import encode_image
    from porescope.testing.synth import SkinSpec, render
    from porescope.track import Store

    print(f"\nhistory of {n_visits} visits (this tree only)")
    small = encode_image(render(SkinSpec(height=256, width=256, seed=3)).rgb, ".jpg")
    with tempfile.TemporaryDirectory() as d:
        store = Store(str(Path(d) / "h.db"), data_dir=d)
        cached = pipeline.run(small, mode="closeup").analysis  # one analysis, stored as every visit
        start = datetime(2024, 1, 1, 8, 0)
        for i in range(n_visits):
            store.add_visit(small, "bench", analysis=cached, taken_at=start + timedelta(days=i), condition={"cleansed": "yes"})
        store.close()
        code = (
            "import sys, time, statistics, uvicorn, threading, httpx\n"
            "from porescope.track import Store\nfrom porescope.web import create_app\n"
            "st = Store(sys.argv[1] + '/h.db', data_dir=sys.argv[1])\n"
            "srv = uvicorn.Server(uvicorn.Config(create_app(store=st), host='127.0.0.1', port=int(sys.argv[2]), log_level='warning'))\n"
            "threading.Thread(target=srv.run, daemon=True).start()\n"
            "while not srv.started: time.sleep(0.05)\n"
            "c = httpx.Client(base_url='http://127.0.0.1:' + sys.argv[2], timeout=60); c.get('/history', params={'subject': 'bench'})\n"
            "t = []\n"
            "for _ in range(int(sys.argv[3])):\n"
            "    s = time.perf_counter(); r = c.get('/history', params={'subject': 'bench'}); t.append(time.perf_counter() - s)\n"
            "print(f'  GET /history?subject=… ({len(r.content) / 1e3:.0f} kB HTML): median {1000 * statistics.median(t):.0f} ms,"
            " best {1000 * min(t):.0f} ms (target ≤ 200 ms)')\n"
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        subprocess.run([sys.executable, "-c", code, d, str(port), str(repeat)], check=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))


def extract(rev: str, into: Path) -> Path:
    """The package's source at git revision ``rev``."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--mode", default="auto", help="analysis mode sent with the upload (the form's default is auto)")
    ap.add_argument("--before", metavar="REV", help="also measure the package at this git revision, in this run")
    ap.add_argument("--concurrent", type=int, default=10, help="simultaneous 12 MP uploads / pixel bombs")
    ap.add_argument("--before-bombs", type=int, default=2,
                    help="simultaneous pixel bombs for --before (10 took an unguarded server to ~6 GB; kept low on a shared machine)")
    ap.add_argument("--settle", type=float, default=300.0, help="at most this many seconds waiting for the server to go idle after saving the visits")
    ap.add_argument("--skip-history", action="store_true")
    ap.add_argument("--skip-compare", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPU(s) visible; load average {os.getloadavg()[0]:.1f} (other work on a shared machine slows every figure)")
    data = photo_12mp()
    later = photo_12mp_later() if not args.skip_compare else b""
    bomb = pixel_bomb()
    trees = [("after", ROOT / "src")]
    tmp = tempfile.TemporaryDirectory()
    if args.before:
        trees.insert(0, (f"before ({args.before})", extract(args.before, Path(tmp.name))))
    results = {}
    for name, src in trees:
        print(f"\n=== {name}: {src}", flush=True)
        res = results[name] = {}
        print(f"  12 MP upload → result page ({len(data) / 1e6:.1f} MB JPEG, 4032x3024, mode {args.mode}), {args.repeat} runs", flush=True)
        res["upload"] = bench_upload(src, data, args.repeat, args.mode)
        n = args.concurrent
        res["conc"] = _concurrent(src, [("bench.jpg", data)], "/api/analyze", n)
        print(f"  {n} concurrent 12 MP uploads: statuses {sorted(set(res['conc']['codes']))}, {res['conc']['elapsed_s']:.1f} s; "
              f"server RSS idle {res['conc']['base_mb']:.0f} MB, peak {res['conc']['peak_mb']:.0f} MB, after {res['conc']['after_mb']:.0f} MB", flush=True)
        nb = args.before_bombs if name.startswith("before") else n
        for url in ("/api/analyze", "/api/quality"):
            r = res[f"bomb{url}"] = _concurrent(src, [("bomb.png", bomb)], url, nb)
            print(f"  {nb} concurrent pixel bombs ({len(bomb) / 1e3:.0f} kB PNG declaring 10000x10000) to {url}: statuses {sorted(set(r['codes']))}, "
                  f"{r['elapsed_s']:.1f} s; server RSS peak {r['peak_mb']:.0f} MB, after {r['after_mb']:.0f} MB", flush=True)
        if not args.skip_compare:
            res["compare"] = bench_compare(src, data, later, args.settle)
            cr = res["compare"]
            print(f"  server RSS peak in the compare scenario (saves, background noise, the comparison): {cr['peak_mb']:.0f} MB")
            print(f"  compare page first load (page + both slider photos): {cr['page_s']:.2f} s (alignment: {cr['alignment']}); "
                  f"comparison table filled at {cr['api_s']:.2f} s; the comparison asked again {cr['api2_s']:.2f} s "
                  f"(opened {cr['waited_s']:.0f} s after the saves, once the server was idle)", flush=True)
    print("\n=== summary (same run, same machine)")
    print(f"  {'':44s}" + "".join(f"{n[:18]:>20s}" for n in results))
    rows = [
        ("12 MP upload → result page, median (≤ 2 s)", lambda r: f"{r['upload']['page_s']:.2f} s"),
        ("  … with all three layers", lambda r: f"{r['upload']['all_s']:.2f} s"),
        ("  … of which the analysis pipeline", lambda r: f"{r['upload']['pipeline_s']:.2f} s"),
        (f"peak RSS, {args.concurrent} concurrent 12 MP (≤ 1.5 GB)", lambda r: f"{r['conc']['peak_mb']:.0f} MB"),
        ("peak RSS, pixel bombs /api/analyze (≤ 1.5 GB)", lambda r: f"{r['bomb/api/analyze']['peak_mb']:.0f} MB"),
        ("peak RSS, pixel bombs /api/quality (≤ 1.5 GB)", lambda r: f"{r['bomb/api/quality']['peak_mb']:.0f} MB"),
    ]
    if not args.skip_compare:
        rows += [
            ("compare page first load, photos shown (≤ 2 s)", lambda r: f"{r['compare']['page_s']:.2f} s"),
            ("compare page: table filled, first time", lambda r: f"{r['compare']['api_s']:.2f} s"),
        ]
    for label, f in rows:
        print(f"  {label:44s}" + "".join(f"{f(r):>20s}" for r in results.values()))
    if args.before:
        print(f"  (pixel bombs: {args.before_bombs} at once for 'before', {args.concurrent} for 'after')")
    tmp.cleanup()
    if not args.skip_history:
        bench_history(args.visits, max(args.repeat, 5))


if __name__ == "__main__":
    main()
