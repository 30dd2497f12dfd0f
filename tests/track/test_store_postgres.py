"""The history store on a real PostgreSQL server.

Uses ``$PORESCOPE_TEST_PG_URL`` if set, else starts a throwaway server with
``scripts/start_postgres.sh`` (Debian's postgresql package); skips cleanly
when neither works.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from history_helpers import add_visit, photo, worse_spec

from porescope.errors import PorescopeError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pg_server():
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("PORESCOPE_TEST_PG_URL")
    started = False
    if not url:
        try:
            r = subprocess.run(["bash", str(ROOT / "scripts" / "start_postgres.sh")], capture_output=True, text=True, timeout=90)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot start PostgreSQL: {exc}")
        if r.returncode != 0:
            pytest.skip(f"cannot start PostgreSQL: {r.stderr.strip()[-300:]}")
        url, started = r.stdout.strip().splitlines()[-1], True
    try:
        psycopg.connect(url, connect_timeout=5).close()
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL at {url} not reachable: {exc}")
    yield url
    if started and os.environ.get("PORESCOPE_TEST_PG_KEEP") is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "start_postgres.sh"), "--stop"], capture_output=True, timeout=60)


@pytest.fixture()
def pg_url(pg_server):
    """A fresh database per test, dropped afterwards."""
    import psycopg

    name = f"porescope_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    base = pg_server.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(pg_server, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_pg_add_list_compare_export_delete(pg_url, tmp_path):
    from porescope.track import Store

    s = Store(pg_url, data_dir=tmp_path)
    assert s.dialect == "postgresql"
    shared = photo(tmp_path / "a.jpg")
    v1 = add_visit(s, shared, "pat", taken_at=datetime(2026, 1, 1), condition={"cleansed": "yes"}, mode="closeup")
    v2 = add_visit(s, photo(tmp_path / "b.jpg", worse_spec()), "pat", taken_at=datetime(2026, 2, 1), mode="closeup")
    add_visit(s, shared, "quin", mode="closeup")
    assert [v.id for v in s.visits("pat")] == [v1.id, v2.id]
    assert {x.name: x.visits for x in s.subjects()} == {"pat": 2, "quin": 1}
    assert s.analysis(v1.id).regions[0].pore_count == v1.regions[0].pore_count
    assert s.visit(v1.id).condition == {"cleansed": "yes"}
    c = s.compare("pat")
    assert c.region("frame").verdict == "worse"
    assert "pat" in s.export_csv("pat")
    s.save_routine("pat", {"steps": ["spf"]})
    assert s.routine("pat").version == 1
    assert s.delete_subject("pat") == 2
    assert [x.name for x in s.subjects()] == ["quin"]
    assert len([p for p in s.photos_dir.rglob("*") if p.is_file()]) == 1
    with pytest.raises(PorescopeError):
        s.visits("pat")
    s.close()


def test_pg_reopen_is_migrated_once(pg_url, tmp_path):
    from porescope.track import Store

    Store(pg_url, data_dir=tmp_path).add_subject("r")
    s = Store(pg_url, data_dir=tmp_path)
    assert [x.name for x in s.subjects()] == ["r"]
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0001"


def test_pg_env_var_selects_postgres(pg_url, tmp_path, monkeypatch):
    from porescope.track import Store

    monkeypatch.setenv("PORESCOPE_DB_URL", pg_url)
    monkeypatch.setenv("PORESCOPE_DATA_DIR", str(tmp_path))
    s = Store()
    assert s.dialect == "postgresql" and s.data_dir == tmp_path
