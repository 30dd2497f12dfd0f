"""The first ``porescope history compare`` of two 12 MP visits, as a user runs it.

Two visits of the same synthetic 12 MP close-up (benchmarks/bench_speed.py's
photo, taken at 30 px/mm): the second photographed a little softer (Gaussian
sigma 1.5 px = 0.05 mm, a hand-held close-up slightly out of focus), so the
change engine measures the first at the second's detail before comparing.
Each step is a fresh ``porescope`` process on a fresh SQLite store, timed
wall-clock: ``history add`` (analysis, storing, and the visit's noise), then
the first ``history compare``.

Usage: python benchmarks/bench_compare.py
Target (issue 20): the first compare <= 3 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_speed  # noqa: E402

TARGET_S = 3.0
PX_PER_MM = 30.0


def _timed(args: list[str], env: dict) -> tuple[float, str]:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "porescope", *args], capture_output=True, text=True, env=env, timeout=600)
    if r.returncode != 0:
        raise SystemExit(f"porescope {' '.join(args)} failed: {r.stderr.strip()}")
    return time.perf_counter() - t, r.stdout


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        first, second = tmp / "visit1.jpg", tmp / "visit2.jpg"
        bench_speed.make_photo(first, pores_per_mpx=1100)
        soft = cv2.GaussianBlur(cv2.imread(str(first)), (0, 0), 1.5)
        cv2.imwrite(str(second), soft, [cv2.IMWRITE_JPEG_QUALITY, 92])
        env = {**os.environ, "PORESCOPE_DATA_DIR": str(tmp / "data"), "COLUMNS": "100"}
        db = str(tmp / "store.sqlite")
        for i, photo in enumerate((first, second), 1):
            s, _ = _timed(["history", "add", str(photo), "--subject", "bench", "--px-per-mm", str(PX_PER_MM), "--mode", "closeup",
                           "--date", f"2026-0{i}-01", "--db", db], env)
            print(f"history add, visit {i} (12 MP: analysis, storing, noise): {s:.2f} s")
        s, out = _timed(["history", "compare", "--subject", "bench", "--db", db], env)
        print(f"first history compare of the two visits: {s:.2f} s (target <= {TARGET_S:.0f} s: {'met' if s <= TARGET_S else 'NOT met'})")
        said = [line for line in out.splitlines() if "detail" in line]
        print("the comparison says: " + (said[0].strip()[:150] if said else "(nothing about detail)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
