"""Start-up speed of everyday commands, as a ratio over a bare ``import typer, rich.console``.

Every command runs in a fresh process (as a user types it), interleaved with the
floor so machine load hits both alike; the median of N rounds is reported.

    python benchmarks/bench_cli.py [--rounds 7] [--baseline-src OTHER/src]

``--baseline-src`` runs the same commands from another source tree (e.g. an
older commit unpacked with ``git archive``) interleaved with this one, so both
are measured under the same load.

Targets (issue 13): --help <= 1.5x, ingredients <= 2.5x, history list <= 3x the
floor; history add of a small photo dominated by the analysis, not start-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 1.5, "ingredients": 2.5, "history list": 3.0}


def _time(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {r.stderr.strip()}")
    return dt


#: One `history add` in a fresh process, phase by phase (the steps the command takes, timed).
_ADD_PHASES = """
import gc, json, sys, time
t0 = time.perf_counter()
gc.disable()  # as `python -m porescope` does
import porescope.cli  # the command's own start-up (Typer, the command modules)
porescope.cli.tune_process()
t1 = time.perf_counter()
from porescope.track import Store
store = Store(sys.argv[2])  # SQLAlchemy and the store open
t2 = time.perf_counter()
from porescope.measure.io import read_image
from porescope.measure.pipeline import run  # NumPy, OpenCV, Pillow, the result schema
t3 = time.perf_counter()
data = open(sys.argv[1], "rb").read()
run(read_image(data))
t4 = time.perf_counter()
run(read_image(data))
t5 = time.perf_counter()
from porescope.track.photos import analyze_visit_photo
data, r = analyze_visit_photo(sys.argv[1])
store.add_visit(data, "bench-phases", analysis=r.analysis)
t6 = time.perf_counter()
print(json.dumps({"CLI start-up": t1 - t0, "store open (SQLAlchemy)": t2 - t1,
                  "analysis libraries (NumPy, OpenCV, Pillow, pydantic)": t3 - t2,
                  "analysis, first (cold)": t4 - t3, "analysis, again (warm)": t5 - t4,
                  "storing (add_visit less a warm analysis)": (t6 - t5) - (t5 - t4)}))
"""


def add_phases(py: str, env: dict, photo: Path, db: str, rounds: int) -> dict[str, float]:
    """Median seconds of each phase of a `history add` (see _ADD_PHASES), plus the interpreter's own start."""
    import json

    runs = []
    for _ in range(rounds):
        start = _time([py, "-c", "pass"], env)
        r = subprocess.run([py, "-c", _ADD_PHASES, str(photo), db], env=env, capture_output=True, text=True, check=True)
        runs.append({"Python start": start, **json.loads(r.stdout)})
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--baseline-src", type=Path, default=None, help="another porescope src/ folder to time alongside")
    args = ap.parse_args()
    py = sys.executable
    # Installed packages run from compiled bytecode; let the source trees get theirs too (a
    # PYTHONDONTWRITEBYTECODE environment would otherwise recompile porescope in every process).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    env = dict(os.environ)
    src = Path(__file__).resolve().parents[1] / "src"
    env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    base_env = None
    if args.baseline_src is not None:
        base_env = dict(os.environ)
        base_env["PYTHONPATH"] = f"{args.baseline_src.resolve()}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"
    tmp = Path(tempfile.mkdtemp(prefix="porescope-bench-cli-"))
    db = f"sqlite:///{tmp / 'h.db'}"
    import cv2

    from porescope.testing.synth import SkinSpec, render  # noqa: E402  (the bench's own photo)

    photo = tmp / "small.jpg"
    cv2.imwrite(str(photo), render(SkinSpec(height=480, width=640, seed=5)).rgb[..., ::-1])  # 0.3 MP
    subprocess.run([py, "-m", "porescope", "history", "add", str(photo), "--subject", "bench", "--db", db],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    floor = [py, "-c", "import typer, rich.console"]
    cmds = {
        "--help": [py, "-m", "porescope", "--help"],
        "ingredients": [py, "-m", "porescope", "ingredients", "Aqua, Glycerin, Niacinamide 5%, Phenoxyethanol"],
        "history list": [py, "-m", "porescope", "history", "list", "--db", db],
        "history add (0.3 MP)": [py, "-m", "porescope", "history", "add", str(photo), "--subject", "bench", "--db", db],
        "analysis only (0.3 MP, in-process)": None,
    }
    times: dict[str, list[float]] = {k: [] for k in cmds}
    times["floor"] = []
    base_times: dict[str, list[float]] = {k: [] for k in cmds if cmds[k] is not None}
    from porescope.measure.pipeline import analyze  # noqa: E402

    for cmd in cmds.values():  # warm-up: bytecode caches and the OS file cache
        if cmd is not None:
            _time(cmd, env)
            if base_env is not None:
                _time(cmd, base_env)
    for _ in range(args.rounds):
        for name, cmd in cmds.items():
            times["floor"].append(_time(floor, env))
            if cmd is None:
                t0 = time.perf_counter()
                analyze(str(photo))
                times[name].append(time.perf_counter() - t0)
            else:
                times[name].append(_time(cmd, env))
                if base_env is not None:
                    times["floor"].append(_time(floor, env))
                    base_times[name].append(_time(cmd, base_env))
    fl = statistics.median(times["floor"])
    print(f"floor (import typer, rich.console): {fl * 1000:.0f} ms (median of {len(times['floor'])})")
    for name in cmds:
        med = statistics.median(times[name])
        target = TARGETS.get(name)
        verdict = "" if target is None else f" (target <= {target:.1f}x: {'met' if med / fl <= target else 'MISSED'})"
        print(f"{name:36s} {med * 1000:7.0f} ms  {med / fl:5.2f}x floor{verdict}")
        if base_env is not None and base_times.get(name):
            bmed = statistics.median(base_times[name])
            print(f"{'  baseline ' + name:36s} {bmed * 1000:7.0f} ms  {bmed / fl:5.2f}x floor")
    add, only = statistics.median(times["history add (0.3 MP)"]), statistics.median(times["analysis only (0.3 MP, in-process)"])
    print(f"history add: the analysis (warm, in-process) is {only / add:.0%} of its wall time; the rest, {(add - only) * 1000:.0f} ms, is start-up and storing")
    phases = add_phases(py, env, photo, db, max(3, args.rounds // 2))
    print("history add (0.3 MP), phase by phase in a fresh process (median ms):")
    for name, sec in phases.items():
        print(f"  {name:54s} {sec * 1000:6.0f}")


if __name__ == "__main__":
    main()
