"""Typer commands for the advice half: ``porescope ingredients`` and ``porescope routine``.

The main CLI calls :func:`register` on its app. All I/O lives here; the logic is in
:mod:`porescope.advise.ingredients` and :mod:`porescope.advise.routine`. Any user error prints one
line to stderr and exits 2 (never a traceback).
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Optional

import typer

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
        except Exception as exc:  # pydantic's ValidationError, imported lazily (start-up time)
            if type(exc).__name__ != "ValidationError":
                raise
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


def _print_label(report) -> None:
    """The label report as blocks: no table, so no word is ever cut and pipes get complete text."""
    from porescope.advise.ingredients import category_words
    from porescope.cli.textout import Blocks

    b = Blocks()
    b.heading("Actives found")
    if not report.actives:
        b.para("No actives relevant to pores found.")
    for a in report.actives:
        b.blank()
        kind = a.kind or category_words(a.category)
        named = kind.split()[0].lower() in a.printed_as.lower()
        b.para(f"{a.printed_as}{'' if named else f' ({kind})'}: estimated {a.estimate}", first="* ", hang=2)
        b.field("How estimated", a.bounds_basis, indent=2)
        b.field("Compared", a.assessment, indent=2)
        b.field("Usual effective range", a.effective_range, indent=2)
        b.field("For pores", a.pore_action, indent=2)
        b.field("Evidence", a.evidence_level, indent=2)
    if report.flags:
        b.heading("Flags")
        for f in report.flags:
            b.blank()
            b.para(f"{f.severity}: {f.message}", first="* ", hang=2)
            b.field("Triggered by", ", ".join(f.ingredients), indent=2)
            b.field("Source", f.citation, indent=2)
    b.heading("All entries")
    for e in report.entries:
        known = e.inci or "not in porescope's list"
        how = {"exact": "", "synonym": ", by another name", "fuzzy": ", by similar spelling", "pattern": ", a colour index"}.get(e.match, "")
        annex = f"; EU {', '.join(e.eu_annex)}" if e.eu_annex else ""
        section = "" if e.section == "ingredients" else f" [{e.section.replace('_', ' ')}]"
        b.para(f"{e.raw}{section}: {known}{how}; {e.estimate}{annex}", first=f"{e.position}. ", hang=len(str(e.position)) + 2)
    if report.notes:
        b.heading("Notes")
        for n in report.notes:
            b.para(n, first="* ", hang=2)
    b.blank()
    b.para(report.disclaimer)
    b.print()


def _sources_index(routine) -> dict[str, int]:
    """Each distinct source in the routine, numbered in order of first use."""
    index: dict[str, int] = {}
    for s in routine.am + routine.pm:
        for src in s.sources:
            index.setdefault(src, len(index) + 1)
    return index


def _print_routine(routine) -> None:
    """The routine as blocks: step name, strength and when on one line, the reason wrapped beneath."""
    from porescope.advise.routine_models import same_as_morning
    from porescope.cli.textout import Blocks

    b = Blocks()
    sources = _sources_index(routine)
    if routine.photo_given:
        b.heading("Adjusted to your photo" if routine.photo_changes else "Your photo")
        if not routine.photo_changes:
            b.para("Your photo's analysis was read, but it changed no step: this is the routine your profile alone gives.")
        for c in routine.photo_changes:
            b.para(c[0].upper() + c[1:] + ".", first="* ", hang=2)
    for slot, steps in (("Morning", routine.am), ("Evening", routine.pm)):
        b.heading(slot)
        for i, s in enumerate(steps, 1):
            b.blank()
            head = s.product_type + (f", {s.strength}" if s.strength else "") + f": {s.frequency}"
            if slot == "Evening" and same_as_morning(s, routine.am):
                b.para(f"{s.product_type}: as in the morning", first=f"{i}. ", hang=3)  # said once, not twice
                continue
            b.para(head, first=f"{i}. ", hang=3)
            b.para(s.reason, indent=3)
            if s.ramp:
                b.field("Start slowly", "; ".join(
                    f"from week {p.from_week}, {p.nights_per_week} night{'s' if p.nights_per_week > 1 else ''} a week "
                    f"({', '.join(p.days)})" for p in s.ramp), indent=3)
            if s.patch_test:
                b.para("Patch test it first: a small amount behind the ear or on the inner arm once a day for 3-5 days.", indent=3)
            b.field("Evidence", s.evidence, indent=3)
            if s.sources:
                b.field("Sources", ", ".join(f"[{sources[x]}]" for x in s.sources), indent=3)
            for m in s.products:
                b.para(f"{m.name} (fit score {m.score:g}): " + "; ".join(m.reasons), indent=3, first="- ", hang=2)
                if m.note:
                    b.para(m.note, indent=5)
    if routine.warnings:
        b.heading("Warnings")
        for w in routine.warnings:
            b.para(w, first="* ", hang=2)
    if routine.conflicts:
        b.heading("Conflicts")
        for c in routine.conflicts:
            b.para(f"{c.severity}, between {' and '.join(c.between)}: {c.message}", first="* ", hang=2)
            b.field("Source", c.citation, indent=2)
    if routine.notes:
        b.heading("Notes")
        for n in routine.notes:
            b.para(n, first="* ", hang=2)
    b.heading("What to expect")
    b.para(routine.timeline)
    b.heading("See a dermatologist if")
    for d in routine.see_a_dermatologist:
        b.para(d, first="* ", hang=2)
    if sources:
        b.heading("Sources")
        for text, n in sources.items():
            b.para(text, first=f"[{n}] ", hang=len(str(n)) + 3)
    b.blank()
    b.para(routine.disclaimer)
    b.print()


#: Every profile field, what it means and the values it takes (shown by --example-profile).
PROFILE_FIELDS = (
    ("age", "your age in years (optional). Under 12: no actives; under 18: no retinoid."),
    ("skin_type", "oily, dry, combination or normal."),
    ("sensitive", "true if your skin stings or reddens easily; false if not. Left out, porescope treats you as "
                  "sensitive: gentler strengths and slower starts."),
    ("concerns", "what bothers you, any of: visible_pores, blackheads, oiliness, texture, firmness, sun_damage."),
    ("pregnant_or_breastfeeding", "true leaves out every retinoid and salicylic acid."),
    ("allergies", "ingredient names or kinds you react to (e.g. \"salicylic acid\", \"fragrance\", \"retinoids\"); "
                  "never recommended."),
    ("current_products", "products you already use: a name and the label's ingredient list, checked for clashes."),
    ("prescriptions", "prescribed ingredients (e.g. \"tretinoin\"); they are never added, only checked for clashes."),
    ("sun_exposure", "low, moderate or high; high raises the suggested SPF to 50."),
)

EXAMPLE_PROFILE = {
    "age": 34,
    "skin_type": "combination",
    "sensitive": False,
    "concerns": ["visible_pores", "blackheads"],
    "pregnant_or_breastfeeding": False,
    "allergies": ["fragrance"],
    "current_products": [{"name": "my cleanser", "ingredients": "Aqua, Glycerin, Coco-Glucoside, Sodium Benzoate"}],
    "prescriptions": [],
    "sun_exposure": "moderate",
}


def _print_example_profile() -> None:
    from porescope.cli.textout import Blocks

    b = Blocks()
    b.heading("Profile fields (all optional; choices are not case-sensitive)")
    for name, text in PROFILE_FIELDS:
        b.para(text, first=f"{name}: ", hang=4)
    b.heading("Example profile")
    b.para("Save the JSON below as profile.json, then run:")
    b.lines.append("  porescope routine --profile profile.json")  # a command on a line of its own: never split
    b.blank()
    b.print()
    sys.stdout.write(json.dumps(EXAMPLE_PROFILE, indent=2) + "\n")


class Market(str, Enum):
    either = "either"
    eu = "eu"
    us = "us"


class Product(str, Enum):
    any = "any"
    leave_on = "leave-on"
    rinse_off = "rinse-off"


def register(app: typer.Typer) -> None:
    """Add the ``ingredients`` and ``routine`` commands to ``app``."""

    @app.command("ingredients")
    @_guard
    def ingredients_cmd(
        text: Optional[str] = typer.Argument(
            None, metavar="LABEL", help="The ingredient list as printed on the label, or '-' to read standard input."
        ),
        file: Optional[Path] = typer.Option(None, "--file", "-f", metavar="FILE", help="Read the label text from a file."),
        market: Market = typer.Option(
            Market.either, "--market", case_sensitive=False,
            help="Where the product is sold: its legal maximum strengths bound the estimates "
            "(either: the larger of the EU and US maxima).",
        ),
        product: Product = typer.Option(
            Product.any, "--product", case_sensitive=False,
            help="Leave-on or rinse-off: the usual ceilings set for that product type bound the estimates "
            "(any: the larger ceiling).",
        ),
        json_out: Optional[Path] = typer.Option(
            None, "--json", metavar="FILE", help="Also write the report as JSON to FILE ('-': JSON only, to standard output)."
        ),
    ) -> None:
        """Read an ingredient label: actives, estimated percentages, flags (cosmetic information only)."""
        from porescope.advise.ingredients import analyze_label

        if file is not None and text is not None:
            raise PorescopeError("give the label as LABEL, --file or '-', not several")
        if file is not None:
            label = _read_text(file)
        elif text == "-":
            label = sys.stdin.read()
        elif text is not None:
            label = text
        else:
            raise PorescopeError("no label given: pass LABEL, --file FILE or '-' for standard input")
        report = analyze_label(label, market=None if market is Market.either else market.value,
                               product=None if product is Product.any else product.value.replace("-", "_"))
        if json_out is not None:
            _write_json(json_out, report.model_dump_json(indent=2))
            if str(json_out) == "-":
                return
        _print_label(report)

    @app.command("routine")
    @_guard
    def routine_cmd(
        profile: Optional[Path] = typer.Option(
            None, "--profile", "-p", metavar="FILE",
            help="Your profile as JSON: skin type, concerns, allergies... (see --example-profile).",
        ),
        example_profile: bool = typer.Option(
            False, "--example-profile", help="Explain every profile field, print an example profile and exit."
        ),
        analysis: Optional[Path] = typer.Option(
            None, "--analysis", metavar="FILE", help="A result JSON from 'porescope analyze --json' to shift the routine."
        ),
        products: Optional[Path] = typer.Option(
            None, "--products", metavar="FILE", help="Products to match to the steps: JSON, or CSV with name and ingredients columns."
        ),
        json_out: Optional[Path] = typer.Option(
            None, "--json", metavar="FILE", help="Also write the routine as JSON to FILE ('-': JSON only, to standard output)."
        ),
    ) -> None:
        """Build a morning and evening pore-care routine with reasons and sources."""
        if example_profile:
            _print_example_profile()
            return
        if profile is None:
            raise PorescopeError("no profile given: pass --profile FILE (see 'porescope routine --example-profile')")
        from porescope.advise.profile import load_profile
        from porescope.advise.routine import build_routine, load_catalog
        from porescope.results import Analysis

        prof = load_profile(_read_text(profile))
        result = None
        if analysis is not None:
            try:
                result = Analysis.model_validate_json(_read_text(analysis))
            except Exception as exc:
                if type(exc).__name__ != "ValidationError":
                    raise
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
        _print_routine(routine)
