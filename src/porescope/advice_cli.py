"""Typer commands for the advice half: ``porescope ingredients`` and ``porescope routine``.

The main CLI calls :func:`register` on its app. All I/O lives here; the logic is in
:mod:`porescope.ingredients` and :mod:`porescope.routine`. Any user error prints one
line to stderr and exits 2 (never a traceback).
"""

from __future__ import annotations

import json
import sys
from functools import wraps
from pathlib import Path
from typing import Optional

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from porescope.errors import PorescopeError

__all__ = ["register"]


def _fail(message: str) -> None:
    typer.echo(f"error: {' '.join(str(message).split())}", err=True)
    raise typer.Exit(code=2)


def _guard(func):
    """Turn every expected failure into one line on stderr and exit code 2."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except PorescopeError as exc:
            _fail(str(exc))
        except FileNotFoundError as exc:
            _fail(f"file not found: {exc.filename}")
        except IsADirectoryError as exc:
            _fail(f"expected a file, got a folder: {exc.filename}")
        except PermissionError as exc:
            _fail(f"cannot read {exc.filename}: permission denied")
        except UnicodeDecodeError:
            _fail("input is not UTF-8 text")
        except json.JSONDecodeError as exc:
            _fail(f"not valid JSON ({exc})")
        except ValidationError as exc:
            first = exc.errors()[0]
            _fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}")

    return wrapper


def _read_text(path: Path) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    return path.read_text(encoding="utf-8")


def _write_json(path: Path, text: str) -> None:
    if str(path) == "-":
        typer.echo(text)
        return
    try:
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise PorescopeError(f"cannot write {path}: {exc.strerror}") from None


def _print_label(report, console: Console) -> None:
    t = Table(title="Actives found", show_lines=False)
    for col in ("active", "category", "estimated %", "how derived", "compared", "for pores"):
        t.add_column(col, overflow="fold")
    for a in report.actives:
        t.add_row(
            f"{a.printed_as} ({a.id})",
            a.category,
            f"{a.min_pct:g}-{a.max_pct:g}",
            a.bounds_basis,
            a.assessment,
            a.pore_action,
        )
    console.print(t if report.actives else "No actives relevant to pores found.")
    if report.flags:
        ft = Table(title="Flags")
        for col in ("flag", "severity", "triggered by", "message"):
            ft.add_column(col, overflow="fold")
        for f in report.flags:
            ft.add_row(f.kind, f.severity, ", ".join(f.ingredients), f.message)
        console.print(ft)
    et = Table(title="All entries")
    for col in ("#", "section", "as printed", "known as", "match", "est. %", "EU annex"):
        et.add_column(col, overflow="fold")
    for e in report.entries:
        et.add_row(
            str(e.position),
            e.section,
            e.raw,
            e.inci or "(unknown)",
            f"{e.match} {e.confidence:.2f}",
            f"{e.min_pct:g}-{e.max_pct:g}",
            ", ".join(e.eu_annex),
        )
    console.print(et)
    for n in report.notes:
        console.print(f"note: {n}")
    console.print(report.disclaimer, style="dim")


def _print_routine(routine, console: Console) -> None:
    for slot, steps in (("Morning", routine.am), ("Evening", routine.pm)):
        t = Table(title=slot)
        for col in ("step", "strength", "how often", "targets", "why", "evidence"):
            t.add_column(col, overflow="fold")
        for s in steps:
            freq = s.frequency
            if s.ramp:
                freq += " | ramp: " + "; ".join(f"week {p.from_week}+: {p.nights_per_week}/wk" for p in s.ramp)
            if s.patch_test:
                freq += " | patch test first"
            why = s.reason
            if s.products:
                why += " | products: " + "; ".join(f"{p.name} ({p.score:g})" for p in s.products)
            t.add_row(s.product_type, s.strength, freq, ", ".join(s.targets), why, s.citation)
        console.print(t)
    for w in routine.warnings:
        console.print(f"warning: {w}", style="yellow")
    for c in routine.conflicts:
        console.print(f"conflict ({c.severity}) between {' and '.join(c.between)}: {c.message}", style="yellow")
    for n in routine.notes:
        console.print(f"note: {n}")
    console.print(f"timeline: {routine.timeline}")
    console.print("see a dermatologist if: " + "; ".join(routine.see_a_dermatologist))
    console.print(routine.disclaimer, style="dim")


def register(app: typer.Typer) -> None:
    """Add the ``ingredients`` and ``routine`` commands to ``app``."""

    @app.command("ingredients")
    @_guard
    def ingredients_cmd(
        text: Optional[str] = typer.Argument(None, help="Label text, or '-' to read standard input."),
        file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the label text from a file."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the report as JSON here ('-' for stdout)."),
    ) -> None:
        """Read an ingredient label: actives, estimated percentages, flags (cosmetic information only)."""
        from porescope.ingredients import analyze_label

        if file is not None and text is not None:
            raise PorescopeError("give the label as TEXT, --file or '-', not several")
        if file is not None:
            label = _read_text(file)
        elif text == "-":
            label = sys.stdin.read()
        elif text is not None:
            label = text
        else:
            raise PorescopeError("no label given: pass TEXT, --file FILE or '-' for standard input")
        report = analyze_label(label)
        if json_out is not None:
            _write_json(json_out, report.model_dump_json(indent=2))
            if str(json_out) == "-":
                return
        _print_label(report, Console())

    @app.command("routine")
    @_guard
    def routine_cmd(
        profile: Path = typer.Option(..., "--profile", "-p", help="Profile JSON (see porescope.profile.Profile)."),
        analysis: Optional[Path] = typer.Option(None, "--analysis", help="A porescope analysis JSON to shift the routine."),
        products: Optional[Path] = typer.Option(None, "--products", help="Catalog (JSON or CSV with name, ingredients)."),
        json_out: Optional[Path] = typer.Option(None, "--json", help="Write the routine as JSON here ('-' for stdout)."),
    ) -> None:
        """Build a morning and evening pore-care routine with reasons and citations."""
        from porescope.profile import load_profile
        from porescope.results import Analysis
        from porescope.routine import build_routine, load_catalog

        prof = load_profile(_read_text(profile))
        result = None
        if analysis is not None:
            try:
                result = Analysis.model_validate_json(_read_text(analysis))
            except ValidationError as exc:
                first = exc.errors()[0]
                raise PorescopeError(
                    f"analysis {analysis}: not a porescope analysis ({'.'.join(map(str, first['loc']))}: {first['msg']})"
                ) from None
        catalog = None
        if products is not None:
            fmt = "csv" if products.suffix.lower() == ".csv" else None
            catalog = load_catalog(_read_text(products), fmt=fmt)
        routine = build_routine(prof, result, catalog)
        if json_out is not None:
            _write_json(json_out, routine.model_dump_json(indent=2))
            if str(json_out) == "-":
                return
        _print_routine(routine, Console())
