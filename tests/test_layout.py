"""The shape of the code (issue 14): packages without cycles, small files and
functions, no compatibility shims left at old paths (issue 23), no import-time side effects,
optional extras that say what to install, one atomic writer."""

from __future__ import annotations

import ast
import importlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from porescope.errors import PorescopeError
from porescope.extras import EXTRAS, require
from porescope.files import atomic_write

SRC = Path(__file__).resolve().parents[1] / "src" / "porescope"
#: Package parts the layout rules do not read (none: every part follows them).
SKIP: tuple[str, ...] = ()


def _modules() -> dict[str, Path]:
    out = {}
    for f in SRC.rglob("*.py"):
        rel = f.relative_to(SRC.parent).with_suffix("")
        if rel.parts[1] in SKIP or "migrations" in rel.parts:
            continue
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        out[name] = f
    return out


def _is_compat(f: Path) -> bool:
    return f.read_text(encoding="utf-8").startswith('"""Compatibility path')


def test_no_import_cycles_and_no_old_paths_inside():
    mods = _modules()
    edges: dict[str, set[str]] = {}
    for name, f in mods.items():
        if _is_compat(f):
            continue
        deps = set()
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("porescope"):
                for a in node.names:
                    sub = f"{node.module}.{a.name}"
                    deps.add(sub if sub in mods else node.module)
        edges[name] = {d for d in deps if d in mods and d != name and d != "porescope"}
        old = [d for d in edges[name] if _is_compat(mods[d])]
        assert not old, f"{name} imports old compatibility paths {old}"

    def reach(a: str) -> set[str]:
        seen, todo = set(), [a]
        while todo:
            for b in edges.get(todo.pop(), ()):
                if b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen

    cycles = sorted({tuple(sorted((a, b))) for a in edges for b in edges[a]
                     if a in reach(b) and not (b.startswith(a + ".") or a.startswith(b + "."))})
    assert not cycles, cycles


def test_no_private_names_imported_across_modules():
    offenders = []
    for name, f in _modules().items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("porescope"):
                offenders += [f"{name}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")]
    assert not offenders, offenders


def _code_lines(fn: ast.FunctionDef) -> int:
    """A function's lines from its ``def`` to its end, docstring included."""
    return fn.end_lineno - fn.lineno + 1


def test_small_files_and_functions():
    big_files, long_functions = [], []
    for name, f in _modules().items():
        text = f.read_text(encoding="utf-8")
        if text.count("\n") > 600:
            big_files.append(name)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _code_lines(node) > 100:
                long_functions.append(f"{name}.{node.name}")
    assert not big_files and not long_functions, (big_files, long_functions)


def test_public_functions_of_measure_and_advise_have_numpy_docstrings():
    missing = []
    for name, f in _modules().items():
        if not name.startswith(("porescope.measure", "porescope.advise")) or _is_compat(f):
            continue
        for node in ast.parse(f.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                doc = ast.get_docstring(node) or ""
                if "Parameters\n" not in doc and "Returns\n" not in doc:
                    missing.append(f"{name}.{node.name}")
    assert not missing, missing


#: The flat paths of the first layout (issue 14), retired in issue 23: each module has one home.
OLD_PATHS = ("pipeline", "io", "render", "quality", "regions", "face", "facemesh", "recapture", "synth", "causes", "explain",
             "routine", "ingredients", "profile", "change", "web_cli", "pores", "history", "knowledge")


def test_no_compatibility_shims_remain():
    shims = [name for name, f in _modules().items() if _is_compat(f)]
    assert not shims, f"compatibility modules left: {shims}"
    old = [p for p in OLD_PATHS if (SRC / f"{p}.py").exists() or (SRC / p).is_dir()]
    assert not old, f"old flat paths still present: {old}"
    for p in OLD_PATHS:
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"porescope.{p}")


#: Most parameters a function may take outside the shells' entry points (cli/, web/routes/, whose
#: commands and routes declare one parameter per option or form field); ``self``/``cls`` not counted.
MAX_PARAMETERS = 10


def test_narrow_doors():
    wide = []
    for name, f in _modules().items():
        if name.startswith(("porescope.cli", "porescope.web.routes")):
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs] + [x.arg for x in (a.vararg, a.kwarg) if x]
                n = len(params) - (1 if params and params[0] in ("self", "cls") else 0)
                if n > MAX_PARAMETERS:
                    wide.append(f"{name}.{node.name}: {n}")
    assert not wide, wide


def test_measuring_path_writes_no_files_and_words_and_the_store_never_runs_the_pipeline():
    """measure/ turns pixels into records: it never imports the output layer (files, words) or the test-photo
    makers; the history store is handed analyses and never imports the pipeline."""
    offenders = []
    for name, f in _modules().items():
        deps = {n.module for n in ast.walk(ast.parse(f.read_text(encoding="utf-8"))) if isinstance(n, ast.ImportFrom) and n.module}
        if name.startswith("porescope.measure"):
            offenders += [f"{name} -> {d}" for d in deps if d.startswith(("porescope.output", "porescope.testing", "porescope.track"))]
        if name == "porescope.track.store":
            offenders += [f"{name} -> {d}" for d in deps if d.startswith(("porescope.measure.pipeline", "porescope.measure.pores"))]
    assert not offenders, offenders


def test_measure_never_imports_the_top_level_package():
    # measure/ reads its version from porescope._version, so nothing in it reaches up to porescope/__init__.
    climbs = []
    for name, f in _modules().items():
        if not name.startswith("porescope.measure"):
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "porescope":
                climbs.append(f"{name}: from porescope import {', '.join(a.name for a in node.names)}")
            elif isinstance(node, ast.Import) and any(a.name == "porescope" for a in node.names):
                climbs.append(f"{name}: import porescope")
    assert not climbs, climbs


def test_importing_porescope_changes_no_process_setting():
    code = (
        "import os, sys\n"
        "from PIL import Image\n"
        "before = Image.MAX_IMAGE_PIXELS\n"
        "import porescope.cli, porescope.measure.pipeline, porescope.output.render, porescope.measure.io as io, porescope.track\n"
        "assert Image.MAX_IMAGE_PIXELS == before, Image.MAX_IMAGE_PIXELS\n"
        "assert 'pillow_heif' not in sys.modules\n"
        "import numpy as np, cv2\n"
        "ok, buf = cv2.imencode('.png', np.full((80, 80, 3), 150, np.uint8))\n"
        "io.read_image(buf.tobytes())\n"
        "assert Image.MAX_IMAGE_PIXELS == io.MAX_PIXELS and 'pillow_heif' in sys.modules\n"
        "print('ok')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-2000:]


def test_measuring_needs_no_study_or_postgres_package():
    code = (
        "import sys\n"
        "import porescope.cli\n"
        "from porescope.measure.pipeline import run\n"
        "from porescope.testing.synth import SkinSpec, render\n"
        "run(render(SkinSpec()).rgb)\n"
        "print(sorted(m for m in ('dask', 'distributed', 'bokeh', 'pyarrow', 'pandas', 'scipy', 'psycopg') if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "[]", (r.stdout, r.stderr[-2000:])


def test_a_missing_extra_is_one_line_naming_it(monkeypatch):
    monkeypatch.setitem(EXTRAS, "demo-extra", ("porescope_no_such_module",))
    with pytest.raises(PorescopeError) as e:
        require("demo-extra", "demo things")
    msg = str(e.value)
    assert "\n" not in msg and "pip install 'porescope[demo-extra]'" in msg and "porescope_no_such_module" in msg
    require("study", "studies")  # installed for the tests: no error


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write(target, b"old")
    atomic_write(target, [b"new ", b"parts"])
    assert target.read_bytes() == b"new parts"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    private = atomic_write(tmp_path / "photo.jpg", b"x", private=True, durable=True)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    with pytest.raises(PorescopeError, match="does not exist"):
        atomic_write(tmp_path / "missing" / "f.txt", b"x")
    made = atomic_write(tmp_path / "a" / "b" / "f.txt", b"x", make_folder=True)
    assert made.read_bytes() == b"x"
    with pytest.raises(PorescopeError, match="nothing was replaced"):
        atomic_write(tmp_path / "a", b"x")  # a folder: the write fails, the folder stays
    assert (tmp_path / "a" / "b" / "f.txt").exists()
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_one_mode_check():
    from porescope.measure.regions import MODES, check_mode

    assert all(check_mode(m) == m for m in MODES)
    with pytest.raises(PorescopeError, match="--mode must be auto, face or closeup"):
        check_mode("selfie", "--mode")
