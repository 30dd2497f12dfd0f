"""Optional parts of porescope and the packages they need.

Studies (``porescope[study]``) and the PostgreSQL history store
(``porescope[postgres]``) need packages the rest of porescope does not; the
modules that use them call :func:`require` first, so a missing package is one
clear line naming the extra to install, not a traceback.
"""

from __future__ import annotations

import importlib.util

from porescope.errors import PorescopeError

__all__ = ["EXTRAS", "require"]

#: Extra -> the importable modules it installs (see pyproject.toml).
EXTRAS: dict[str, tuple[str, ...]] = {
    "study": ("distributed", "bokeh", "pyarrow", "pandas", "scipy"),
    "postgres": ("psycopg",),
}


def require(extra: str, what: str) -> None:
    """Raise a one-line :class:`PorescopeError` when a package of ``extra`` is missing.

    Parameters
    ----------
    extra : str
        The extra's name, a key of :data:`EXTRAS`.
    what : str
        What needs it, in words, for the message ("studies").
    """
    missing = [m for m in EXTRAS[extra] if importlib.util.find_spec(m) is None]
    if missing:
        raise PorescopeError(f"{what} need {', '.join(missing)}, which this installation lacks; "
                             f"install them with: pip install 'porescope[{extra}]'")
