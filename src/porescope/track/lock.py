"""The store's advisory file lock on ``DATA_DIR/.lock``: shared while a visit
is added, exclusive for the orphan-photo sweep (POSIX ``fcntl.flock``;
where that does not exist the lock is a no-op and the sweep waits an hour)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["FileLock"]


class FileLock:
    """Advisory file lock: shared for adds, exclusive for the orphan sweep."""

    def __init__(self, path: Path):
        self.path = path

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        with open(self.path, "a+b") as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def try_exclusive(self) -> Iterator[bool | None]:
        """Yields True if held, False if an add is in flight, None if locks are unsupported."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield None
            return
        with open(self.path, "a+b") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
