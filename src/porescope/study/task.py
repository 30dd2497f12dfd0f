"""The unit of work a Dask worker runs: analyze one photo, return a compact result.

The worker reads the photo from its path (a study's photos must be visible to
every worker: a shared or synced folder), runs the pipeline and ships back
only small things: the :class:`~porescope.results.Analysis` JSON without its
pore list, the pores as a compressed Arrow IPC table, and (when asked) the
noise of each region metric under small perturbations of the photo. No image
arrays travel over the network.

Nothing here raises: a photo that fails comes back as ``ok=False`` with its
error, so one bad photo never stops a study.
"""

from __future__ import annotations

import io
import math
import os
import resource
import socket
import time
import traceback

import numpy as np

#: Metrics whose noise the perturbed re-analysis estimates (lower = better for all).
NOISE_METRICS = (
    "visibility_score", "density_per_cm2", "density_per_mpx", "coverage_pct", "median_area_mm2", "median_area_px", "pore_count",
)

#: Perturbations of the perturbed re-analysis, in the order they are used.
#: Each is (rotation degrees, exposure factor, added noise sigma in 8-bit
#: levels, shift px): the size of what differs between two careful captures
#: taken minutes apart (a slight turn of the head, auto-exposure, sensor noise).
PERTURBATIONS = (
    (2.0, 1.05, 1.5, (3, -2)),
    (-2.0, 0.95, 1.5, (-2, 3)),
    (1.0, 0.97, 2.0, (1, 1)),
    (-1.0, 1.03, 2.0, (-3, -1)),
    (3.0, 1.0, 1.0, (2, 2)),
    (-3.0, 1.0, 1.0, (-1, -3)),
)
MAX_PERTURB = len(PERTURBATIONS)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except Exception:  # not on a Dask worker (in-process use, tests)
        return f"{socket.gethostname()}:{os.getpid()}"


def _metric_values(analysis) -> dict[str, dict[str, float]]:
    out = {}
    for r in analysis.regions:
        vals = {}
        for m in NOISE_METRICS:
            v = getattr(r, m, None)
            if v is not None and (m in ("visibility_score",) or r.counts_meaningful):
                vals[m] = float(v)
        out[r.name] = vals
    return out


def _perturb(rgb: np.ndarray, mask: np.ndarray | None, p, seed: int):
    import cv2

    angle, exposure, sigma, (dx, dy) = p
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    m[0, 2] += dx
    m[1, 2] += dy
    out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101).astype(np.float32)
    rng = np.random.default_rng(seed)
    out = out * exposure + rng.normal(0.0, sigma, out.shape).astype(np.float32)
    out = np.clip(out + 0.5, 0, 255).astype(np.uint8)
    pm = None
    if mask is not None:
        pm = cv2.warpAffine(mask.astype(np.uint8), m, (w, h), flags=cv2.INTER_NEAREST, borderMode=cv2.BORDER_REFLECT_101) > 0
    return out, pm


def perturbed_noise(loaded, analysis, *, roi, px_per_mm, mode, sensitivity, n: int, seed: int = 0) -> dict[str, dict[str, float]]:
    """SD of each region metric over the photo and ``n`` perturbed copies of it.

    Returns ``{region: {metric: sd}}`` (ddof=1, over n+1 values); regions the
    perturbed analyses do not find again are left out.
    """
    from porescope.io import read_mask
    from porescope.pipeline import run

    n = max(0, min(int(n), MAX_PERTURB))
    if n == 0:
        return {}
    mask = None
    if roi is not None:
        mask = read_mask(roi, shape=loaded.rgb.shape[:2])
    if loaded.valid is not None:
        mask = loaded.valid if mask is None else (mask & loaded.valid)
    base = _metric_values(analysis)
    series: dict[str, dict[str, list[float]]] = {r: {m: [v] for m, v in ms.items()} for r, ms in base.items()}
    for i, p in enumerate(PERTURBATIONS[:n]):
        rgb, pm = _perturb(loaded.rgb, mask, p, seed + i)
        a = run(rgb, roi=pm, px_per_mm=px_per_mm, mode=mode if mode != "auto" else analysis.settings.mode, sensitivity=sensitivity).analysis
        for r, ms in _metric_values(a).items():
            for m, v in ms.items():
                if r in series and m in series[r]:
                    series[r][m].append(v)
    out: dict[str, dict[str, float]] = {}
    for r, ms in series.items():
        out[r] = {m: float(np.std(v, ddof=1)) for m, v in ms.items() if len(v) >= 2}
    return out


def pores_to_ipc(pores) -> bytes | None:
    """The pore list as a zstd-compressed Arrow IPC stream (None when empty)."""
    if not pores:
        return None
    import pyarrow as pa

    cols = list(type(pores[0]).model_fields)
    data = {c: [getattr(p, c) for p in pores] for c in cols}
    table = pa.table(data)
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema, options=pa.ipc.IpcWriteOptions(compression="zstd")) as w:
        w.write_table(table)
    return sink.getvalue()


def ipc_to_table(data: bytes):
    import pyarrow as pa

    return pa.ipc.open_stream(io.BytesIO(data)).read_all()


def analyze_photo(job: dict) -> dict:
    """Analyze the photo described by ``job``; never raises.

    ``job`` keys: ``key``, ``image``, ``roi``, ``px_per_mm``, ``mode``,
    ``sensitivity``, ``perturb`` (number of perturbed re-analyses), ``seed``.
    """
    t0 = time.perf_counter()
    base = {"key": job["key"], "worker": _worker_name(), "pid": os.getpid(), "host": socket.gethostname()}
    try:
        import cv2

        cv2.setNumThreads(1)  # one task per core: Dask gives the parallelism
        from porescope.io import read_image
        from porescope.pipeline import run

        loaded = read_image(job["image"])
        r = run(loaded, roi=job.get("roi"), px_per_mm=job.get("px_per_mm"), mode=job.get("mode", "auto"), sensitivity=job.get("sensitivity", 1.0))
        a = r.analysis
        a.source.path = str(job["image"])
        noise = None
        if job.get("perturb") and a.quality.measurable:
            noise = perturbed_noise(
                loaded, a, roi=job.get("roi"), px_per_mm=job.get("px_per_mm"), mode=job.get("mode", "auto"),
                sensitivity=job.get("sensitivity", 1.0), n=job["perturb"], seed=job.get("seed", 0),
            )
        del r, loaded
        analysis_json = a.model_dump_json(exclude={"pores"})
        pores = pores_to_ipc(a.pores)
        return {
            **base, "ok": True, "analysis": analysis_json, "pores": pores, "n_pores": len(a.pores), "noise": noise,
            "seconds": time.perf_counter() - t0, "peak_rss_mb": peak_rss_mb(),
            "bytes": len(analysis_json) + (len(pores) if pores else 0),
        }
    except BaseException as exc:  # noqa: BLE001 - a photo's failure is data, not a crash
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        from porescope.errors import PorescopeError

        tb = traceback.extract_tb(exc.__traceback__)
        where = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb and not isinstance(exc, PorescopeError) else ""
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {
            **base, "ok": False, "error_type": type(exc).__name__, "error": msg + where,
            "seconds": time.perf_counter() - t0, "peak_rss_mb": peak_rss_mb(), "bytes": 0,
        }


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)
