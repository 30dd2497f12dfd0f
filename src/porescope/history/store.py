"""Compatibility path: the code lives in :mod:`porescope.track.store`."""

from porescope.track.location import (  # noqa: F401
    ENV_DATA_DIR,
    ENV_DB_URL,
    SQLITE_BUSY_TIMEOUT_S,
    default_data_dir,
)
from porescope.track.store import (  # noqa: F401
    HEAD_REVISION,
    MIGRATIONS_DIR,
    ORPHAN_GRACE_S,
    Store,
    region_summary,
    resolve,
)

__all__ = [
    "ENV_DB_URL", "ENV_DATA_DIR", "SQLITE_BUSY_TIMEOUT_S", "ORPHAN_GRACE_S", "MIGRATIONS_DIR",
    "HEAD_REVISION", "default_data_dir", "resolve", "region_summary", "Store",
]
