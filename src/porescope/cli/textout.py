"""Plain text for the terminal and for pipes: wrapped at the terminal width, no word ever cut.

Rich tables cut words in two at 80 columns and truncate values when piped, so
the commands that print long prose (routine, ingredients, several-image
summaries) print blocks instead: a heading line, then the text wrapped beneath
it with a hanging indent. Width comes from the terminal (``COLUMNS`` when
set); a pipe gets the same complete text at the same width, without colour.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap

__all__ = ["Blocks", "pipe_safe_stdout", "terminal_width"]

#: Narrowest width we wrap to; below it even short labels would stack word by word.
MIN_WIDTH = 40
#: Width for output that goes to a pipe or file and COLUMNS is not set.
PIPE_WIDTH = 80


def terminal_width() -> int:
    """Columns to wrap to: COLUMNS, else the terminal's width, else 80 (pipes, files)."""
    cols = shutil.get_terminal_size((PIPE_WIDTH, 24)).columns
    return max(MIN_WIDTH, cols)


class Blocks:
    """Collects lines of wrapped text; ``print()`` writes them all to stdout."""

    def __init__(self, width: int | None = None) -> None:
        self.width = width or terminal_width()
        self.lines: list[str] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def heading(self, text: str) -> None:
        self.blank()
        self.para(text)
        self.lines.append("-" * min(len(text), self.width))

    def para(self, text: str, indent: int = 0, hang: int = 0, first: str = "") -> None:
        """``text`` wrapped at the width; ``first`` (e.g. "1. ") prefixes the first line, later lines hang."""
        if not text and not first:
            return
        lead = " " * indent + first
        rest = " " * (indent + (hang if hang else len(first)))
        wrapper = textwrap.TextWrapper(
            width=self.width, initial_indent=lead, subsequent_indent=rest,
            break_long_words=False, break_on_hyphens=False,
        )
        self.lines.extend(wrapper.wrap(" ".join(text.split())) or [lead.rstrip()])

    def field(self, label: str, text: str, indent: int = 0) -> None:
        """'label: text', wrapped with the text hanging under its first word."""
        if text:
            self.para(text, indent=indent, first=f"{label}: ")

    def print(self) -> None:
        sys.stdout.write("\n".join(self.lines) + "\n")
        sys.stdout.flush()


class _PipeSafe:
    """A stdout that exits quietly (status 0) when the reader closes the pipe (``| head``)."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _closed(self):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
        except (OSError, ValueError):
            pass
        raise SystemExit(0)

    def write(self, s):
        try:
            return self._stream.write(s)
        except BrokenPipeError:
            self._closed()

    def flush(self):
        try:
            return self._stream.flush()
        except BrokenPipeError:
            self._closed()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def pipe_safe_stdout() -> None:
    """Make a closed pipe end the process quietly instead of an error exit."""
    if not isinstance(sys.stdout, _PipeSafe):
        sys.stdout = _PipeSafe(sys.stdout)
