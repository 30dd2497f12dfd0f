"""Read and check a study manifest (CSV) before anything runs.

One row per photo. Required columns: ``subject``, ``visit``, ``date``,
``image``; optional: ``capture`` (repeat number, default 1), ``roi`` (mask
file), ``px_per_mm``, ``condition``, ``arm`` (treatment group). Relative paths
resolve against the manifest's folder.

Every problem is collected with its line number (line 1 = the header) and
raised together as one :class:`ManifestError`, so a user fixes the whole
file in one go.
"""

from __future__ import annotations

import csv
import datetime as _dt
import math
from dataclasses import dataclass
from pathlib import Path

from porescope.errors import PorescopeError

REQUIRED_COLUMNS = ("subject", "visit", "date", "image")
OPTIONAL_COLUMNS = ("capture", "roi", "px_per_mm", "condition", "arm")


class ManifestError(PorescopeError):
    """The manifest has problems; ``problems`` holds one line per problem."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = Path(path)
        self.problems = list(problems)
        n = len(problems)
        super().__init__(f"{path}: {n} problem{'s' if n != 1 else ''} in the manifest; nothing was run.")


@dataclass(frozen=True)
class Row:
    """One photo of the study."""

    line: int
    subject: str
    visit: str
    date: _dt.date
    image: Path
    capture: int = 1
    roi: Path | None = None
    px_per_mm: float | None = None
    condition: str = ""
    arm: str = ""

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.subject, self.visit, self.capture)


def _parse_date(text: str) -> _dt.date:
    text = text.strip()
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        pass
    return _dt.datetime.fromisoformat(text).date()  # raises ValueError


def _resolve(base: Path, text: str) -> Path:
    p = Path(text.strip()).expanduser()
    return p if p.is_absolute() else (base / p)


def _header_columns(path: Path, header: list[str] | None) -> list[str]:
    """The manifest's column names (lower case); raise :class:`ManifestError` for an empty file or a bad header."""
    if header is None:
        raise ManifestError(path, ["line 1: the manifest is empty (needs a header: subject,visit,date,image)."])
    cols = [h.strip().lower() for h in header]
    problems = [f"line 1: missing column '{c}' (required: {', '.join(REQUIRED_COLUMNS)})." for c in REQUIRED_COLUMNS if c not in cols]
    problems += [f"line 1: column '{c}' appears more than once." for c in sorted({c for c in cols if c and cols.count(c) > 1})]
    if problems:
        raise ManifestError(path, problems)
    return cols


def read_manifest(path: str | Path) -> list[Row]:
    """Parse and check ``path``; raise :class:`ManifestError` listing every problem."""
    path = Path(path)
    if not path.is_file():
        raise PorescopeError(f"manifest {path} not found.")
    base = path.resolve().parent
    problems: list[str] = []
    rows: list[Row] = []
    try:
        fh = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise PorescopeError(f"cannot read manifest {path}: {exc.strerror or exc}.") from None
    with fh:
        try:
            reader = csv.reader(fh)
            cols = _header_columns(path, next(reader, None))
            idx = {c: i for i, c in enumerate(cols)}
            seen: dict[tuple[str, str, int], int] = {}
            start = reader.line_num + 1
            for rec in reader:
                line = start
                start = reader.line_num + 1
                if not any(v.strip() for v in rec):
                    continue  # blank line
                if len(rec) != len(cols):
                    problems.append(f"line {line}: {len(rec)} fields, expected {len(cols)} (as in the header).")
                    continue
                get = lambda c, rec=rec: rec[idx[c]].strip() if c in idx else ""  # noqa: E731
                row_problems: list[str] = []
                for c in REQUIRED_COLUMNS:
                    if not get(c):
                        row_problems.append(f"line {line}: empty '{c}'.")
                date = None
                if get("date"):
                    try:
                        date = _parse_date(get("date"))
                    except ValueError:
                        row_problems.append(f"line {line}: date '{get('date')}' is not a date (use YYYY-MM-DD).")
                image = None
                if get("image"):
                    image = _resolve(base, get("image"))
                    if not image.is_file():
                        row_problems.append(f"line {line}: image not found: {image}.")
                capture = 1
                if get("capture"):
                    try:
                        capture = int(get("capture"))
                        if capture < 1:
                            raise ValueError
                    except ValueError:
                        row_problems.append(f"line {line}: capture '{get('capture')}' is not a whole number >= 1.")
                px = None
                if get("px_per_mm"):
                    try:
                        px = float(get("px_per_mm"))
                        if not (math.isfinite(px) and 0 < px < 10_000):
                            raise ValueError
                    except ValueError:
                        row_problems.append(f"line {line}: px_per_mm '{get('px_per_mm')}' is not a positive number.")
                        px = None
                roi = None
                if get("roi"):
                    roi = _resolve(base, get("roi"))
                    if not roi.is_file():
                        row_problems.append(f"line {line}: roi mask not found: {roi}.")
                key = (get("subject"), get("visit"), capture)
                if get("subject") and get("visit") and not any("capture" in p for p in row_problems):
                    if key in seen:
                        row_problems.append(
                            f"line {line}: duplicate of line {seen[key]} (subject {key[0]}, visit {key[1]}, capture {key[2]})."
                        )
                    else:
                        seen[key] = line
                if row_problems:
                    problems.extend(row_problems)
                    continue
                rows.append(
                    Row(
                        line=line, subject=get("subject"), visit=get("visit"), date=date, image=image, capture=capture,
                        roi=roi, px_per_mm=px, condition=get("condition"), arm=get("arm"),
                    )
                )
        except csv.Error as exc:
            problems.append(f"line {reader.line_num}: not valid CSV ({exc}).")
        except UnicodeDecodeError:
            problems.append("line 1: the manifest is not UTF-8 text.")
    if not problems and not rows:
        problems.append("line 2: the manifest has a header but no photos.")
    if problems:
        raise ManifestError(path, problems)
    return rows
