"""Bad manifests: every problem reported with its line number, nothing run, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from porescope.study.manifest import ManifestError, read_manifest


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.jpg").write_bytes(b"not really a jpeg, but it exists")
    (tmp_path / "b.jpg").write_bytes(b"x")
    (tmp_path / "mask.png").write_bytes(b"x")
    return tmp_path


def _write(folder: Path, text: str) -> Path:
    p = folder / "manifest.csv"
    p.write_text(text)
    return p


def _problems(path: Path) -> list[str]:
    with pytest.raises(ManifestError) as e:
        read_manifest(path)
    return e.value.problems


def test_good_manifest_resolves_relative_paths(folder):
    p = _write(folder, "subject,visit,date,image,capture,roi,px_per_mm,arm,condition\n"
                       "S1,V1,2026-01-05,a.jpg,1,mask.png,12.5,treated,cleansed\n"
                       "S1,V1,2026-01-05,b.jpg,2,,,treated,\n")
    rows = read_manifest(p)
    assert [r.line for r in rows] == [2, 3]
    assert rows[0].image == folder / "a.jpg" and rows[0].roi == folder / "mask.png" and rows[0].px_per_mm == 12.5
    assert rows[1].capture == 2 and rows[1].px_per_mm is None and rows[0].arm == "treated"


def test_missing_columns_are_reported_on_line_1(folder):
    probs = _problems(_write(folder, "subject,visit,image\nS1,V1,a.jpg\n"))
    assert probs == ["line 1: missing column 'date' (required: subject, visit, date, image)."]


def test_each_bad_row_reported_with_its_line(folder):
    text = (
        "subject,visit,date,image,capture,px_per_mm\n"
        "S1,V1,2026-01-05,a.jpg,1,12\n"        # 2 fine
        "S1,V1,05/01/2026,a.jpg,2,12\n"        # 3 bad date
        "S1,V2,2026-02-05,missing.jpg,1,12\n"  # 4 missing file
        "S2,V1,2026-01-05,a.jpg,one,12\n"      # 5 bad capture
        "S2,V2,2026-01-05,a.jpg,1,-3\n"        # 6 bad number
        "S1,V1,2026-01-05,b.jpg,1,12\n"        # 7 duplicate of line 2
        ",V1,2026-01-05,a.jpg,1,\n"            # 8 empty subject
        "S3,V1,2026-01-05,a.jpg\n"             # 9 too few fields
    )
    probs = _problems(_write(folder, text))
    lines = [int(p.split(":")[0].split()[1]) for p in probs]
    assert lines == [3, 4, 5, 6, 7, 8, 9]
    assert "date '05/01/2026' is not a date" in probs[0]
    assert "image not found" in probs[1] and "missing.jpg" in probs[1]
    assert "capture 'one'" in probs[2]
    assert "px_per_mm '-3'" in probs[3]
    assert "duplicate of line 2" in probs[4]
    assert "empty 'subject'" in probs[5]
    assert "4 fields, expected 6" in probs[6]


def test_quoted_multiline_field_keeps_line_numbers(folder):
    text = 'subject,visit,date,image,condition\nS1,V1,2026-01-05,a.jpg,"two\nlines"\nS1,V2,2026-13-01,a.jpg,x\n'
    assert _problems(_write(folder, text)) == ["line 4: date '2026-13-01' is not a date (use YYYY-MM-DD)."]


def test_empty_and_header_only(folder):
    assert "empty" in _problems(_write(folder, ""))[0]
    assert "no photos" in _problems(_write(folder, "subject,visit,date,image\n"))[0]


def test_cli_prints_one_line_per_problem_and_exits_2(folder, tmp_path):
    p = _write(folder, "subject,visit,date,image\nS1,V1,2026-01-05,a.jpg\nS1,V1,2026-01-05,b.jpg\nS2,V1,notadate,nope.jpg\n")
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "porescope", "study", "run", str(p), "--out", str(out)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert any("line 3: duplicate of line 2" in ln for ln in lines)
    assert any("line 4: date 'notadate'" in ln for ln in lines)
    assert any("line 4: image not found" in ln for ln in lines)
    assert lines[-1].startswith("error:") and "3 problems" in lines[-1]
    assert not (out / "cache").exists()  # nothing ran
