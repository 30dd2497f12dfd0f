"""The porescope command end to end, on real files, in a subprocess."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from porescope.testing.synth import SkinSpec, render


def cli(*args, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="140", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "porescope", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("photos")
    skin = render(SkinSpec(height=480, width=640, seed=21))
    p = d / "skin.jpg"
    # Stored rotated, with an EXIF tag saying "rotate 90° clockwise to display".
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.ascontiguousarray(np.rot90(skin.rgb, 1))).save(p, quality=93, exif=exif)
    return p


def test_analyze_writes_all_outputs(photo, tmp_path):
    out = {k: tmp_path / f"r.{k}" for k in ("json", "png", "csv")}
    mask = tmp_path / "mask.png"
    r = cli("analyze", photo, "--json", out["json"], "--overlay", out["png"], "--mask-out", mask, "--csv", out["csv"])
    assert r.returncode == 0, r.stderr
    data = json.loads(out["json"].read_text())
    assert data["schema_version"] and data["regions"][0]["name"] == "frame"
    n = len(data["pores"])
    assert n == data["regions"][0]["pore_count"] + data["regions"][0]["faint_pore_count"]
    assert 0.9 * 400 < n < 1.1 * 1000
    m = cv2.imread(str(mask), cv2.IMREAD_UNCHANGED)
    # Mask is in display orientation: 480 rows x 640 columns, values 0/255 only.
    assert m.shape == (480, 640) and set(np.unique(m)) <= {0, 255} and (m == 255).any()
    ov = cv2.imread(str(out["png"]))
    assert ov.shape == (480, 640, 3)
    rows = list(csv.DictReader(out["csv"].open()))
    assert len(rows) == n and float(rows[0]["area_px"]) > 0
    assert "photo" in r.stdout and "pores" in r.stdout
    # it says which files it wrote, every one of them (the CSV's region file too)
    wrote = r.stdout[r.stdout.index("Wrote:"):]
    for f in (*out.values(), mask, out["csv"].with_name("r.regions.csv")):
        assert str(f) in " ".join(wrote.split()), f
    # Written through private temporary files, but landing with the usual
    # permissions (umask applied), like any file the user creates.
    if os.name == "posix":
        umask = os.umask(0)
        os.umask(umask)
        for f in (*out.values(), mask):
            assert f.stat().st_mode & 0o777 == 0o666 & ~umask, f


def test_analyze_with_roi_and_scale(photo, tmp_path):
    roi = np.zeros((480, 640), np.uint8)
    roi[100:400, 100:500] = 255
    rp = tmp_path / "roi.png"
    cv2.imwrite(str(rp), roi)
    j = tmp_path / "r.json"
    mask = tmp_path / "m.png"
    r = cli("analyze", photo, "--roi", rp, "--px-per-mm", "25", "--json", j, "--mask-out", mask)
    assert r.returncode == 0, r.stderr
    data = json.loads(j.read_text())
    reg = data["regions"][0]
    assert reg["area_px"] == 300 * 400 and reg["density_per_cm2"] > 0 and data["scale"]["source"] == "user"
    m = cv2.imread(str(mask), 0)
    assert not m[roi == 0].any()


def test_several_images_summary_and_per_image_outputs(photo, tmp_path):
    second = tmp_path / "second.png"
    cv2.imwrite(str(second), render(SkinSpec(height=300, width=300, seed=3)).rgb[..., ::-1])
    j = tmp_path / "out.json"
    r = cli("analyze", photo, second, "--json", j)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out.skin.json").exists() and (tmp_path / "out.second.json").exists()
    assert "skin.jpg" in r.stdout and "second.png" in r.stdout


@pytest.mark.parametrize(
    "setup,needle",
    [
        (lambda d: d / "missing.jpg", "no such file"),
        (lambda d: (d / "t.jpg", (d / "t.jpg").write_text("hello, not a photo"))[0], "not an image"),
        (lambda d: (Image.new("RGB", (20, 20)).save(d / "s.png"), d / "s.png")[1], "too small"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, setup, needle):
    p = setup(tmp_path)
    r = cli("analyze", p, "--json", tmp_path / "x.json")
    assert r.returncode == 2
    assert needle in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert len([ln for ln in r.stderr.strip().splitlines() if ln.strip()]) <= 2  # Rich may wrap one line
    assert not (tmp_path / "x.json").exists()


def test_truncated_and_bad_options(photo, tmp_path):
    data = photo.read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(data[: len(data) // 3])
    r = cli("analyze", cut)
    assert r.returncode == 2 and ("truncated" in r.stderr or "corrupt" in r.stderr) and "Traceback" not in r.stderr
    r = cli("analyze", photo, "--px-per-mm", "-3")
    assert r.returncode == 2 and "px-per-mm" in r.stderr and "Traceback" not in r.stderr
    r = cli("analyze", photo, "--mask-out", tmp_path / "nodir" / "m.png")
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    r = cli("analyze", photo, "--json", tmp_path / "x.txt")
    assert r.returncode == 2 and ".json" in r.stderr


def test_existing_output_not_clobbered_on_failure(tmp_path):
    j = tmp_path / "keep.json"
    j.write_text('{"old": true}')
    r = cli("analyze", tmp_path / "missing.jpg", "--json", j)
    assert r.returncode == 2 and j.read_text() == '{"old": true}'


def test_schema_and_demo(tmp_path):
    r = cli("schema")
    assert r.returncode == 0 and json.loads(r.stdout)["title"] == "Analysis"
    r = cli("demo", "--out", tmp_path / "demo")
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "demo" / "result.json").read_text())
    assert data["regions"][0]["pore_count"] > 1000
    for f in ("overlay.png", "mask.png", "pores.csv"):
        assert (tmp_path / "demo" / f).stat().st_size > 0


def test_console_script_installed():
    import shutil

    exe = shutil.which("porescope") or str(Path(sys.executable).with_name("porescope"))
    r = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "analyze" in r.stdout


def test_unwritable_output_is_one_clear_line(photo, tmp_path):
    target = tmp_path / "taken.json"
    target.mkdir()  # a folder where the JSON file should go: the final rename fails
    r = cli("analyze", photo, "--json", target)
    assert r.returncode == 2 and "could not be written" in r.stderr and "Traceback" not in r.stderr
    assert target.is_dir() and not list(tmp_path.glob(".taken.json.*"))


def test_two_photos_with_one_name_are_refused_before_writing(photo, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a, b = tmp_path / "a" / "skin.jpg", tmp_path / "b" / "skin.jpg"
    a.write_bytes(photo.read_bytes())
    b.write_bytes(photo.read_bytes())
    j = tmp_path / "out.json"
    r = cli("analyze", a, b, "--json", j)
    assert r.returncode == 2 and "would be written for both" in r.stderr and "Traceback" not in r.stderr
    assert not list(tmp_path.glob("out*.json"))
    r = cli("analyze", photo, "--overlay", tmp_path / "x.png", "--mask-out", tmp_path / "x.png")
    assert r.returncode == 2 and "by two options" in r.stderr


def test_small_roi_gets_the_roi_message(photo, tmp_path):
    roi = tmp_path / "roi.png"
    cv2.imwrite(str(roi), np.full((10, 10), 255, np.uint8))
    r = cli("analyze", photo, "--roi", roi)
    assert r.returncode == 2 and "ROI mask is 10x10" in r.stderr and "at least 64 px" not in r.stderr


def test_several_images_summary_fits_80_columns(photo, tmp_path):
    second = tmp_path / "second.png"
    cv2.imwrite(str(second), render(SkinSpec(height=300, width=300, seed=3)).rgb[..., ::-1])
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    r = subprocess.run([sys.executable, "-m", "porescope", "analyze", str(photo), str(second), "--mode", "CLOSEUP"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        assert len(line) <= 80 or " " not in line.strip(), line
    for word in ("density", "visibility", "skin.jpg", "second.png", "/MP", "/100"):
        assert word in r.stdout, word


def test_analyze_at_80_columns_shows_every_word_of_its_text_fields(photo, tmp_path):
    import re

    j = tmp_path / "a.json"
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    r = subprocess.run([sys.executable, "-m", "porescope", "analyze", str(photo), "--json", str(j)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads(j.read_text())
    texts = [p["message"] for p in data["quality"]["problems"]]
    for c in data["causes"]:
        texts += c["evidence"]
    words = {w.strip(".,;:()'") for t in texts for w in re.findall(r"[\w%.+/<>=-]+", t)} - {""}
    shown = {w.strip(".,;:()'") for w in re.findall(r"[\w%.+/<>=-]+", r.stdout)}
    assert words and not (words - shown), sorted(words - shown)[:10]
    for line in r.stdout.splitlines():
        assert len(line) <= 80 or " " not in line.strip(), line


@pytest.mark.parametrize(
    "annotation, options, values",
    [
        ("str", {}, ["cheek", "", "ä b"]),
        ("int", {}, ["3", "-2", "+7", "007", "3.0", "x", ""]),
        ("int", {"min": 1, "max": 10}, ["1", "10", "0", "11"]),
        ("float", {}, ["0.5", "-1", "1e-3", ".5", "5.", "nan", "abc", ""]),
        ("float", {"min": 0.25, "max": 4.0}, ["1", "0.1", "9"]),
        ("Mode", {"case_sensitive": False}, ["auto", "FACE", "Closeup", "banana"]),
        ("Path", {}, ["a.jpg", "-"]),
        ("Path", {"exists": True}, ["{tmp}", "{tmp}/missing.jpg"]),
        ("list[Path]", {}, [["a.jpg", "b.png"]]),
        ("list[str]", {}, [["k=v", "x=1"]]),
    ],
)
def test_light_coercion_matches_typers_own(tmp_path, annotation, options, values):
    """porescope.cli.types.light_coercion converts simple values without pydantic; every
    value gives what Typer's own coercion gives: the same value, or the same error."""
    import typer
    import typer.core
    from typer._click import Context
    from typer._coercion import resolve_type_descriptor
    from typer.models import OptionInfo

    import porescope.cli  # noqa: F401  (applies the patch)
    from porescope.cli.types import Mode

    light = typer.core.build_runtime_param
    assert getattr(light, "_porescope_light", False)
    ann = {"str": str, "int": int, "float": float, "Mode": Mode, "Path": Path,
           "list[Path]": list[Path], "list[str]": list[str]}[annotation]
    desc = resolve_type_descriptor(ann, OptionInfo(**options))
    import typer._coercion as coercion

    ours, theirs = light(desc), coercion.build_runtime_param(desc)
    assert type(ours).__name__ == "LightRuntimeParam"
    ctx = Context(typer.core.TyperCommand("x"))
    first = values[0] if isinstance(values[0], list) else values[0].replace("{tmp}", str(tmp_path))
    ours._coerce_value(first, param=None, ctx=ctx)
    assert ours.full == [], "a plain value took Typer's pydantic path"
    for v in values:
        v = [x.replace("{tmp}", str(tmp_path)) for x in v] if isinstance(v, list) else v.replace("{tmp}", str(tmp_path))
        results = []
        for rp in (ours, theirs):
            try:
                results.append(("ok", rp._coerce_value(v, param=None, ctx=ctx)))
            except Exception as exc:  # noqa: BLE001 - compared below
                results.append((type(exc).__name__, str(exc)))
        assert repr(results[0]) == repr(results[1]), (v, results)  # repr: nan == nan, and the types show
        assert type(results[0][1]) is type(results[1][1]), v


@pytest.mark.parametrize("user_value", [None, "logfire"])
def test_entry_point_process_settings(user_value):
    # The command's entry (never an import) freezes the start-up objects out of the
    # collector, switches it back on, and turns pydantic's plugin search off unless the user chose.
    code = (
        "import gc, os, sys\n"
        "gc.disable()\n"
        "import porescope.cli\n"
        "assert not gc.isenabled() and gc.get_freeze_count() == 0\n"
        "assert os.environ.get('PYDANTIC_DISABLE_PLUGINS') == (sys.argv[1] or None)\n"
        "porescope.cli.tune_process()\n"
        "print(gc.isenabled(), gc.get_freeze_count() > 0, os.environ['PYDANTIC_DISABLE_PLUGINS'], sys.getswitchinterval())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if user_value:
        env["PYDANTIC_DISABLE_PLUGINS"] = user_value
    r = subprocess.run([sys.executable, "-c", code, user_value or ""], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["True", "True", user_value or "__all__", "0.0005"]


def test_python_m_porescope_runs_with_the_collector_on(tmp_path):
    # __main__ switches the collector off for the imports only; a command runs with it on.
    r = subprocess.run([sys.executable, "-m", "porescope", "ingredients", "Aqua, Salicylic Acid 2%"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "Salicylic" in r.stdout, r.stderr[-2000:]
    code = ("import gc, runpy, sys\nsys.argv = ['porescope', '--version']\n"
            "try:\n    runpy.run_module('porescope', run_name='__main__')\nexcept SystemExit:\n    pass\nprint(gc.isenabled())\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.split()[-1] == "True", (r.stdout, r.stderr[-2000:])
