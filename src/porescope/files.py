"""The one way porescope writes a file: through a temporary file in the same
folder and a rename, so a reader sees the old file or the whole new one, never
a part, and a crash leaves nothing half-written."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
from pathlib import Path

from porescope.errors import PorescopeError

__all__ = ["atomic_write", "process_umask"]


@functools.cache
def process_umask() -> int:
    """The process's umask, read once when first needed.

    Read from ``/proc/self/status`` where the kernel reports it; elsewhere by
    setting and restoring it (the only portable way to read it).
    """
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike, data: bytes | list[bytes], *, durable: bool = False,
                 private: bool = False, clear_errors: bool = True, make_folder: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, then rename).

    Parameters
    ----------
    path : path-like
        Destination file; replaced whole or not at all.
    data : bytes or list of bytes
        The content, or buffers written one after another (not joined in memory).
    durable : bool
        fsync the file before the rename (stored photos, study results).
    private : bool
        Keep the temporary file's owner-only mode (0600) instead of the usual
        permissions of a new file under the process's umask.
    clear_errors : bool
        Turn a missing folder or an OS error into a one-line
        :class:`~porescope.errors.PorescopeError`; otherwise OS errors propagate.
    make_folder : bool
        Create the destination folder (and its parents) first.

    Returns
    -------
    Path
        The path written.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if make_folder:
        parent.mkdir(parents=True, exist_ok=True)
    if clear_errors and not parent.exists():
        raise PorescopeError(f"{path}: folder {parent} does not exist; create it first.")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    except OSError as exc:
        if not clear_errors:
            raise
        raise PorescopeError(f"{path}: cannot write in {parent} ({exc.strerror or exc}).") from None
    try:
        if not private and hasattr(os, "fchmod"):  # POSIX: mkstemp's 0600 -> the usual 0644-like mode
            os.fchmod(fd, 0o666 & ~process_umask())
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, list):
                f.writelines(data)
            else:
                f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if clear_errors and isinstance(exc, OSError):  # disk full, path is a folder, ...: one clear line, old file kept
            raise PorescopeError(f"{path}: could not be written ({exc.strerror or exc}); nothing was replaced.") from None
        raise
    return path
