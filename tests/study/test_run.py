"""The study runner on a real Dask scheduler and worker (separate processes on localhost):
outputs, a failing photo, resume after a kill, the default local cluster.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest
from typer.testing import CliRunner

from porescope.cli import app
from porescope.study.synthetic import StudyDesign, make_study

ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs):
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """`dask scheduler` + one `dask worker` (1 process, 1 thread) on free localhost ports."""
    from distributed import Client

    log = tmp_path_factory.mktemp("dask")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    procs = []
    try:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(port),
             "--dashboard-address", f"127.0.0.1:{_free_port()}"],
            stdout=open(log / "scheduler.log", "w"), stderr=subprocess.STDOUT, env=ENV))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", addr, "--nworkers", "1", "--nthreads", "1",
             "--memory-limit", "2GiB", "--no-dashboard", "--host", "127.0.0.1"],
            stdout=open(log / "worker.log", "w"), stderr=subprocess.STDOUT, env=ENV))
        deadline = time.time() + 60
        while True:
            try:
                with Client(addr, timeout="5s") as c:
                    c.wait_for_workers(1, timeout=max(1, deadline - time.time()))
                break
            except (OSError, TimeoutError):
                if time.time() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError("dask scheduler/worker did not start:\n" + (log / "scheduler.log").read_text()
                                       + (log / "worker.log").read_text()) from None
                time.sleep(0.5)
        yield addr
    finally:
        _stop(procs[::-1])


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """4 subjects x 2 visits x 2 captures of 400x400 skin; treated pores 35% shallower at V2; one broken photo."""
    folder = tmp_path_factory.mktemp("study")
    manifest = make_study(folder, StudyDesign(subjects=4, visits=2, captures=2, height=400, width=400))
    (folder / "photos" / "broken.jpg").write_bytes(b"\xff\xd8\xff this is not a JPEG")
    with manifest.open("a") as fh:
        fh.write("S05,V1,2026-01-05,photos/broken.jpg,1,control,cleansed\n")
    return manifest


def test_study_on_a_real_scheduler(scheduler, study, tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["study", "run", str(study), "--out", str(out), "--scheduler", scheduler])
    assert r.exit_code == 0, r.output
    assert "dashboard:" in r.output and "16 analyzed, 1 failed" in r.output
    info = json.loads((out / "study.json").read_text())
    assert info["run"]["scheduler"] == scheduler and info["analyzed"] == 16
    assert 0 < info["run"]["bytes_per_image"] < 200_000  # compact results: no arrays shipped

    errors = pd.read_csv(out / "errors.csv")
    assert list(errors["line"]) == [18] and errors["subject"][0] == "S05" and errors["error"][0]

    regions = pd.read_csv(out / "regions.csv")
    assert len(regions) == 16 and set(regions["subject"]) == {"S01", "S02", "S03", "S04"}
    assert pd.read_parquet(out / "regions.parquet").shape == regions.shape
    pd.read_csv(out / "quality_problems.csv")  # exists, may be empty

    pores = ds.dataset(out / "pores", format="parquet", partitioning="hive").to_table().to_pandas()
    assert sorted(p.name for p in (out / "pores").iterdir()) == ["subject=S01", "subject=S02", "subject=S03", "subject=S04"]
    assert len(pores) == (regions["pore_count"] + regions["faint_pore_count"]).sum()  # clear and faint pores are all listed
    assert {"visit", "capture", "x_px", "area_px", "contrast_dl"} <= set(pores.columns)

    change = pd.read_csv(out / "change.csv")
    vis = change[change["metric"] == "coverage_pct"]
    assert set(vis["noise_source_visit"]) == {"repeat captures (n=2)"}
    assert (vis[vis["arm"] == "treated"]["verdict"] == "improved").all()  # the known effect
    assert (vis[vis["arm"] == "treated"]["delta"] < vis[vis["arm"] == "control"]["delta"].min()).all()

    rep = pd.read_csv(out / "repeatability.csv")
    assert {"icc_2_1", "icc_3_1", "cv_pct"} <= set(rep.columns) and (rep["targets"] == 8).all()
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "ICC(2,1)" in html and "Wilcoxon" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html  # self-contained


def _cached(out: Path) -> int:
    return len(list((out / "cache").glob("*.json"))) if (out / "cache").exists() else 0


def test_resume_after_kill(scheduler, tmp_path):
    # Single captures: each photo also gets 6 perturbed re-analyses, so the run is slow enough to kill midway.
    manifest = make_study(tmp_path / "s", StudyDesign(subjects=4, visits=2, captures=1, height=400, width=400, seed=11))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "porescope", "study", "run", str(manifest), "--out", str(out), "--scheduler", scheduler,
           "--no-progress"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
    try:
        deadline = time.time() + 60
        while _cached(out) < 2 and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
        assert p.poll() is None, "the run finished before it could be killed:\n" + p.stdout.read().decode()
        os.killpg(p.pid, signal.SIGKILL)
    finally:
        p.wait()
    done = _cached(out)
    assert 2 <= done < 8
    assert not (out / "report.html").exists()
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"{done} already finished, {8 - done} analyzed, 0 failed" in r.stdout
    regions = pd.read_csv(out / "regions.csv")
    assert len(regions) == 8
    change = pd.read_csv(out / "change.csv")
    assert set(change["noise_source_visit"]) == {"perturbed re-analysis"}
    assert sum(1 for _ in (out / "pores").iterdir()) == 4
    # And a third run does nothing but rewrite the outputs.
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=120)
    assert "8 already finished, 0 analyzed" in r.stdout


def test_default_local_cluster_and_history_db(tmp_path):
    manifest = make_study(tmp_path / "s", StudyDesign(subjects=2, visits=2, captures=2, height=300, width=300, seed=5))
    out = tmp_path / "out"
    url = f"sqlite:///{tmp_path / 'db' / 'history.db'}"
    r = CliRunner().invoke(app, ["study", "run", str(manifest), "--out", str(out), "--workers", "1", "--no-progress", "--db", url])
    assert r.exit_code == 0, r.output
    assert "local cluster, 1 workers" in r.output
    assert "8 photos added, 0 already stored, 0 failed" in r.output
    from porescope.track import Store

    with Store(url) as store:  # the clinic app's view of the study: 2 visits per subject, 2 captures each
        assert [s.name for s in store.subjects()] == ["S01", "S02"]
        visits = store.visits("S01")
        assert len(visits) == 2 and all(v.captures == 2 for v in visits)
        assert visits[0].condition == {"condition": "cleansed", "arm": "control", "study_visit": "V1"}
    info = json.loads((out / "study.json").read_text())
    (w,) = info["run"]["workers"].values()
    assert w["tasks"] == 8 and w["peak_rss_mb"] > 0
    assert info["run"]["memory_limit"] == "3GiB"


def test_a_softer_visit_is_compared_at_its_detail_on_the_workers(scheduler, tmp_path):
    """The re-measure at the other visit's detail runs as a Dask job, is cached, and its pair says so."""
    import cv2

    from porescope.study.synthetic import write_jpeg

    manifest = make_study(tmp_path / "s", StudyDesign(subjects=2, visits=2, captures=1, height=400, width=400, seed=13))
    v2 = tmp_path / "s" / "photos" / "S02_V2_c1.jpg"
    rgb = cv2.imread(str(v2))[..., ::-1]
    write_jpeg(v2, cv2.GaussianBlur(rgb, (0, 0), 1.0), 92)  # S02's second visit: soft focus only
    out = tmp_path / "out"
    cmd = ["study", "run", str(manifest), "--out", str(out), "--scheduler", scheduler, "--no-progress", "--perturb", "3"]
    r = CliRunner().invoke(app, cmd)
    assert r.exit_code == 0, r.output
    assert "re-measured at the detail of the visit they are compared with" in r.output
    info = json.loads((out / "study.json").read_text())
    assert info["run"]["matched_remeasures"] == 1 and info["matched_detail"] == 1
    change = pd.read_csv(out / "change.csv")
    s02 = change[change["subject"] == "S02"]
    assert s02["detail"].str.contains("baseline re-measured at V2's detail").all()
    assert (change[change["subject"] == "S01"]["detail"] == "as measured (same detail)").all()
    assert _cached(out) == 5  # four photos and one re-measure
    r = CliRunner().invoke(app, cmd)  # the rerun re-uses the cached re-measure
    assert r.exit_code == 0 and "re-measured at the detail" not in r.output
    assert json.loads((out / "study.json").read_text())["run"]["matched_remeasures"] == 0
