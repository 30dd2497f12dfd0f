"""Throughput, scaling and memory of the study runner on 12 MP photos.

What it does:

1. Writes a synthetic study of N photos, 4032x3024 JPEG (quality 92), from
   ``porescope.testing.synth.render``: N/4 subjects x 2 visits x 2 repeat captures, the
   treated arm's pores shallower at visit 2. One 1344x1008 tile is rendered
   per subject and visit and laid 3x3 with flips (rendering a whole 12 MP frame
   takes ~4.5 min on this machine: its low-frequency mottling blur scales with
   the frame); photos are cached in --data between runs.
2. Scaling: the first --speedup-n photos run with 1 worker and then with 2
   workers (fresh output folders, so nothing is skipped): images/s and the
   speed-up.
3. The whole study (N photos) on 2 workers: images/s per worker, peak RSS per
   worker (ru_maxrss reported by each task), bytes shipped per photo, time to
   write the tables and report.
4. Scheduler overhead per task: 2000 no-op tasks through the same LocalCluster.

Usage: python benchmarks/bench_study.py [--n 200] [--speedup-n 24] [--data DIR]
Prints figures; a benchmark, not a test (exits 0 when targets are missed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

HEIGHT, WIDTH = 3024, 4032
TILE_H, TILE_W = HEIGHT // 3, WIDTH // 3
TARGET_SPEEDUP = 1.7


def tiled_render(spec) -> np.ndarray:
    """A 12 MP frame from one 1344x1008 synth.render tile laid 3x3 with flips."""
    from porescope.testing.synth import render, with_

    tile = render(with_(spec, height=TILE_H, width=TILE_W, noise_sigma=0.0)).rgb
    variants = [tile, tile[::-1], tile[:, ::-1], tile[::-1, ::-1]]
    rows = [np.concatenate([variants[(3 * r + c + spec.seed) % 4] for c in range(3)], axis=1) for r in range(3)]
    return np.ascontiguousarray(np.concatenate(rows, axis=0))


def _make_subject(args):
    folder, design, s = args
    from porescope.study import synthetic as sy

    base = sy.subject_spec(design, s)
    arm = design.arms[s % len(design.arms)]
    rows = []
    import datetime as dt

    for v in range(design.visits):
        spec = sy.visit_spec(base, arm == design.arms[-1], v, design.effect)
        date = dt.date(2026, 1, 5) + dt.timedelta(days=v * design.days_between_visits + s % 3)
        rgb = None
        for c in range(1, design.captures + 1):
            name = f"photos/S{s + 1:03d}_V{v + 1}_c{c}.jpg"
            if not (Path(folder) / name).is_file():
                if rgb is None:
                    rgb = tiled_render(spec)
                sy.write_jpeg(Path(folder) / name, sy.capture_of(rgb, base.seed * 10 + v, c), design.jpeg_quality)
            rows.append({"subject": f"S{s + 1:03d}", "visit": f"V{v + 1}", "date": date.isoformat(), "image": name,
                         "capture": c, "arm": arm, "condition": "cleansed"})
    return rows


def make_photos(folder: Path, n: int, procs: int = 2) -> Path:
    import csv

    from porescope.study.synthetic import StudyDesign

    subjects = max(1, -(-n // 4))
    design = StudyDesign(subjects=subjects, visits=2, captures=2, height=HEIGHT, width=WIDTH, seed=2026)
    (folder / "photos").mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(procs) as ex:
        rows = [r for rs in ex.map(_make_subject, [(str(folder), design, s) for s in range(subjects)]) for r in rs][:n]
    manifest = folder / f"manifest_{n}.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return manifest


def head_manifest(manifest: Path, k: int) -> Path:
    lines = manifest.read_text().splitlines()
    p = manifest.with_name(f"manifest_head{k}.csv")
    p.write_text("\n".join(lines[: k + 1]) + "\n")
    return p


def run_once(manifest: Path, out: Path, workers: int, memory_limit: str) -> dict:
    from porescope.study import StudyOptions, run_study

    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    info = run_study(manifest, out, StudyOptions(workers=workers, memory_limit=memory_limit), progress=False)
    info["total_seconds"] = time.perf_counter() - t0
    return info


def _print_workers(run: dict, indent: str, memory_limit: str | None = None) -> None:
    for addr, w in run["workers"].items():
        cpu = w.get("cpu_seconds")
        share = f", {cpu / w['tasks']:.2f} CPU-s per photo, got {100 * w['cpu_share']:.0f}% of a core" if cpu else ""
        print(f"{indent}worker {addr}: {w['tasks']} photos, {w['seconds'] / w['tasks']:.2f} s per photo "
              f"({w['tasks'] / w['seconds']:.3f} images/s){share}, peak RSS {w['peak_rss_mb']:.0f} MiB"
              + (f" (limit {memory_limit})" if memory_limit else ""), flush=True)


def scheduler_overhead(workers: int, memory_limit: str, n_tasks: int = 2000) -> float:
    from porescope.study.runner import start_client

    client, cluster = start_client(workers=workers, scheduler=None, memory_limit=memory_limit)
    try:
        client.gather(client.map(lambda x: x, range(50), pure=False))  # warm up
        t0 = time.perf_counter()
        futs = client.map(lambda x: x, range(n_tasks), pure=False)
        client.gather(futs)
        return (time.perf_counter() - t0) / n_tasks
    finally:
        client.close()
        cluster.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="photos in the study (default 200)")
    ap.add_argument("--speedup-n", type=int, default=24, help="photos for the 1- vs 2-worker comparison")
    ap.add_argument("--data", type=Path, default=Path("/tmp/porescope-bench-study"), help="photos and outputs (cached)")
    ap.add_argument("--memory-limit", default="3GiB")
    ap.add_argument("--skip-full", action="store_true", help="only the scaling comparison")
    args = ap.parse_args(argv)

    print(f"porescope study benchmark: N={args.n} photos of {WIDTH}x{HEIGHT} JPEG; {os.cpu_count()} CPUs; "
          f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    t0 = time.perf_counter()
    manifest = make_photos(args.data, args.n)
    size = next((args.data / "photos").glob("*.jpg")).stat().st_size
    print(f"photos ready in {time.perf_counter() - t0:.0f} s (cached in {args.data}); one photo is {size / 1e6:.1f} MB", flush=True)

    k = min(args.speedup_n, args.n)
    head = head_manifest(manifest, k)
    res = {}
    for w in (1, 2):
        info = run_once(head, args.data / f"out_speedup_w{w}", w, args.memory_limit)
        run = info["run"]
        res[w] = run
        print(f"  {k} photos, {w} worker(s): compute {run['compute_seconds']:.1f} s -> {run['images_per_second']:.3f} images/s "
              f"(cluster start {run['startup_seconds']:.1f} s; tables+report {info['total_seconds'] - run['wall_seconds']:.1f} s)",
              flush=True)
        _print_workers(run, "    ")
    speedup = res[1]["compute_seconds"] / res[2]["compute_seconds"]
    print(f"speed-up 1 -> 2 workers (wall): {speedup:.2f}x (target >= {TARGET_SPEEDUP}x)", flush=True)
    cpu = {w: sum(x["cpu_seconds"] for x in r["workers"].values()) / sum(x["tasks"] for x in r["workers"].values()) for w, r in res.items()}
    share = {w: sum(x["cpu_seconds"] for x in r["workers"].values()) / sum(x["seconds"] for x in r["workers"].values()) for w, r in res.items()}
    projected = 2 * cpu[1] / cpu[2]
    print(f"  CPU-s per photo: {cpu[1]:.2f} (1 worker) vs {cpu[2]:.2f} (2 workers); share of a core the tasks got: "
          f"{100 * share[1]:.0f}% vs {100 * share[2]:.0f}%", flush=True)
    print(f"  projected speed-up with two uncontended cores (2 x CPU-s per photo ratio): {projected:.2f}x", flush=True)

    full = None
    if not args.skip_full:
        full = run_once(manifest, args.data / "out_full", 2, args.memory_limit)
        run = full["run"]
        print(f"full study, {args.n} photos on 2 workers: {run['compute_seconds']:.0f} s compute "
              f"({run['images_per_second']:.3f} images/s), {full['total_seconds']:.0f} s end to end incl. tables and report; "
              f"{full['pores']} pores", flush=True)
        _print_workers(run, "  ", args.memory_limit)
        print(f"  bytes shipped back per photo: {run['bytes_per_image'] / 1e3:.0f} kB (Analysis JSON without pores + "
              f"zstd Arrow pore table)", flush=True)
    overhead = scheduler_overhead(2, args.memory_limit)
    print(f"scheduler overhead: {overhead * 1e3:.2f} ms per task (2000 no-op tasks, 2 workers)", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f} (the 2 cores are shared with other users; figures are pessimistic)")
    summary = {"n": args.n, "speedup_n": k, "speedup": speedup, "projected_speedup": projected, "cpu_s_per_photo": cpu,
        "runs": res, "full": full and full["run"],
               "scheduler_overhead_s": overhead}
    (args.data / "bench_study.json").write_text(json.dumps(summary, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
