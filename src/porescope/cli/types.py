"""Shared pieces of the porescope commands' help: choices and how values are named.

Typer 0.29 prints Python types in plain help (``--db <str>``, ``PHOTO <list[Path]>``,
usage ``{photo}``). :func:`plain_help` replaces them with words that say what a
value is: an explicit ``metavar`` when the option has one (``--json FILE``),
else a word for its kind (``TEXT``, ``INTEGER``, ``NUMBER``, ``PATH``), and
choices as ``[auto|face|closeup]``.
"""

from __future__ import annotations

import re
import sys
from enum import Enum

__all__ = ["Mode", "plain_help"]


class Mode(str, Enum):
    """What the photo shows: decided from the photo (auto), a whole face, or a close-up of skin."""

    auto = "auto"
    face = "face"
    closeup = "closeup"


_WORDS = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH", "path": "PATH", "file": "FILE",
          "directory": "FOLDER", "int range": "INTEGER", "float range": "NUMBER", "bool": ""}


def _word(type_text: str | None) -> str | None:
    if not type_text:
        return type_text
    m = re.fullmatch(r"<(.*)>", type_text)
    if not m:
        return type_text
    inner = m.group(1)
    lst = re.fullmatch(r"list\[(.*)\]", inner)
    if lst:
        inner = lst.group(1)
    if "|" in inner:
        return f"[{inner}]"
    word = _WORDS.get(inner, inner.upper())
    return (word + " (repeatable)") if lst and word else word


def plain_help() -> None:
    """Patch Typer's plain help once: value names in words, usage names without braces.

    These are Typer internals (checked with Typer 0.29): on a Typer without them
    the patch is skipped and the help keeps Typer's own wording; nothing breaks.
    """
    try:
        from typer._click import exceptions as click_exc
        from typer.core import TyperArgument, TyperOption
    except ImportError:
        return
    needed = (
        (TyperArgument, "display_type_rich"), (TyperArgument, "_usage_display_name"),
        (TyperOption, "display_type_rich"), (click_exc.UsageError, "show"),
    )
    if not all(hasattr(cls, name) for cls, name in needed):
        return
    if getattr(TyperArgument, "_porescope_plain", False):
        return
    arg_type = TyperArgument.display_type_rich
    opt_type = TyperOption.display_type_rich

    def argument_type(self, ctx):
        return None if self.metavar else _word(arg_type(self, ctx))

    def argument_usage(self):
        name = (self.metavar or self.name.upper()) + ("..." if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"

    def option_type(self, ctx):
        if self.metavar:
            return self.metavar
        return _word(opt_type(self, ctx))

    from typer._click.utils import echo

    def usage_error_show(self, file=None) -> None:
        # One clear line, like every other porescope error, naming where help is.
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        message = " ".join(self.format_message().replace("Value error, ", "").split())
        echo(f"error: {message}{where}", file=file or sys.stderr)

    click_exc.UsageError.show = usage_error_show
    TyperArgument.display_type_rich = argument_type
    TyperArgument._usage_display_name = argument_usage
    TyperOption.display_type_rich = option_type
    TyperArgument._porescope_plain = True
