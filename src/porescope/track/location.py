"""Where a history store lives: the database URL and photo folder to use
(:func:`resolve`), and the SQLAlchemy engine for it (:func:`make_engine`:
SQLite in WAL mode with a busy timeout and ``BEGIN IMMEDIATE`` writes, or
PostgreSQL through psycopg 3, the ``porescope[postgres]`` extra)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from porescope.errors import PorescopeError
from porescope.extras import require

if TYPE_CHECKING:  # imported in make_engine: resolving a URL (e.g. for the quick
    import sqlalchemy as sa  # `history list`, track/sqlite_read.py) needs no SQLAlchemy

__all__ = ["ENV_DB_URL", "ENV_DATA_DIR", "SQLITE_BUSY_TIMEOUT_S", "default_data_dir", "resolve", "make_engine"]


#: PostgreSQL (or any SQLAlchemy) URL of the store; unset = SQLite in the user data dir.
ENV_DB_URL = "PORESCOPE_DB_URL"


#: Folder for the content-addressed photos; unset = beside the SQLite file (or the user data dir).
ENV_DATA_DIR = "PORESCOPE_DATA_DIR"


#: How long SQLite waits for another writer before giving up (seconds).
SQLITE_BUSY_TIMEOUT_S = 60


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("porescope", appauthor=False))


def resolve(url: str | None = None, data_dir: str | Path | None = None) -> tuple[str, Path]:
    """The SQLAlchemy URL and photo folder a :class:`Store` uses.

    ``url``: None → ``$PORESCOPE_DB_URL`` or SQLite in the user data dir; a
    plain file path → SQLite at that path; ``postgresql://`` → psycopg 3.
    """
    url = url or os.environ.get(ENV_DB_URL) or None
    env_dir = os.environ.get(ENV_DATA_DIR)
    if url is None:
        base = Path(data_dir or env_dir or default_data_dir())
        return f"sqlite:///{base / 'porescope.db'}", base
    if "://" not in url:  # a file path
        p = Path(url).expanduser().resolve()
        return f"sqlite:///{p}", Path(data_dir or env_dir or p.parent)
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and not data_dir and not env_dir:
        path = url[len("sqlite:///"):]
        if path and path != ":memory:":
            return url, Path(path).expanduser().resolve().parent
    return url, Path(data_dir or env_dir or default_data_dir())


def _sqlite_wal(cur) -> None:
    """Switch the database to WAL mode (persistent: a no-op once done).

    Two processes opening a fresh database at once can both try to switch,
    and SQLite answers the loser "database is locked" at once instead of
    waiting on the busy timeout; so retry for as long as that timeout.
    """
    import sqlite3

    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    delay = 0.01
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(0.2, delay * 2)


def make_engine(url: str) -> sa.Engine:
    """The engine for ``url`` (see the module docstring); a bad URL is one clear line."""
    import sqlalchemy as sa

    try:
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

            @sa.event.listens_for(engine, "connect")
            def _on_connect(dbapi_conn, _rec):
                dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
                _sqlite_wal(cur)
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

            @sa.event.listens_for(engine, "begin")
            def _on_begin(conn):
                conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("porescope_immediate") else "BEGIN")

            return engine
        if url.startswith(("postgresql", "postgres")):
            require("postgres", "PostgreSQL history stores")
        return sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
        raise PorescopeError(f"cannot use the store URL {url!r}: {exc}") from None
