"""How fast the history lists: 1,000 visits of one subject (target: <= 200 ms).

One real synthetic photo is analysed and stored; 999 more visits with the
same full result JSON (pores included) are bulk-inserted through the store's
tables, so the rows are as big as real ones. Prints median timings of
``Store.visits``, ``Store.subjects``, ``Store.export_csv`` and the
``porescope history list --subject`` command (table rendering included).

    python benchmarks/bench_history.py [--visits 1000] [--db URL]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import cv2

from porescope.testing.synth import SkinSpec, render
from porescope.track import Store, db
from porescope.track.photos import analyze_visit_photo


def _median_ms(fn, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--db", default=None, help="store URL (default: SQLite in a temp dir)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porescope-bench-"))
    url = args.db or str(tmp / "bench.db")
    store = Store(url, data_dir=tmp)
    subject = f"bench-{int(time.time())}"
    p = tmp / "skin.jpg"
    cv2.imwrite(str(p), render(SkinSpec(height=512, width=512, seed=1)).rgb[..., ::-1])
    data, r = analyze_visit_photo(p, mode="closeup")
    v = store.add_visit(data, subject, analysis=r.analysis, taken_at=datetime(2020, 1, 1), condition={"cleansed": "yes"})
    with store._write() as conn:
        arow = conn.execute(db.analyses.select().where(db.analyses.c.visit_id == v.id)).first()
        mrows = conn.execute(db.region_metrics.select().where(db.region_metrics.c.visit_id == v.id)).mappings().all()
        sid = conn.execute(db.subjects.select().where(db.subjects.c.name == subject)).first().id
        t0 = datetime(2020, 1, 1)
        for i in range(1, args.visits):
            vid = conn.execute(db.visits.insert().values(
                subject_id=sid, taken_at=t0 + timedelta(days=i), condition={"cleansed": "yes", "n": i}, device="bench",
                lighting=None, created_at=t0)).inserted_primary_key[0]
            a = dict(arow._mapping)
            a.pop("id")
            a["visit_id"] = vid
            aid = conn.execute(db.analyses.insert().values(**a)).inserted_primary_key[0]
            conn.execute(db.region_metrics.insert(), [
                {**{k: m[k] for k in m.keys() if k != "id"}, "analysis_id": aid, "visit_id": vid} for m in mrows
            ])
    json_kb = len(str(arow.result)) / 1024
    n = len(store.visits(subject))
    print(f"store: {store!r}; {n} visits of one subject, result JSON ~{json_kb:.0f} KB each")
    print(f"Store.visits(subject)            {_median_ms(lambda: store.visits(subject)):8.1f} ms   (target <= 200 ms)")
    print(f"Store.subjects()                 {_median_ms(store.subjects):8.1f} ms")
    print(f"Store.export_csv(subject)        {_median_ms(lambda: store.export_csv(subject)):8.1f} ms")
    from typer.testing import CliRunner

    from porescope.cli import app

    runner = CliRunner()
    dburl = url

    def cli():
        r = runner.invoke(app, ["history", "list", "--subject", subject, "--db", dburl])
        assert r.exit_code == 0, r.output

    print(f"porescope history list --subject {_median_ms(cli, 3):8.1f} ms   (in-process, table rendering included)")
    print(f"Store() open (migrated, sweep)   {_median_ms(lambda: Store(url, data_dir=tmp).close(), 3):8.1f} ms")
    if args.db:
        store.delete_subject(subject)


if __name__ == "__main__":
    main()
