"""Alembic environment for the history store.

Migrations run programmatically from :class:`porescope.track.Store` on
open, on the connection it passes in ``config.attributes['connection']``
(already inside a transaction). Running ``alembic`` from the command line
with ``sqlalchemy.url`` set works too.
"""

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


conn = config.attributes.get("connection")
if conn is not None:
    _run(conn)
else:  # pragma: no cover - command-line use
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.begin() as c:
        _run(c)
