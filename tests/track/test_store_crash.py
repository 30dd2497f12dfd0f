"""Crash safety (SIGKILL mid-add) and concurrent adds from two processes."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from history_helpers import add_visit, photo

from porescope.track import Store

ADD = """
import sys
from porescope.track import Store
from porescope.track.photos import analyze_visit_photo
db, subject, *photos = sys.argv[1:]
s = Store(db)
for p in photos:
    data, r = analyze_visit_photo(p, mode="closeup")
    s.add_visit(data, subject, analysis=r.analysis)
print("DONE", flush=True)
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and flock are POSIX")


#: The child stops for a minute just before the commit of the transaction that
#: inserted the analysis (the photo is on disk, the rows are written but not
#: committed), says so, and waits to be killed. SQLAlchemy's "commit" event runs
#: before the database commit.
ADD_AND_PAUSE = """
import os, sys, time
import sqlalchemy as sa
from porescope.track import Store, db as tables
from porescope.track.photos import analyze_visit_photo
db, subject, photo = sys.argv[1:]
s = Store(db)
inserted = []

@sa.event.listens_for(s.engine, "after_execute")
def _seen(conn, clause, *args):
    if isinstance(clause, sa.sql.dml.Insert) and clause.table is tables.analyses:
        inserted.append(True)

@sa.event.listens_for(s.engine, "commit")
def _pause(conn):
    if inserted:
        print(f"PORESCOPE-PAUSED {os.getpid()}", flush=True)
        time.sleep(60)

data, r = analyze_visit_photo(photo, mode="closeup")
s.add_visit(data, subject, analysis=r.analysis)
print("DONE", flush=True)
"""


def _env(**extra):
    env = dict(os.environ)
    env.pop("PORESCOPE_DB_URL", None)
    env.pop("PORESCOPE_DATA_DIR", None)
    env.update(extra)
    return env


def _files(d: Path):
    return sorted(p for p in (d / "photos").rglob("*") if p.is_file())


def test_kill_between_photo_write_and_commit_leaves_nothing(tmp_path):
    db = str(tmp_path / "h.db")
    add_visit(Store(db), photo(tmp_path / "first.jpg"), "keep", mode="closeup")  # existing data must survive
    p = photo(tmp_path / "a.jpg", seed=99)
    proc = subprocess.Popen(
        [sys.executable, "-c", ADD_AND_PAUSE, db, "victim", str(p)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=_env(), text=True,
    )
    try:
        deadline = time.time() + 120
        line = ""
        while time.time() < deadline:
            r, _, _ = select.select([proc.stdout], [], [], 1.0)
            if r:
                line = proc.stdout.readline()
                if line.startswith("PORESCOPE-PAUSED") or not line:
                    break
            if proc.poll() is not None:
                break
        assert line.startswith("PORESCOPE-PAUSED"), f"child did not reach the pause: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        # The photo is on disk and rows are inserted but not committed: kill now.
        assert len(_files(tmp_path)) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    s = Store(db)  # open: sweep removes the orphan photo
    assert [x.name for x in s.subjects()] == ["keep"]
    assert len(s.visits("keep")) == 1
    files = _files(tmp_path)
    assert files == [s.photo_path(s.visits("keep")[0].id)]
    # And the store still takes new visits.
    add_visit(s, p, "victim", mode="closeup")
    assert len(s.visits("victim")) == 1


def test_two_processes_adding_at_once_both_land(tmp_path):
    db = str(tmp_path / "h.db")  # fresh: both processes also race to create the schema
    a = [str(photo(tmp_path / f"a{i}.jpg", seed=100 + i)) for i in range(3)]
    b = [str(photo(tmp_path / f"b{i}.jpg", seed=200 + i)) for i in range(3)]
    shared = str(photo(tmp_path / "shared.jpg", seed=300))
    procs = [
        subprocess.Popen([sys.executable, "-c", ADD, db, subj, *ph, shared], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), text=True)
        for subj, ph in (("p1", a), ("p2", b))
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (o, e) in zip(procs, outs):
        assert p.returncode == 0, e
        assert "DONE" in o
    s = Store(db)
    assert len(s.visits("p1")) == 4 and len(s.visits("p2")) == 4
    assert len(_files(tmp_path)) == 7  # 6 own photos + the shared one, stored once
    for v in s.visits("p1") + s.visits("p2"):
        assert s.photo_path(v.id).exists()
