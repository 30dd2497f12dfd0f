"""``porescope history ...`` and ``porescope report`` end to end (SQLite in a temp dir)."""

from __future__ import annotations

import csv
import json

import pytest
from history_helpers import photo, worse_spec
from typer.testing import CliRunner

from porescope.cli import app

runner = CliRunner()


def _run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture()
def db(tmp_path, monkeypatch):
    monkeypatch.delenv("PORESCOPE_DB_URL", raising=False)
    monkeypatch.delenv("PORESCOPE_DATA_DIR", raising=False)
    return str(tmp_path / "cli.db")


def test_cli_end_to_end(db, tmp_path):
    a = photo(tmp_path / "a.jpg")
    b = photo(tmp_path / "b.jpg", worse_spec())
    r = _run("history", "add", a, "--subject", "sam", "--date", "2026-01-01T08:00", "--condition", "cleansed=yes",
             "--condition", "since_wash_h=2", "--device", "phone", "--lighting", "window", "--mode", "closeup", "--db", db, "--json")
    assert r.exit_code == 0, r.output
    v1 = json.loads(r.output)
    assert v1["condition"] == {"cleansed": "yes", "since_wash_h": 2} and v1["taken_at"].startswith("2026-01-01T08:00")
    r = _run("history", "add", b, "--subject", "sam", "--date", "2026-03-01", "--mode", "closeup", "--db", db)
    assert r.exit_code == 0, r.output
    assert "stored visit" in r.output
    r = _run("history", "list", "--db", db)
    assert r.exit_code == 0 and "sam" in r.output
    r = _run("history", "list", "--subject", "sam", "--db", db, "--json")
    visits = json.loads(r.output)
    assert [v["id"] for v in visits][0] == v1["id"] and len(visits) == 2
    r = _run("history", "show", v1["id"], "--db", db)
    assert r.exit_code == 0 and "window" in r.output
    r = _run("history", "show", v1["id"], "--db", db, "--json")
    assert json.loads(r.output)["schema_version"]
    r = _run("history", "compare", "--subject", "sam", "--db", db)
    assert r.exit_code == 0, r.output
    assert "worse" in r.output and "interval" in r.output
    r = _run("history", "compare", "--subject", "sam", "--a", visits[0]["id"], "--b", visits[1]["id"], "--db", db, "--json")
    cmp = json.loads(r.output)
    assert cmp["regions"][0]["verdict"] == "worse"
    out = tmp_path / "all.csv"
    r = _run("history", "export", "--csv", out, "--db", db)
    assert r.exit_code == 0 and len(list(csv.DictReader(out.open()))) == 2
    html, pdf = tmp_path / "r.html", tmp_path / "r.pdf"
    r = _run("report", "--subject", "sam", "--html", html, "--pdf", pdf, "--db", db)
    assert r.exit_code == 0, r.output
    assert html.read_text().startswith("<!doctype html>") and pdf.read_bytes()[:5] == b"%PDF-"
    r = _run("history", "delete", "--subject", "sam", "--db", db, input="n\n")
    assert r.exit_code == 1
    r = _run("history", "delete", "--subject", "sam", "--db", db, "--yes")
    assert r.exit_code == 0 and "erased" in r.output
    r = _run("history", "list", "--subject", "sam", "--db", db)
    assert r.exit_code == 2


def test_cli_repeat_capture(db, tmp_path):
    r = _run("history", "add", photo(tmp_path / "a.jpg"), "--subject", "tia", "--mode", "closeup", "--db", db, "--json")
    vid = json.loads(r.output)["id"]
    r = _run("history", "add", photo(tmp_path / "a2.jpg", exposure=1.03), "--subject", "tia", "--repeat-of", vid, "--mode", "closeup", "--db", db)
    assert r.exit_code == 0 and f"capture 2 of visit {vid}" in r.output


@pytest.mark.parametrize(
    "args, msg",
    [
        (["history", "add", "missing.jpg", "--subject", "x"], "no such photo"),
        (["history", "add", "{photo}", "--subject", "x", "--condition", "nokey"], "key=value"),
        (["history", "add", "{photo}", "--subject", "x", "--date", "yesterday"], "ISO"),
        (["history", "add", "{photo}", "--subject", "x", "--mode", "banana"], "--mode"),
        (["history", "show", "999"], "no visit 999"),
        (["history", "compare", "--subject", "nobody"], "no subject"),
        (["history", "export", "--csv", "out.txt"], ".csv"),
        (["history", "delete", "--subject", "nobody", "--yes"], "no subject"),
        (["report", "--subject", "nobody"], "--html"),
        (["report", "--subject", "nobody", "--html", "{tmp}/r.html"], "no subject"),
    ],
)
def test_cli_errors_are_one_line_exit_2(db, tmp_path, args, msg):
    p = photo(tmp_path / "p.jpg")
    args = [a.replace("{photo}", str(p)).replace("{tmp}", str(tmp_path)) for a in args]
    r = _run(*args, "--db", db)
    assert r.exit_code == 2, r.output
    assert msg in r.output
    assert "Traceback" not in r.output
    assert sum(1 for line in r.output.splitlines() if line.startswith("error:")) == 1


def test_cli_uses_env_db(tmp_path, monkeypatch):
    monkeypatch.setenv("PORESCOPE_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.delenv("PORESCOPE_DATA_DIR", raising=False)
    r = _run("history", "add", photo(tmp_path / "a.jpg"), "--subject", "uma", "--mode", "closeup")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "env.db").exists()


def test_show_and_compare_at_80_columns_keep_every_word(db, tmp_path):
    import os
    import re
    import subprocess
    import sys

    a = photo(tmp_path / "a.jpg")
    b = photo(tmp_path / "b.jpg", worse_spec())
    for p, date in ((a, "2026-01-01"), (b, "2026-03-01")):
        assert _run("history", "add", p, "--subject", "zoe", "--date", date, "--mode", "closeup", "--db", db).exit_code == 0
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")

    def run(*args):
        r = subprocess.run([sys.executable, "-m", "porescope", *map(str, args), "--db", db], capture_output=True, text=True,
                           env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def words(text):
        return {w.strip(".,;:()'") for w in re.findall(r"[\w%.+/<>=-]+", text)} - {""}

    comp = json.loads(run("history", "compare", "--subject", "zoe", "--json"))
    shown = run("history", "compare", "--subject", "zoe")
    # Issue 22: the compact comparison prints no summary repeating its rows; every note and verdict is shown whole.
    texts = [*comp["notes"]] + [m["verdict"].replace("_", " ") for r in comp["regions"] for m in r["metrics"]]
    assert not (set().union(*map(words, texts)) - words(shown))
    vid = json.loads(run("history", "list", "--subject", "zoe", "--json"))[0]["id"]
    analysis = json.loads(run("history", "show", vid, "--json"))
    shown_visit = run("history", "show", vid)
    texts = [p["message"] for p in analysis["quality"]["problems"]] + [e for c in analysis["causes"] for e in c["evidence"]]
    assert not (set().union(set(), *map(words, texts)) - words(shown_visit))
    for out in (shown, shown_visit):
        for line in out.splitlines():
            assert len(line) <= 80 or " " not in line.strip(), line
        assert "…" not in out


def test_history_list_starts_without_pydantic_numpy_opencv_or_rich(db, tmp_path):
    """`porescope history list` prints plain rows: a lazy path that must stay lazy
    (pydantic, NumPy, OpenCV and rich cost ~0.3 s of start-up; benchmarks/bench_cli.py)."""
    import subprocess
    import sys

    assert _run("history", "add", photo(tmp_path / "a.jpg"), "--subject", "ana", "--mode", "closeup", "--db", db).exit_code == 0
    code = (
        "import sys\n"
        "from porescope.cli import main\n"
        f"sys.argv = ['porescope', 'history', 'list', '--db', {db!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = ('pydantic', 'numpy', 'cv2', 'PIL', 'alembic', 'rich.console', 'porescope.results', 'porescope.track.models')\n"
        "print('loaded:', sorted(m for m in heavy if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = r.stdout.splitlines()
    assert lines[0] == "1 subject(s)"
    assert lines[2].split()[:2] == ["ana", "1"]
    assert lines[-1] == "loaded: []"
    # The JSON path still gives the full records.
    rows = json.loads(_run("history", "list", "--json", "--db", db).output)
    assert [(s["name"], s["visits"]) for s in rows] == [("ana", 1)]


def test_names_print_as_typed_never_as_markup(db, tmp_path):
    a = photo(tmp_path / "a.jpg")
    r = _run("history", "add", a, "--subject", "[b]Ann[/b]", "--date", "2026-01-01T08:00", "--mode", "closeup", "--db", db)
    assert r.exit_code == 0, r.output
    assert r.output.startswith("stored visit 1 of [b]Ann[/b] (2026-01-01 08:00)\n"), r.output
    r = _run("history", "list", "--db", db)
    assert r.exit_code == 0 and "\n[b]Ann[/b]  " in r.output, r.output
