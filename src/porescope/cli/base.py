"""The ``porescope`` command's shared parts: the Typer app, the two consoles and
the one-line failure every command uses.

Every user error is one line on stderr and exit code 2; no tracebacks.
"""

from __future__ import annotations

import sys

import typer

from porescope import __version__

app = typer.Typer(
    # Plain click help: "--json FILE", "--mode [auto|face|closeup]" (Typer\'s rich panels show
    # Python types such as <bool> and <list[Path]>, and importing them slows every --help).
    rich_markup_mode=None,
    add_completion=False,
    no_args_is_help=True,
    help="porescope: find, measure and track visible skin pores on your own machine. Cosmetic guidance, not a diagnosis.",
    pretty_exceptions_enable=False,
)


#: The two rich consoles, ``out`` (stdout) and ``err`` (stderr), are made on first use
#: (module ``__getattr__``): importing rich.console costs ~25 ms of every command's
#: start, and commands such as ``history list`` print plain text only (benchmarks/bench_cli.py).
_CONSOLES = {"out": {}, "err": {"stderr": True}}


def __getattr__(name: str):
    if name in _CONSOLES:
        from rich.console import Console

        console = globals()[name] = Console(**_CONSOLES[name])
        return console
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"porescope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print porescope's version and exit."
    ),
) -> None:
    """porescope: find, measure and track visible skin pores on your own machine. Cosmetic guidance, not a diagnosis."""


#: How often (seconds) Python passes the GIL between threads in a porescope
#: process. During an analysis the image thread makes many short NumPy and
#: OpenCV calls while the main thread builds per-pore records in Python; at
#: Python's default 5 ms each of those calls can wait a whole interval to get
#: the GIL back. At 0.5 ms a 12 MP `analyze` ran 8-12% faster (interleaved
#: A/B on benchmarks/bench_speed.py's photo, 3 rounds, 2026-11-26).
GIL_SWITCH_INTERVAL_S = 0.0005


def tune_process() -> None:
    """Process-wide settings for the porescope command, made by its entry point only
    (never on import: porescope as a library leaves the process alone).

    - the GIL switch interval (see GIL_SWITCH_INTERVAL_S);
    - the cyclic garbage collector: everything imported so far lives as long as the
      process, so it is moved out of the collector's sight (``gc.freeze``) and the
      collector, which ``python -m porescope`` switches off while the CLI is imported,
      is switched back on. Later collections (many while pydantic builds its models)
      then no longer walk every module object again: ~20 ms of `porescope ingredients`
      (benchmarks/bench_cli.py, interleaved A/B, 2026-12-02);
    - pydantic's plugin search: the first model build scans the entry points of every
      installed package for pydantic plugins (~20 ms in our environment). porescope
      uses none, so ``PYDANTIC_DISABLE_PLUGINS`` (pydantic's documented switch) is set
      unless the user has set it.
    """
    import gc
    import os

    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    gc.freeze()
    gc.enable()
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


class spinner:  # noqa: N801 - used like a function: ``with spinner("analyzing"):``
    """A spinner and a line on stderr while something slow runs (an analysis, a first comparison), erased
    when it ends; only on a terminal (rich's ``Console.is_terminal``: a tty, or FORCE_COLOR), so pipes and
    logs get no spinner frames. The text is printed literally."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.status = None

    def __enter__(self):
        import os

        if not (sys.stderr.isatty() or os.environ.get("FORCE_COLOR")):  # decided before rich.console is imported (~20 ms)
            return self
        console = sys.modules[__name__].err
        if console.is_terminal:
            from rich.text import Text

            self.status = console.status(Text(self.text), spinner="dots")
            self.status.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.status is not None:
            self.status.stop()


def print_error(message) -> None:
    """'error: MESSAGE' on stderr, the message printed literally: a subject called "[b]x" or the
    hint "pip install 'porescope[study]'" is never read as rich markup."""
    from rich.text import Text

    sys.modules[__name__].err.print(Text.assemble(("error:", "bold red"), " ", str(message)), highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    """Print one clear line to stderr and exit."""
    print_error(message)
    raise typer.Exit(code)
