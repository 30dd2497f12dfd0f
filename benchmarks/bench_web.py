"""Web app speed: a 12 MP upload to a rendered result page, and a 1,000-visit history.

Prints figures, not pass/fail. Targets (issue 5): upload → result page ≤ 2 s,
history of 1,000 visits listed ≤ 200 ms.

    python benchmarks/bench_web.py [--repeat 3] [--visits 1000]

The server is uvicorn on 127.0.0.1 (a free port, in a thread) and the client
httpx, so the figures include HTTP, multipart parsing and template rendering.
The 12 MP photo is ``porescope.synth.render(SkinSpec(height=3024, width=4032))``
saved as JPEG; drawing it takes minutes on 2 cores, so it is cached in
``$PORESCOPE_BENCH_CACHE`` (default: the system temp folder).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx

SPEC = dict(height=3024, width=4032, jpeg_quality=90, seed=1)


def photo_12mp() -> bytes:
    cache = Path(os.environ.get("PORESCOPE_BENCH_CACHE", tempfile.gettempdir())) / "porescope-bench-12mp-seed1.jpg"
    if cache.exists():
        return cache.read_bytes()
    from porescope.render import encode_image
    from porescope.synth import SkinSpec, render

    print("drawing the 12 MP synthetic photo (cached afterwards)...", flush=True)
    data = encode_image(render(SkinSpec(**SPEC)).rgb, ".jpg")
    cache.write_bytes(data)
    return data


class Server:
    def __init__(self, app):
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)


def bench_upload(base: str, data: bytes, repeat: int, mode: str) -> None:
    print(f"\n12 MP upload → result page ({len(data) / 1e6:.1f} MB JPEG, 4032x3024, mode {mode}), {repeat} runs")
    rows = []
    with httpx.Client(base_url=base, timeout=120) as c:
        for i in range(repeat):
            t0 = time.perf_counter()
            r = c.post("/analyze", files={"photo": ("bench.jpg", data, "image/jpeg")}, data={"mode": mode})
            t_post = time.perf_counter()
            assert r.status_code == 303, r.text[:300]
            page = c.get(r.headers["location"])
            t_page = time.perf_counter()
            assert page.status_code == 200
            loc = r.headers["location"]

            def fetch(name, loc=loc):
                s = time.perf_counter()
                resp = c.get(f"{loc}/{name}")
                assert resp.status_code == 200
                return name, time.perf_counter() - s, len(resp.content)

            with ThreadPoolExecutor(3) as ex:  # a browser fetches the three layers at once
                layers = list(ex.map(fetch, ("photo.jpg", "pores.png", "regions.png")))
            t_all = time.perf_counter()
            a = c.get(f"{loc}/analysis.json").json()
            rows.append((t_post - t0, t_page - t_post, t_page - t0, t_all - t_page, t_all - t0, a["timings_ms"], layers, len(a["pores"])))
            print(
                f"  run {i + 1}: upload+analyze {t_post - t0:.2f} s, result page {1000 * (t_page - t_post):.0f} ms"
                f" → page rendered {t_page - t0:.2f} s; layers {t_all - t_page:.2f} s"
                f" ({', '.join(f'{n} {1000 * s:.0f} ms/{b / 1e6:.1f} MB' for n, s, b in layers)}); all pixels {t_all - t0:.2f} s"
            )
            print(f"         pipeline ms: {a['timings_ms']}, pores {len(a['pores'])}")
    med = statistics.median(r[2] for r in rows)
    med_all = statistics.median(r[4] for r in rows)
    pipe = statistics.median(r[5]["total"] for r in rows) / 1000
    print(f"  median: upload → rendered result page {med:.2f} s (target ≤ 2 s); with all layers {med_all:.2f} s;"
          f" of which the analysis pipeline {pipe:.2f} s, web overhead {med - pipe:.2f} s")


def bench_history(n_visits: int, repeat: int) -> None:
    import porescope.pipeline as pipeline
    from porescope.history import Store
    from porescope.render import encode_image
    from porescope.synth import SkinSpec, render
    from porescope.web import create_app

    print(f"\nhistory of {n_visits} visits")
    small = encode_image(render(SkinSpec(height=256, width=256, seed=3)).rgb, ".jpg")
    with tempfile.TemporaryDirectory() as d:
        store = Store(str(Path(d) / "h.db"), data_dir=d)
        cached = pipeline.run(small, mode="closeup")
        real_run = pipeline.run
        pipeline.run = lambda *a, **k: cached  # the store's add_visit imports run at call time
        try:
            t0 = time.perf_counter()
            start = datetime(2024, 1, 1, 8, 0)
            for i in range(n_visits):
                store.add_visit(small, "bench", taken_at=start + timedelta(days=i), condition={"cleansed": "yes"})
            print(f"  filled the store in {time.perf_counter() - t0:.1f} s (analysis reused; not part of the figure)")
        finally:
            pipeline.run = real_run
        t = []
        for _ in range(repeat):
            s = time.perf_counter()
            store.visits("bench")
            t.append(time.perf_counter() - s)
        print(f"  Store.visits(): median {1000 * statistics.median(t):.0f} ms")
        with Server(create_app(store=store)) as base, httpx.Client(base_url=base, timeout=60) as c:
            c.get("/history", params={"subject": "bench"})  # warm templates
            t = []
            for _ in range(repeat):
                s = time.perf_counter()
                r = c.get("/history", params={"subject": "bench"})
                t.append(time.perf_counter() - s)
                assert r.status_code == 200 and r.text.count('name="a"') == n_visits
            print(f"  GET /history?subject=… ({len(r.content) / 1e3:.0f} kB HTML, {n_visits} rows + trend plots):"
                  f" median {1000 * statistics.median(t):.0f} ms, best {1000 * min(t):.0f} ms (target ≤ 200 ms)")
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--mode", default="auto", help="analysis mode sent with the upload (the form's default is auto)")
    ap.add_argument("--skip-upload", action="store_true")
    ap.add_argument("--skip-history", action="store_true")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPU(s) visible; load average {os.getloadavg()[0]:.1f} (other work on a shared machine slows every figure)")
    if not args.skip_upload:
        from porescope.web import create_app

        data = photo_12mp()
        with Server(create_app(store=None, db_url="sqlite:///:memory:")) as base:
            bench_upload(base, data, args.repeat, args.mode)
    if not args.skip_history:
        bench_history(args.visits, max(args.repeat, 5))


if __name__ == "__main__":
    main()
