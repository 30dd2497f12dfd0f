"""The read-only sqlite3 listing (porescope.track.sqlite_read) gives exactly what
the SQLAlchemy store gives, and steps aside wherever it does not apply."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime

import pytest
from history_helpers import BASE, add_visit, photo

from porescope.track import Store, sqlite_read


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A store with three subjects: two visits + a repeat capture, one visit, none."""
    tmp = tmp_path_factory.mktemp("quick")
    a, b = photo(tmp / "a.jpg"), photo(tmp / "b.jpg", BASE, seed=12)
    url = f"sqlite:///{tmp / 'h.db'}"
    with Store(url) as s:
        v1 = add_visit(s, a, "ann", taken_at=datetime(2026, 1, 5, 9, 0, 0, 123456),
                         condition={"cleansed": "yes", "since_wash_h": 1.5}, device="phone X", lighting="window")
        add_visit(s, b, "ann", taken_at=datetime(2026, 2, 1, 18, 30), mode="closeup")
        add_visit(s, b, "ann", repeat_of=v1.id)
        add_visit(s, a, "Bo 2", taken_at=datetime(2025, 12, 31, 23, 59, 59))
        s.add_subject("cy")
    return url


def test_subject_rows_equal_the_stores(filled):
    quick = sqlite_read.subject_rows(filled)
    with Store(filled) as s:
        full = s.subject_rows()
        assert sqlite_read.subject_infos(quick) == s.subjects()
    assert quick == full
    assert [r[0] for r in quick] == ["Bo 2", "ann", "cy"] and [r[2] for r in quick] == [1, 2, 0]
    assert quick[1][3] == datetime(2026, 1, 5, 9, 0, 0, 123456) and quick[2][3] is None
    assert all(isinstance(r[1], datetime) for r in quick)


@pytest.mark.parametrize("subject", ["ann", "Bo 2", "cy"])
def test_visits_equal_the_stores(filled, subject):
    quick = sqlite_read.visits(filled, subject)
    with Store(filled) as s:
        full = s.visits(subject)
    assert quick == full
    assert [v.model_dump() for v in quick] == [v.model_dump() for v in full]
    if subject == "ann":
        assert [v.captures for v in quick] == [2, 1] and quick[0].condition == {"cleansed": "yes", "since_wash_h": 1.5}
        assert quick[0].taken_at.microsecond == 123456 and quick[0].regions and quick[0].device == "phone X"


def test_empty_store_lists_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    assert sqlite_read.subject_rows(url) is None  # no file yet: the Store creates it
    Store(url).close()
    assert sqlite_read.subject_rows(url) == []


def test_steps_aside_where_it_does_not_apply(filled, tmp_path):
    assert sqlite_read.visits(filled, "nobody") is None  # the store words the error
    assert sqlite_read.subject_rows("sqlite://") is None  # in memory
    assert sqlite_read.subject_rows("postgresql://u@localhost/db") is None
    assert sqlite_read.subject_rows(str(tmp_path / "missing.db")) is None
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert sqlite_read.subject_rows(str(tmp_path / "junk.db")) is None
    odd = sqlite3.connect(tmp_path / "odd.db")  # says it is at head, but its tables are not there
    odd.executescript("CREATE TABLE alembic_version (version_num VARCHAR(32)); INSERT INTO alembic_version VALUES ('0001');")
    odd.commit()
    odd.close()
    assert sqlite_read.subject_rows(str(tmp_path / "odd.db")) is None
    assert sqlite_read.visits(str(tmp_path / "odd.db"), "ann") is None


def test_an_older_revision_is_left_to_the_store(tmp_path):
    from alembic import command
    from alembic.config import Config

    from porescope.track.store import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'old.db'}"
    s = Store(url)
    s.add_subject("ann")
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with s.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")  # back before the first revision
    s.close()
    assert sqlite_read.subject_rows(url) is None and sqlite_read.visits(url, "ann") is None
    with Store(url) as s:  # the store migrates it back to head
        assert s.subject_rows() == []
    assert sqlite_read.subject_rows(url) == []


def test_history_list_reads_sqlite_without_sqlalchemy(filled):
    code = (
        "import sys\n"
        "from porescope.cli import main\n"
        f"sys.argv = ['porescope', 'history', 'list', '--db', {filled!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert lines[0] == "3 subject(s)" and lines[-1] == "False", r.stdout
    assert any(line.startswith("ann ") and " 2 " in line for line in lines)
