"""Run a study's photos on ``dask.distributed`` and keep each result as it lands.

Resumable: every finished photo is stored under ``OUT/cache/`` keyed by the
SHA-256 of its content plus the settings it ran with (ROI content, scale,
mode, sensitivity, perturbation count, porescope version), so a rerun after a
crash or a kill only analyzes what is missing. Failed photos are not cached:
they are recorded in the errors table and retried on the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from porescope import __version__
from porescope.errors import PorescopeError
from porescope.files import atomic_write
from porescope.study.manifest import Row
from porescope.study.task import analyze_photo, max_perturb

log = logging.getLogger(__name__)

#: Memory bound per LocalCluster worker. A 12 MP photo peaks near 1 GiB in
#: one worker process (benchmarks/bench_study.py measures it); 3 GiB leaves
#: room for a 24-50 MP photo. Dask pauses a worker at 80% and restarts it at
#: 95% of this, so one runaway photo cannot take the machine down.
DEFAULT_MEMORY_LIMIT = "3GiB"
#: Perturbed re-analyses per photo whose visit has a single capture (noise
#: estimate): porescope.track.change's default, so a study and the history store
#: judge change the same way. Each one costs one more analysis of the photo.
DEFAULT_PERTURB = 12  # every capture change and phone processing of porescope.track.change.PERTURBATIONS (the history store's default too)

CACHE_DIR = "cache"


@dataclass
class Job:
    key: str
    rows: list[Row]  # every manifest row with this content+settings (usually one)
    image: str
    roi: str | None
    px_per_mm: float | None
    perturb: int
    #: (band centres, gain dB) to measure the photo through (porescope.study.matching); None: as taken.
    detail_filter: tuple | None = None


@dataclass
class RunSummary:
    total: int = 0
    skipped: int = 0
    analyzed: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    startup_seconds: float = 0.0  # starting the cluster / connecting
    compute_seconds: float = 0.0  # first task submitted -> last result stored
    workers: dict[str, dict] = field(default_factory=dict)  # address -> {tasks, seconds, peak_rss_mb}
    bytes_shipped: int = 0
    dashboard: str | None = None
    scheduler: str | None = None
    n_workers: int = 0

    def as_dict(self) -> dict:
        return {
            "photos": self.total, "skipped_finished": self.skipped, "analyzed": self.analyzed, "failed": self.failed,
            "wall_seconds": round(self.seconds, 3), "startup_seconds": round(self.startup_seconds, 3),
            "compute_seconds": round(self.compute_seconds, 3),
            "images_per_second": round(self.analyzed / self.compute_seconds, 4) if self.compute_seconds and self.analyzed else None,
            "workers": self.workers, "bytes_shipped": self.bytes_shipped,
            "bytes_per_image": round(self.bytes_shipped / self.analyzed) if self.analyzed else None,
            "dashboard": self.dashboard, "scheduler": self.scheduler, "n_workers": self.n_workers,
        }


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while True:
            b = fh.read(chunk)
            if not b:
                break
            h.update(b)
    return h.hexdigest()


def settings_key(image_sha: str, roi_sha: str | None, px_per_mm: float | None, mode: str, sensitivity: float, perturb: int) -> str:
    """The cache key: content hash plus everything the result depends on."""
    payload = json.dumps(
        {"image": image_sha, "roi": roi_sha, "px_per_mm": px_per_mm, "mode": mode, "sensitivity": sensitivity,
         "perturb": perturb, "porescope": __version__},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def plan_jobs(rows: list[Row], *, mode: str, sensitivity: float, perturb: int) -> tuple[list[Job], dict[int, str], dict[int, str]]:
    """Group rows into jobs; returns (jobs, line -> key, line -> image sha256)."""
    perturb = max(0, min(int(perturb), max_perturb()))
    captures = Counter((r.subject, r.visit) for r in rows)
    sha_cache: dict[Path, str] = {}

    def sha(p: Path) -> str:
        p = p.resolve()
        if p not in sha_cache:
            sha_cache[p] = file_sha256(p)
        return sha_cache[p]

    jobs: dict[str, Job] = {}
    line_key: dict[int, str] = {}
    line_sha: dict[int, str] = {}
    for r in rows:
        try:
            img_sha = sha(r.image)
            roi_sha = sha(r.roi) if r.roi else None
        except OSError as exc:
            raise PorescopeError(f"line {r.line}: cannot read {r.image}: {exc.strerror or exc}.") from None
        n_pert = perturb if captures[(r.subject, r.visit)] < 2 else 0
        key = settings_key(img_sha, roi_sha, r.px_per_mm, mode, sensitivity, n_pert)
        line_key[r.line] = key
        line_sha[r.line] = img_sha
        if key in jobs:
            jobs[key].rows.append(r)
        else:
            jobs[key] = Job(key=key, rows=[r], image=str(r.image.resolve()), roi=str(r.roi.resolve()) if r.roi else None,
                            px_per_mm=r.px_per_mm, perturb=n_pert)
    return list(jobs.values()), line_key, line_sha


# --- the cache ------------------------------------------------------------

def cache_paths(out: Path, key: str) -> tuple[Path, Path]:
    d = out / CACHE_DIR
    return d / f"{key}.json", d / f"{key}.pores.arrow"


def store_result(out: Path, res: dict) -> None:
    """Keep a finished photo's result; the JSON is written last and marks it done."""
    meta_path, pores_path = cache_paths(out, res["key"])
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    if res.get("pores"):
        atomic_write(pores_path, res["pores"], durable=True, clear_errors=False)
    meta = {k: v for k, v in res.items() if k not in ("pores", "analysis")}
    meta["has_pores"] = bool(res.get("pores"))
    meta["analysis"] = json.loads(res["analysis"])
    atomic_write(meta_path, json.dumps(meta).encode(), durable=True, clear_errors=False)


def is_done(out: Path, key: str) -> bool:
    meta_path, _ = cache_paths(out, key)
    return meta_path.is_file()


def load_result(out: Path, key: str) -> dict | None:
    meta_path, _ = cache_paths(out, key)
    try:
        return json.loads(meta_path.read_text())
    except (OSError, ValueError):
        return None


# --- running --------------------------------------------------------------

def _quiet_dask() -> None:
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.worker", "distributed.core",
                 "distributed.http.proxy", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.ERROR)


def start_client(*, workers: int, scheduler: str | None, memory_limit: str):
    """A Dask client on a new LocalCluster, or on the scheduler at ``scheduler``."""
    _quiet_dask()
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="20s"), None
        except (OSError, TimeoutError) as exc:
            raise PorescopeError(f"cannot reach the Dask scheduler at {scheduler}: {exc}.") from None
    if workers < 1:
        raise PorescopeError(f"--workers must be at least 1, got {workers}.")
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
        dashboard_address=":8787", silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def _porescope_version() -> str:
    import porescope

    return porescope.__version__


def check_workers(client, scheduler: str | None, timeout_s: float = 60.0) -> None:
    """Wait for a worker; refuse workers whose porescope differs from ours (results would not be comparable)."""
    try:
        client.wait_for_workers(1, timeout=timeout_s)
    except TimeoutError:
        raise PorescopeError(f"the Dask scheduler {scheduler or ''} has no workers after {timeout_s:.0f} s; start some with "
                             "'dask worker ADDRESS'.") from None
    try:
        versions = client.run(_porescope_version)
    except Exception as exc:  # noqa: BLE001 - e.g. porescope not installed on a worker
        raise PorescopeError(f"cannot run porescope on the Dask workers ({type(exc).__name__}: {exc}); install the same "
                             "porescope on every worker.") from None
    bad = {w: v for w, v in versions.items() if v != __version__}
    if bad:
        raise PorescopeError(
            f"{len(bad)} Dask worker(s) run another porescope version than this one ({__version__}): "
            + ", ".join(f"{w} has {v}" for w, v in sorted(bad.items())) + "; install the same version everywhere."
        )


def run_jobs(
    jobs: list[Job], out: Path, *, workers: int = 2, scheduler: str | None = None, memory_limit: str = DEFAULT_MEMORY_LIMIT,
    mode: str = "auto", sensitivity: float = 1.0, console=None, progress: bool = True, on_client=None,
) -> RunSummary:
    """Analyze the jobs not yet in the cache; write each result as it arrives."""
    summary = RunSummary(total=len(jobs))
    todo = [j for j in jobs if not is_done(out, j.key)]
    summary.skipped = len(jobs) - len(todo)
    (out / CACHE_DIR).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if not todo:
        return summary
    client, cluster = start_client(workers=workers, scheduler=scheduler, memory_limit=memory_limit)
    try:
        from distributed import as_completed

        check_workers(client, scheduler)
        summary.dashboard = client.dashboard_link
        summary.scheduler = client.scheduler.address
        summary.n_workers = len(client.scheduler_info().get("workers", {}))
        summary.startup_seconds = time.perf_counter() - t0
        if on_client is not None:
            on_client(summary)
        t_submit = time.perf_counter()
        futures = {}
        for i, j in enumerate(todo):
            spec = {"key": j.key, "image": j.image, "roi": j.roi, "px_per_mm": j.px_per_mm, "mode": mode,
                    "sensitivity": sensitivity, "perturb": j.perturb, "seed": int(j.key[:8], 16) % (2**31),
                    "detail_filter": j.detail_filter}
            f = client.submit(analyze_photo, spec, key=f"porescope-photo-{j.key}", pure=False, priority=-i)
            futures[f] = j
        bar = None
        if progress and console is not None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

            bar = Progress(TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                           console=console, transient=False)
            task = bar.add_task("photos", total=len(jobs), completed=summary.skipped)
            bar.start()
        per_worker: dict[str, dict] = defaultdict(lambda: {"tasks": 0, "seconds": 0.0, "cpu_seconds": 0.0, "peak_rss_mb": 0.0, "host": None})
        try:
            for fut in as_completed(list(futures)):
                j = futures.pop(fut)
                try:
                    res = fut.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the photo killed its worker (memory)
                    res = {"key": j.key, "ok": False, "error_type": type(exc).__name__,
                           "error": (str(exc).splitlines() or [type(exc).__name__])[0], "worker": None}
                fut.release()
                w = res.get("worker")
                if w:
                    pw = per_worker[w]
                    pw["tasks"] += 1
                    pw["seconds"] += res.get("seconds", 0.0)
                    pw["cpu_seconds"] += res.get("cpu_seconds", 0.0)
                    pw["peak_rss_mb"] = max(pw["peak_rss_mb"], res.get("peak_rss_mb", 0.0))
                    pw["host"] = res.get("host")
                if res.get("ok"):
                    store_result(out, res)
                    summary.analyzed += 1
                    summary.bytes_shipped += res.get("bytes", 0)
                else:
                    summary.failed += 1
                    for r in j.rows:
                        summary.errors.append({
                            "line": r.line, "subject": r.subject, "visit": r.visit, "capture": r.capture, "image": str(r.image),
                            "error_type": res.get("error_type"), "error": res.get("error"),
                        })
                if bar:
                    bar.advance(task)
            summary.compute_seconds = time.perf_counter() - t_submit
        finally:
            if bar:
                bar.stop()
            for f in futures:
                f.cancel()
        summary.workers = {
            k: {**v, "seconds": round(v["seconds"], 3), "cpu_seconds": round(v["cpu_seconds"], 3), "peak_rss_mb": round(v["peak_rss_mb"], 1),
                # share of a core the worker's tasks got: below 1 when other processes compete for the cores
                "cpu_share": round(v["cpu_seconds"] / v["seconds"], 3) if v["seconds"] else None}
            for k, v in per_worker.items()
        }
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    summary.seconds = time.perf_counter() - t0
    return summary
