"""Issue 22 item 9: `porescope ingredients` start-up. The benchmark (benchmarks/bench_cli.py) measures the
ratio to a bare `import typer, rich.console`; this checks the lazy paths it relies on stay lazy."""

from __future__ import annotations

import os
import subprocess
import sys


def _modules_after(args: list[str], env: dict) -> set[str]:
    code = (
        "import sys, io, contextlib\n"
        "from porescope.cli import main\n"
        f"sys.argv = ['porescope', *{args!r}]\n"
        "try:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        main()\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def test_ingredients_reads_the_cosing_index_cache_without_the_register(tmp_path):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    args = ["ingredients", "Aqua, Glycerin, Salicylic Acid, Phenoxyethanol"]
    first = _modules_after(args, env)  # builds the index (reads the register) and caches it
    assert "on_the_list.register" in first
    assert list(tmp_path.rglob("cosing-index-*.json"))
    again = _modules_after(args, env)
    heavy = {"on_the_list.register", "on_the_list.models", "on_the_list.annexes", "socket", "ipaddress"} & again
    # socket may come with importlib.metadata (pydantic's plugin loader); the CLI itself no longer imports it.
    assert heavy <= {"socket", "ipaddress"} and "on_the_list.register" not in again, heavy


def test_register_files_are_the_ones_the_register_reads(tmp_path, monkeypatch):
    from on_the_list import register

    import porescope.advise.knowledge as k

    monkeypatch.setenv("ON_THE_LIST_HOME", str(tmp_path))  # no downloaded register here: the vendored copy
    files = k._register_files()
    names = sorted(str(r["filename"]) for r in register.manifest.ANNEXES.values())
    assert sorted(f.name for f in files) == names
    assert {f.parent for f in files} == {register.VENDORED} and all(f.is_file() for f in files)
    downloaded = tmp_path / "register"  # a complete downloaded register is preferred
    downloaded.mkdir()
    for n in names:
        (downloaded / n).write_text("x")
    assert {f.parent for f in k._register_files()} == {downloaded}
