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

__all__ = ["Mode", "plain_help", "light_coercion"]


class Mode(str, Enum):
    """What the photo shows: decided from the photo (auto), a whole face, or a close-up of skin."""

    auto = "auto"
    face = "face"
    closeup = "closeup"


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_MISS = object()


def _number(kind: type, pattern: re.Pattern, info):
    """A coercer for an int or float option: its own type or matching text, inside its range;
    anything else (and clamped options) is left to Typer, which words the error."""

    def to_number(v, param, ctx):
        if type(v) is kind:
            x = v
        elif type(v) is str and pattern.fullmatch(v):
            x = kind(v)
        else:
            return _MISS
        lo, hi = info.min, info.max
        if info.clamp or (lo is not None and not x >= lo) or (hi is not None and not x <= hi):
            return _MISS  # Typer clamps or words the range error itself
        return x

    return to_number


def _leaf(annotation, info):
    """A plain-Python coercer ``(value, param, ctx) -> value or _MISS`` for one simple
    annotation (str, bool, int, float, Path, Enum), or None where Typer's own is needed."""
    from pathlib import Path

    from typer._param_types import coerce_cli_choice, coerce_cli_path

    if annotation is str:
        return lambda v, param, ctx: v if type(v) is str else _MISS
    if annotation is bool:
        return lambda v, param, ctx: v if type(v) is bool else _MISS
    if annotation in (int, float):
        return _number(annotation, _INT if annotation is int else _FLOAT, info)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = list(annotation)
        return lambda v, param, ctx: coerce_cli_choice(v, choices=choices, case_sensitive=info.case_sensitive, ctx=ctx)
    if annotation is Path and info.path_type is None:
        def to_path(v, param, ctx):
            if type(v) is str and v:
                v = Path(v)
            elif not isinstance(v, Path):
                return _MISS
            return coerce_cli_path(v, info, path_type=Path, param=param, ctx=ctx)
        return to_path
    return None


def light_coercion() -> None:
    """Let Typer convert simple option values (str, bool, int, float, Path, Enum and
    lists of them) in plain Python instead of building a pydantic TypeAdapter
    per parameter: importing pydantic and building those adapters cost ~0.12 s
    of every command's start (benchmarks/bench_cli.py). A value the plain path
    does not take as-is (out of range, a bad number, anything unusual) goes to
    Typer's own coercion, so its results and error messages are unchanged.

    Typer internals (checked with Typer 0.29): on a Typer without them nothing
    is patched.
    """
    try:
        import typer.core as tcore
        from typer._coercion import RuntimeParam
        from typer._typing import get_args, get_origin
    except ImportError:
        return
    original = getattr(tcore, "build_runtime_param", None)
    if original is None or getattr(original, "_porescope_light", False):
        return
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class LightRuntimeParam(RuntimeParam):
        fast: object = None
        many: bool = False
        descriptor: object = None
        full: list = field(default_factory=list)

        def _typer(self):
            if not self.full:
                self.full.append(original(self.descriptor))
            return self.full[0]

        def _coerce_value(self, value, param, ctx):
            try:
                if self.many:
                    if isinstance(value, (list, tuple)):
                        out = [self.fast(v, param, ctx) for v in value]
                        if all(o is not _MISS for o in out):
                            return out
                else:
                    out = self.fast(value, param, ctx)
                    if out is not _MISS:
                        return out
            except Exception:  # noqa: BLE001 - Typer's own coercion words the error
                pass
            return self._typer()._coerce_value(value, param, ctx)

    def build_runtime_param(descriptor):
        ann, info = descriptor.annotation, descriptor.parameter_info
        if descriptor.file_annotation is None and info.parser is None:
            many = get_origin(ann) is list
            leaf = get_args(ann)[0] if many and len(get_args(ann)) == 1 else (None if many else ann)
            fast = _leaf(leaf, info) if leaf is not None else None
            if fast is not None:
                return LightRuntimeParam(parameter_info=info, annotation=ann, fast=fast, many=many, descriptor=descriptor)
        return original(descriptor)

    build_runtime_param._porescope_light = True
    tcore.build_runtime_param = build_runtime_param


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
