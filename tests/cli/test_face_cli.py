"""CLI in face mode: --regions-out label image, --mode face errors, overlay outlines."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from porescope.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def astro_file(tmp_path_factory):
    from skimage import data

    p = tmp_path_factory.mktemp("face") / "astronaut.png"
    Image.fromarray(data.astronaut()).save(p)
    return p


def test_regions_out_writes_labels_of_the_input_size(astro_file, tmp_path):
    lab_p, js, ov = tmp_path / "regions.png", tmp_path / "r.json", tmp_path / "ov.png"
    csv_p = tmp_path / "pores.csv"
    res = runner.invoke(app, ["analyze", str(astro_file), "--regions-out", str(lab_p), "--json", str(js), "--overlay", str(ov),
                              "--csv", str(csv_p)])
    assert res.exit_code == 0, res.output
    lab = np.asarray(Image.open(lab_p))
    assert lab.shape == (512, 512) and set(np.unique(lab)) == {0, 1, 2, 3, 4, 5, 7}
    import json

    a = json.loads(js.read_text())
    assert a["settings"]["mode"] == "face"
    assert [r["name"] for r in a["regions"]] == ["forehead", "between_brows", "nose", "left_cheek", "right_cheek", "chin", "face"]
    assert a["scale"]["source"] in ("iris", "interpupillary") and a["scale"]["uncertainty_pct"] > 0
    # 512 px astronaut: far too coarse for pores; counts are marked not meaningful.
    assert a["scale"]["resolves_pores"] is False
    assert all(not r["counts_meaningful"] for r in a["regions"])
    # Per-region CSV: one row per region; counts left blank where not meaningful.
    import csv

    rows = list(csv.DictReader((tmp_path / "pores.regions.csv").open()))
    assert [r["name"] for r in rows] == ["forehead", "between_brows", "nose", "left_cheek", "right_cheek", "chin", "face"]
    assert all(r["pore_count"] == "" and r["visibility_score"] != "" for r in rows)
    # Overlay: region outlines drawn in yellow.
    o = np.asarray(Image.open(ov))
    assert (np.all(o == (255, 235, 0), axis=2)).sum() > 100
    # One plain-language line per region in the summary.
    assert "left cheek" in res.output.lower() and "forehead" in res.output.lower() and "between the brows" in res.output.lower()


def test_face_mode_without_a_face_is_a_clear_error(tmp_path):
    wall = tmp_path / "wall.png"
    Image.fromarray(np.full((300, 400, 3), 170, np.uint8)).save(wall)
    res = runner.invoke(app, ["analyze", str(wall), "--mode", "face"])
    assert res.exit_code == 2
    assert "no face" in res.output
    res = runner.invoke(app, ["analyze", str(wall), "--mode", "auto"])
    assert res.exit_code == 0, res.output
