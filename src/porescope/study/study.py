"""``run_study``: manifest → Dask run (resumable) → tables, report, optional database."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from porescope.errors import PorescopeError
from porescope.extras import require
from porescope.measure.regions import check_mode
from porescope.study.manifest import read_manifest
from porescope.study.runner import DEFAULT_MEMORY_LIMIT, DEFAULT_PERTURB, is_done, plan_jobs, run_jobs, start_client
from porescope.study.tables import write_all

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyOptions:
    """How a study runs: on a local cluster of ``workers`` processes (each within
    ``memory_limit``) or an existing ``scheduler``; how it measures (``mode``,
    ``sensitivity``, ``perturb`` capture changes per photo for its noise); and
    an optional history database (``db``, a URL or SQLite file) to store into."""

    workers: int = 2
    scheduler: str | None = None
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    mode: str = "auto"
    sensitivity: float = 1.0
    perturb: int = DEFAULT_PERTURB
    db: str | None = None


def run_study(manifest: str | Path, out: str | Path, options: StudyOptions | None = None, *, console=None, progress: bool = True,
              on_client=None) -> dict:
    """Run every photo of ``manifest`` (skipping finished ones) and write the study outputs into ``out``.

    Returns the summary also saved as ``out/study.json``. Raises
    :class:`~porescope.study.manifest.ManifestError` (listing every bad
    row) before anything runs. ``options``: :class:`StudyOptions` (default: its defaults).
    """
    o = options if options is not None else StudyOptions()
    workers, scheduler, memory_limit, mode, sensitivity, perturb, db = (o.workers, o.scheduler, o.memory_limit, o.mode, o.sensitivity,
                                                                        o.perturb, o.db)
    check_mode(mode, "--mode")
    require("study", "studies")
    rows = read_manifest(manifest)
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PorescopeError(f"cannot create the output folder {out}: {exc.strerror or exc}.") from None
    jobs, line_key, line_sha = plan_jobs(rows, mode=mode, sensitivity=sensitivity, perturb=perturb)
    summary = run_jobs(jobs, out, workers=workers, scheduler=scheduler, memory_limit=memory_limit, mode=mode,
                       sensitivity=sensitivity, console=console, progress=progress, on_client=on_client)
    plans, matched = _match_detail(rows, line_key, out, workers=workers, scheduler=scheduler, memory_limit=memory_limit, mode=mode,
                                   sensitivity=sensitivity, console=console, progress=progress)
    run_info = summary.as_dict()
    run_info["matched_remeasures"] = matched
    run_info.update({"mode": mode, "sensitivity": sensitivity, "perturb": perturb, "memory_limit": None if scheduler else memory_limit,
                     "manifest": str(Path(manifest).resolve())})
    info = write_all(rows, line_key, line_sha, out, summary.errors, run_info, plans=plans)
    if db:
        ok_lines = {r.line for r in rows if is_done(out, line_key[r.line])}
        info["db"] = store_in_db(
            db, rows, line_key, line_sha, ok_lines, mode=mode,
            client_factory=lambda: start_client(workers=workers, scheduler=scheduler, memory_limit=memory_limit),
        )
        (out / "study.json").write_text(json.dumps(info, indent=1, default=str))
    return info


def _match_detail(rows, line_key, out: Path, *, console, progress, **run_kw) -> tuple[dict, int]:
    """Plan how each subject's baseline and later visits are compared at the same detail, and run the
    re-measures that needs (porescope.study.matching); returns (plans, re-measures run in this call)."""
    from porescope.study.matching import match_jobs, plan_pairs
    from porescope.study.runner import load_result

    results = {}
    for r in rows:
        res = load_result(out, line_key[r.line])
        if res is not None and res.get("ok"):
            results[r.line] = res
    plans = plan_pairs(rows, results)
    jobs = match_jobs(rows, line_key, results, plans)
    if not any(not is_done(out, j.key) for j in jobs):
        return plans, 0
    if console is not None:
        console.print(f"{len(jobs)} photo(s) re-measured at the detail of the visit they are compared with", highlight=False, markup=False)
    done = run_jobs(jobs, out, console=console, progress=progress, **run_kw)
    return plans, done.analyzed


def store_in_db(url: str, rows, line_key, line_sha, ok_lines, *, mode, client_factory) -> dict:
    """Save every analyzed photo into the history database at ``url`` (porescope.track.Store)."""
    from porescope.study.db import store_rows
    from porescope.track import Store

    return store_rows(Store, url, rows, line_key, line_sha, ok_lines, client_factory=client_factory, mode=mode)
