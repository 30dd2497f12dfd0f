"""Issue 22 in the terminal: the compact comparison, 80 columns, each number once, literal messages,
progress, and `report` checking its output before any work."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime

import pytest
from compact_helpers import face_comparison
from history_helpers import photo, worse_spec

from porescope.track import compact

#: Issue 22: "A five-region face fits <= 30 lines at 80 columns".
MAX_LINES, WIDTH = 30, 80


def _cli(*args, env_extra=None, check=True):
    env = dict(os.environ, COLUMNS=str(WIDTH), NO_COLOR="1", **(env_extra or {}))
    env.pop("PORESCOPE_DB_URL", None)
    r = subprocess.run([sys.executable, "-m", "porescope", *map(str, args)], capture_output=True, text=True, env=env, timeout=300)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def _wide(text: str, width: int = WIDTH) -> list[str]:
    """Lines wider than ``width`` (a single unbreakable word, e.g. a path, is allowed)."""
    return [line for line in text.splitlines() if len(line) > width and " " in line.strip()]


# ---------------------------------------------------------------- the compact comparison (known numbers)
@pytest.fixture()
def face(monkeypatch):
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    return face_comparison(notes=["capture conditions differ (cleansed: yes vs no); a change may come from them rather than from the skin."])


def _printed(capsys, c, **kw) -> str:
    from porescope.cli.history import print_comparison

    print_comparison(c, units={r.name: "per_cm2" for r in c.regions}, **kw)
    return capsys.readouterr().out


def test_a_five_region_face_fits_30_lines_at_80_columns(face, capsys):
    out = _printed(capsys, face)
    lines = out.rstrip("\n").splitlines()
    assert len(lines) <= MAX_LINES, out
    assert max(map(len, lines)) <= WIDTH, out
    # One row per region and headline metric, each with its before, after, change, interval and verdict.
    rows = [line for line in lines if re.search(r"\s(no detectable change|improved|worse)$", line)]
    assert len(rows) == 3 * len(face.regions)
    assert re.search(r"^forehead\s+visibility\s+41\.4\s+40\.1\s+-1\.2\s+-5\.9 to \+3\.4\s+no detectable change$", out, re.M), out
    assert re.search(r"^nose\s+visibility\s+63\.0\s+50\.4\s+-12\.6\s+-19\.6 to -5\.6\s+improved$", out, re.M), out
    assert "density/cm²" in out and "coverage" in out and not re.search(r"^\s+elongation\s", out, re.M)
    assert "18 more rows" in out and "--all" in out


def test_a_comparison_that_judged_nothing_says_why_without_a_legend_for_absent_numbers(face, capsys):
    from porescope.track import compact

    why = "the photos of visits 1 and 2 do not resolve pores (1.3 px/mm on the skin)"
    out = _printed(capsys, face.model_copy(update={"regions": [], "notes": [why]}))
    assert "No region could be compared" in out and why.split(" (")[0] in " ".join(out.split())
    assert compact.LEGEND.split(".")[0] not in " ".join(out.split())
    assert compact.LEGEND.split(".")[0] in " ".join(_printed(capsys, face).split())  # with numbers, the legend is there


def test_numbers_are_rounded_shares_are_percentages_and_nothing_is_said_twice(face, capsys):
    out = _printed(capsys, face, show_all=True)
    for raw in ("1.7305", "0.0283", "41.37", "1234.6", "6.369"):
        assert raw not in out, raw
    assert re.search(r"dark share\s+2\.83%\s+2\.75%", out), out
    assert re.search(r"coverage\s+4\.41%\s+4\.28%", out), out
    assert re.search(r"elongation\s+1\.73\s+1\.68", out), out
    assert "perturbation" not in out and "re-measuring each photo as if it had been re-taken" in out
    # No summary repeating the rows: the engine's summary sentences are not printed.
    assert "Also " not in out and face.summary.split(". ")[0] not in " ".join(out.split())
    assert out.count("Note: capture conditions differ") == 1


def test_the_narrow_layout_still_fits(face, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    out = _printed(capsys, face)
    assert max(map(len, out.splitlines())) <= 72, out
    assert re.search(r"^forehead$", out, re.M) and re.search(r"^  visibility\s+41\.4\s+40\.1", out, re.M), out
    monkeypatch.setenv("COLUMNS", "40")  # the narrowest width porescope wraps to
    out = _printed(capsys, face)
    assert max(map(len, out.splitlines())) <= 40, out
    assert "  visibility: 41.4 -> 40.1, change -1.2" in out and "(95% interval -5.9 to +3.4): no" in out, out


def test_rounding_rules():
    from porescope.track.models import MetricChange

    def row(metric, a, b, lo, hi):
        return compact.row(MetricChange(region="frame", metric=metric, baseline=a, latest=b, delta=b - a, noise_baseline=0,
                                        noise_latest=0, low=lo, high=hi, verdict="no_detectable_change"))

    r = row("mean_elongation", 1.7305, 1.6921, -0.1, 0.02)
    assert (r.before, r.after, r.change, r.interval) == ("1.73", "1.69", "-0.04", "-0.10 to +0.02")
    r = row("dark_share", 0.0283, 0.0301, -0.012, 0.016)
    assert (r.before, r.after, r.change, r.interval) == ("2.83%", "3.01%", "+0.2", "-1.2 to +1.6")
    r = row("pore_count", 2100, 2037, -296.4, 170.2)
    assert (r.before, r.after, r.change, r.interval) == ("2100", "2037", "-63", "-296 to +170")
    r = row("density", 12345.6, 12001.2, -900, 200)
    assert (r.before, r.after) == ("12346", "12001")  # never a rounded-away integer digit


# ---------------------------------------------------------------- end to end, in a fresh process at COLUMNS=80
@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("glance-cli")
    db = str(d / "h.db")
    long = "after a long walk in the sun by the lake, then a shower and the usual moisturiser"
    for p, date, cond in ((photo(d / "a.jpg"), "2026-01-01", "cleansed=yes"), (photo(d / "b.jpg", worse_spec()), "2026-03-01", f"note={long}")):
        _cli("history", "add", p, "--subject", "[b]x", "--date", date, "--mode", "closeup", "--condition", cond, "--db", db)
    return db, d


def test_history_add_and_list_fit_80_columns_and_name_the_region_as_everywhere(db):
    db, d = db
    r = _cli("history", "add", photo(d / "c.jpg", exposure=1.02), "--subject", "[b]x", "--mode", "closeup",
             "--condition", "cleansed=yes", "--condition", "makeup=no", "--condition", "since_wash_h=2", "--lighting", "window, noon",
             "--condition", "note=a very long free-text note about the morning, the light and what was on the skin", "--db", db)
    assert r.stdout.startswith("stored visit") and "[b]x" in r.stdout
    assert _wide(r.stdout) == [], r.stdout
    listed = _cli("history", "list", "--subject", "[b]x", "--db", db).stdout
    assert _wide(listed) == [], listed
    assert "photo" in listed and "frame" not in listed
    assert "note=after a long walk in the sun by the lake" in " ".join(listed.split())  # wrapped, every word kept
    _cli("history", "add", photo(d / "e.jpg", seed=5), "--subject", "a-subject-with-a-rather-long-name " * 2 + "end", "--mode", "closeup", "--db", db)
    subjects = _cli("history", "list", "--db", db).stdout
    assert _wide(subjects) == [], subjects


def test_compare_end_to_end_fits_and_shows_progress_on_a_terminal(db):
    db, _ = db
    # Rich treats FORCE_COLOR as a terminal: the spinner line is shown (on stderr), then cleared.
    r = _cli("history", "compare", "--subject", "[b]x", "--db", db, env_extra={"FORCE_COLOR": "1"})
    assert "comparing" in r.stderr
    out = r.stdout
    assert _wide(out) == [] and len(out.splitlines()) <= MAX_LINES, out
    assert re.search(r"^photo\s+visibility\s", out, re.M) and "[b]x: visit" in out
    piped = _cli("history", "compare", "--subject", "[b]x", "--db", db)
    assert piped.stderr == ""  # a pipe gets no spinner
    c = json.loads(_cli("history", "compare", "--subject", "[b]x", "--db", db, "--json").stdout)
    everything = _cli("history", "compare", "--subject", "[b]x", "--db", db, "--all").stdout
    assert sum(len(g["metrics"]) for g in c["regions"]) == len(re.findall(r"(no detectable change|improved|worse)$", everything, re.M))


def test_messages_print_user_text_and_brackets_literally(db, tmp_path):
    db, _ = db
    r = _cli("history", "compare", "--subject", "[b]y", "--db", db, check=False)
    assert r.returncode == 2 and "[b]y" in r.stderr and r.stderr.count("error:") == 1
    r = _cli("history", "export", "--csv", tmp_path / "[red]out.csv", "--subject", "[b]x", "--db", db)
    assert "[red]out.csv" in r.stdout
    # A missing extra's hint keeps its brackets (it was "pip install 'porescope'").
    code = ("import sys, porescope.extras as e\n"
            "e.EXTRAS['study'] = ('porescope_no_such_module',)\n"
            "from porescope.cli import main\n"
            f"sys.argv = ['porescope', 'study', 'run', {str(tmp_path / 'm.csv')!r}, '--out', {str(tmp_path / 'o')!r}]\n"
            "main()\n")
    (tmp_path / "m.csv").write_text("subject,visit,date,image\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ, COLUMNS="80"), timeout=120)
    assert r.returncode == 2, r.stderr
    assert "pip install 'porescope[study]'" in r.stderr, r.stderr


def test_report_checks_its_output_before_any_work(db, tmp_path):
    db, _ = db
    (tmp_path / "old.pdf").mkdir()
    for args, says in (
        (["--html", tmp_path / "missing" / "r.html"], "does not exist"),
        (["--pdf", tmp_path / "old.pdf"], "that is a folder"),
        (["--html", tmp_path / "r.html", "--pdf", tmp_path / "missing" / "r.pdf"], "does not exist"),
    ):
        t0 = datetime.now()
        r = _cli("report", "--subject", "nobody-at-all", *args, "--db", db, check=False)
        assert r.returncode == 2 and says in r.stderr and "nobody-at-all" not in r.stderr, r.stderr  # the path, before the store
        assert r.stderr.count("error:") == 1 and "Traceback" not in r.stderr
        assert (datetime.now() - t0).total_seconds() < 30
    assert not (tmp_path / "r.html").exists()


def test_analyze_says_each_number_once(tmp_path):
    p = photo(tmp_path / "skin.jpg")
    out = _cli("analyze", p, "--mode", "closeup").stdout
    assert _wide(out) == [], out
    table = out.splitlines()[out.splitlines().index(next(line for line in out.splitlines() if line.startswith("region"))) + 1]
    cells = table.split()
    count, density, visibility = cells[1], cells[2], cells[-1]
    assert out.count(count) == 1 and out.count(density) == 1 and out.count(visibility) == 1, out
    assert visibility.endswith("/100") and re.search(r"^Photo: pores [a-z ]*visible", out, re.M), out


def test_the_command_a_help_text_asks_you_to_run_is_never_split():
    out = _cli("routine", "--example-profile").stdout
    assert re.search(r"^\s*porescope routine --profile profile\.json$", out, re.M), out
    assert _wide(out) == [], out


def test_slow_commands_show_progress_on_a_terminal_only(tmp_path):
    p = photo(tmp_path / "skin.jpg")
    shown = _cli("analyze", p, "--mode", "closeup", env_extra={"FORCE_COLOR": "1"})
    assert "analyzing skin.jpg" in shown.stderr
    db = tmp_path / "h.db"
    shown = _cli("history", "add", p, "--subject", "sue", "--mode", "closeup", "--db", db, env_extra={"FORCE_COLOR": "1"})
    assert "analyzing skin.jpg" in shown.stderr
    piped = _cli("history", "add", p, "--subject", "sue", "--mode", "closeup", "--db", db)
    assert piped.stderr == "" and piped.stdout.startswith("stored visit")


def test_the_scale_a_person_gave_is_not_called_an_option(tmp_path):
    from porescope.measure.pipeline import analyze
    from porescope.output.explain import scale_line

    a = analyze(str(photo(tmp_path / "skin.jpg")), px_per_mm=12.0, mode="closeup")
    line = scale_line(a)
    assert a.scale.source == "user" and "12.0 px per mm" in line
    assert "--px-per-mm" not in line and "as you gave it" in line


def test_where_the_noise_came_from_in_words(face):
    assert compact.noise_words(face) == ("The intervals come from re-measuring each photo as if it had been re-taken "
                                         "(other light, exposure, angle, distance, phone processing).")
    mixed = face.model_copy(update={"noise_source": {"1": "repeat_capture", "3": "perturbation"}})
    said = compact.noise_words(mixed)
    assert said.startswith("The intervals come, for visit 1, from the spread between the photos taken at the same visit; "
                           "for visit 3, from re-measuring each photo"), said
    assert "_" not in said and "perturbation" not in said


def test_a_coarse_face_photo_shows_no_number_it_calls_meaningless(capsys, monkeypatch):
    """The astronaut portrait at 800 x 600: pores are too small to resolve, so counts and sizes are not
    meaningful. The table drops those columns (named once) and the regions that read alike are said once."""
    import cv2
    from face_variants import crop_scale
    from skimage.data import astronaut

    from porescope.cli.output import print_explanations, print_summary
    from porescope.measure.pipeline import analyze

    monkeypatch.setenv("COLUMNS", str(WIDTH))
    m, size = crop_scale(75, 20, 475, 320, 800)
    a = analyze(cv2.warpAffine(astronaut(), m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                               borderValue=(128, 128, 128)), mode="face")
    assert any(p.code == "pores_too_small_to_resolve" for p in a.quality.problems) and len(a.regions) >= 5
    print_summary([a])
    print_explanations(a)
    out = capsys.readouterr().out
    assert re.search(r"^region\s+cover %\s+visibility$", out, re.M), out
    assert "Not meaningful in this photo, so not shown: pores, density, median size, length/width, dark %." in " ".join(out.split())
    assert "mm²" not in out and "n/a" not in out
    said = " ".join(out.split()).count("the photo is too coarse to count or size pores here")
    assert 1 <= said < len(a.regions), out  # once per distinct description, not once per region
    assert _wide(out) == [], out
