"""The ``porescope`` command: a thin shell over the Python API, one module per
command group (:mod:`~porescope.cli.analyze` for analyze/demo/explain/schema,
:mod:`~porescope.cli.advice`, :mod:`~porescope.cli.history`,
:mod:`~porescope.cli.study`, :mod:`~porescope.cli.serve`).

Every user error is one line on stderr and exit code 2; no tracebacks.
"""

from __future__ import annotations

import sys

from porescope.cli import advice, analyze, base, history, serve, study
from porescope.cli.base import app, fail, tune_process
from porescope.cli.output import image_writer, print_summary, summary_lines, text_writer, write_outputs
from porescope.cli.types import light_coercion, plain_help
from porescope.errors import PorescopeError
from porescope.labels import REGION_NAMES

__all__ = ["app", "main", "out", "err", "fail", "tune_process", "image_writer", "text_writer", "write_outputs",
           "summary_lines", "print_summary", "REGION_NAMES"]

plain_help()
light_coercion()
for _group in (analyze, advice, history, study, serve):
    _group.register(app)


def __getattr__(name: str):
    if name in ("out", "err"):  # made on first use (see porescope.cli.base)
        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    from porescope.cli.textout import pipe_safe_stdout

    tune_process()
    pipe_safe_stdout()
    try:
        app()
    except PorescopeError as exc:  # raised outside a command's own handling
        base.print_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        base.err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":  # pragma: no cover
    main()
