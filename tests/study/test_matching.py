"""Study verdicts at the same detail (issue 20): a visit photographed with other processing is
re-measured at the other visit's detail, or not compared, with the reason in change.csv.

The study's stages are run in this process (plan, analyze each job, store, tables) on the
real crops: the same functions ``run_study`` drives on Dask workers.
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from phone_helpers import beauty, bench_change, soft_focus

from porescope.study.columns import NOT_COMPARABLE
from porescope.study.manifest import read_manifest
from porescope.study.matching import match_jobs, plan_pairs
from porescope.study.runner import load_result, plan_jobs, store_result
from porescope.study.tables import measured_changes, write_all
from porescope.study.task import analyze_photo
from porescope.testing.phone import PHONES, phone_photo

pytest.importorskip("pyarrow")

def _run_in_process(jobs, out: Path) -> None:
    for j in jobs:
        res = analyze_photo({"key": j.key, "image": j.image, "roi": j.roi, "px_per_mm": j.px_per_mm, "mode": "closeup",
                             "sensitivity": 1.0, "perturb": j.perturb, "detail_filter": j.detail_filter})
        assert res["ok"], res.get("error")
        store_result(out, res)


def _study(tmp_path: Path, real_crops, visits: dict[str, tuple[str, object]], px_per_mm: float = 10) -> tuple[pd.DataFrame, dict]:
    """One subject per entry: V1 the crop as it is (or ``make_v1`` of it, a third item), V2 ``make_v2`` of it (or of a
    changed copy); a maker returns an RGB array (written as PNG) or a photo file's bytes (a JPEG with EXIF). Run every stage."""
    photos = tmp_path / "photos"
    photos.mkdir()
    rows = []
    for subject, (crop, make_v2, *make_v1) in visits.items():
        rgb, truth, roi = real_crops[crop]
        cv2.imwrite(str(photos / f"{crop}.roi.png"), roi.astype(np.uint8) * 255)
        for v, img in (("V1", make_v1[0](rgb, truth) if make_v1 else rgb), ("V2", make_v2(rgb, truth))):
            name = f"{subject}_{v}.{'jpg' if isinstance(img, bytes) else 'png'}"
            if isinstance(img, bytes):
                (photos / name).write_bytes(img)
            else:
                cv2.imwrite(str(photos / name), np.ascontiguousarray(img[..., ::-1]))
            rows.append({"subject": subject, "visit": v, "date": "2026-01-05" if v == "V1" else "2026-02-02", "image": f"photos/{name}",
                         "roi": f"photos/{crop}.roi.png", "px_per_mm": px_per_mm, "arm": "treated"})
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    rows = read_manifest(manifest)
    out = tmp_path / "out"
    jobs, line_key, line_sha = plan_jobs(rows, mode="closeup", sensitivity=1.0, perturb=12)
    _run_in_process(jobs, out)
    results = {r.line: load_result(out, line_key[r.line]) for r in rows}
    plans = plan_pairs(rows, results)
    _run_in_process(match_jobs(rows, line_key, results, plans), out)
    info = write_all(rows, line_key, line_sha, out, [], {}, plans=plans)
    return pd.read_csv(out / "change.csv"), info


def _visibility(change: pd.DataFrame, subject: str) -> pd.Series:
    return change[(change["subject"] == subject) & (change["metric"] == "visibility_score")].iloc[0]


def test_study_compares_visits_at_the_same_detail(tmp_path, real_crops):
    change, info = _study(tmp_path, real_crops, {
        "S01": ("cheek_imgleft", lambda rgb, _: soft_focus(rgb, 1.0)),     # soft focus only: not a change
        "S02": ("glabella", lambda rgb, _: beauty(rgb)),                   # a beauty filter: not comparable
        "S03": ("glabella", lambda rgb, truth: soft_focus(bench_change.change_pores(rgb, truth, contrast=1.3), 0.5)),  # real change
    })
    s01 = _visibility(change, "S01")
    assert s01["verdict"] == "no_detectable_change" and "re-measured" in s01["detail"]
    # The beautified pair has one row without numbers that says why, and no statistic uses it.
    s02 = change[change["subject"] == "S02"]
    assert list(s02["verdict"]) == [NOT_COMPARABLE] and s02["region"].isna().all()
    assert "beauty filter" in s02["detail"].iloc[0] or "too little detail" in s02["detail"].iloc[0]
    assert "S02" not in set(measured_changes(change)["subject"])
    assert info["not_comparable"] == ["S02 V1-V2"]
    # A real change under mild soft focus is still found, in its direction.
    assert _visibility(change, "S03")["verdict"] == "worse"
    html = (tmp_path / "out" / "report.html").read_text()
    assert "Not compared" in html and "S02 V1-V2" in html


def test_without_matching_soft_focus_reads_as_improvement(tmp_path, real_crops):
    """The check above can fail: the same soft-focus pair compared as measured reads 'improved'."""
    from porescope.study.tables import change_table

    change, _ = _study(tmp_path, real_crops, {"S01": ("cheek_imgleft", lambda rgb, _: soft_focus(rgb, 1.0))})
    rows = read_manifest(tmp_path / "manifest.csv")
    jobs, line_key, _ = plan_jobs(rows, mode="closeup", sensitivity=1.0, perturb=12)
    results = {r.line: load_result(tmp_path / "out", line_key[r.line]) for r in rows}
    raw = change_table(rows, results)
    assert _visibility(raw, "S01")["verdict"] == "improved"
    assert _visibility(change, "S01")["verdict"] == "no_detectable_change"


def test_visits_that_do_not_resolve_pores_get_no_verdict(tmp_path, real_crops):
    """At 5 px/mm (a scale given too coarse for a 0.25 mm pore) the same skin 5% brighter is not judged; it says why."""
    brighter = lambda rgb, _: np.clip(rgb.astype(np.float32) * 1.05, 0, 255).astype(np.uint8)  # noqa: E731
    change, info = _study(tmp_path, real_crops, {"S01": ("glabella", brighter)}, px_per_mm=5)
    assert list(change["verdict"]) == [NOT_COMPARABLE]
    assert "do not resolve pores" in change["detail"].iloc[0] and "5.0 px/mm" in change["detail"].iloc[0]
    assert info["not_comparable"] == ["S01 V1-V2"]


def test_study_does_not_compare_visits_from_other_cameras_or_light(tmp_path, real_crops):
    """The camera and ISO come from each photo's EXIF, as in the history store (tests/track/test_camera.py)."""
    a50 = lambda rgb, _: phone_photo(rgb, iso=50, seed=1)  # noqa: E731
    change, info = _study(tmp_path, real_crops, {
        "S01": ("cheek_imgleft", lambda rgb, _: phone_photo(rgb, iso=50, seed=2, **PHONES["B"]), a50),
        "S02": ("cheek_imgleft", lambda rgb, _: phone_photo(rgb, iso=800, seed=3), a50),
        "S03": ("cheek_imgleft", lambda rgb, _: phone_photo(rgb, iso=100, seed=4), a50),
    })
    for subject, words in (("S01", ("Phone A Model 1", "Phone B Model 7")), ("S02", ("ISO 800", "ISO 50"))):
        rows = change[change["subject"] == subject]
        assert list(rows["verdict"]) == [NOT_COMPARABLE], subject
        assert all(w in rows["detail"].iloc[0] for w in words), rows["detail"].iloc[0]
    assert _visibility(change, "S03")["verdict"] == "no_detectable_change"
