"""The unit of work a Dask worker runs: analyze one photo, return a compact result.

The worker reads the photo from its path (a study's photos must be visible to
every worker: a shared or synced folder), runs the pipeline and ships back
only small things: the :class:`~porescope.results.Analysis` JSON without its
pore list, the pores as a compressed Arrow IPC table, and (when asked) the
noise of each key metric under the perturbations of
:func:`porescope.track.change.perturbation_noise` (re-capture changes: exposure,
white balance, rotation, scale). No image
arrays travel over the network.

Nothing here raises: a photo that fails comes back as ``ok=False`` with its
error, so one bad photo never stops a study.
"""

from __future__ import annotations

import io
import os
import resource
import socket
import time
import traceback


def max_perturb() -> int:
    """How many changes a photo's noise estimate can use: every capture change and phone processing."""
    from porescope.track.change import PERTURBATIONS

    return len(PERTURBATIONS)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except Exception:  # not on a Dask worker (in-process use, tests)
        return f"{socket.gethostname()}:{os.getpid()}"


def perturbed_noise(loaded, analysis, *, roi, n: int) -> dict | None:
    """:func:`porescope.track.change.perturbation_noise` of this photo as a plain dict (None when n = 0)."""
    from porescope.measure.io import read_mask
    from porescope.track.change import perturbation_noise

    if n <= 0:
        return None
    mask = read_mask(roi, shape=loaded.rgb.shape[:2]) if roi is not None else None
    if loaded.valid is not None:
        mask = loaded.valid if mask is None else (mask & loaded.valid)
    return perturbation_noise(loaded.rgb, analysis, roi=mask, n=n).model_dump()


def pore_schema():
    """Arrow schema of the pore table: every :class:`~porescope.results.Pore` field, fixed types
    (so photos with and without a physical scale give the same columns)."""
    import pyarrow as pa

    from porescope.results import Pore

    types = {bool: pa.bool_(), int: pa.int32(), float: pa.float64(), str: pa.string()}
    fields = []
    for name, f in Pore.model_fields.items():
        ann = f.annotation
        # bool first: it is a subclass of int, but a column of its own.
        base = next((t for t in (bool, int, float, str) if ann is t or t in getattr(ann, "__args__", ())), str)
        fields.append(pa.field(name, types[base]))
    return pa.schema(fields)


def pores_to_ipc(pores) -> bytes | None:
    """The pore list as a zstd-compressed Arrow IPC stream (None when empty)."""
    if not pores:
        return None
    import pyarrow as pa

    table = pa.table({c: [getattr(p, c) for p in pores] for c in pore_schema().names}, schema=pore_schema())
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
    ``sensitivity``, ``perturb`` (number of perturbed re-analyses), ``seed``, and
    optionally ``detail_filter`` (band centres, gain dB): measure the photo at
    another visit's detail (:mod:`porescope.study.matching`).
    """
    t0 = time.perf_counter()
    c0 = time.process_time()
    base = {"key": job["key"], "worker": _worker_name(), "pid": os.getpid(), "host": socket.gethostname()}
    try:
        import cv2

        cv2.setNumThreads(1)  # one task per core: Dask gives the parallelism
        from porescope.measure.io import read_image
        from porescope.measure.pipeline import run

        loaded = read_image(job["image"])
        r = run(loaded, roi=job.get("roi"), px_per_mm=job.get("px_per_mm"), mode=job.get("mode", "auto"), sensitivity=job.get("sensitivity", 1.0),
                detail_filter=job.get("detail_filter"))
        a = r.analysis
        a.source.path = str(job["image"])
        noise = None
        if job.get("perturb") and a.quality.measurable:
            noise = perturbed_noise(loaded, a, roi=job.get("roi"), n=job["perturb"])
        del r, loaded
        analysis_json = a.model_dump_json(exclude={"pores"})
        pores = pores_to_ipc(a.pores)
        return {
            **base, "ok": True, "analysis": analysis_json, "pores": pores, "n_pores": len(a.pores), "noise": noise,
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "peak_rss_mb": peak_rss_mb(),
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
            "seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0, "peak_rss_mb": peak_rss_mb(), "bytes": 0,
        }
