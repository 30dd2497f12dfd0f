"""End to end: the ingredients and routine commands on a local Typer app, and one real subprocess."""

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from porescope.advice_cli import register
from porescope.knowledge.language import forbidden_phrases

runner = CliRunner()


def _app():
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop():  # a second command so Typer keeps subcommand names
        pass

    return app


def test_ingredients_text_and_json(tmp_path):
    out = tmp_path / "r.json"
    res = runner.invoke(_app(), ["ingredients", "Ingredients: Aqua, Salicylic Acid 2%, Parfum", "--json", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert [a["id"] for a in data["actives"]] == ["salicylic_acid"]
    assert data["actives"][0]["min_pct"] == 2.0
    assert "Actives found" in res.output


def test_ingredients_file_and_stdin(tmp_path):
    f = tmp_path / "label.txt"
    f.write_text("Water, Niacinamide 5%, Glycerin", encoding="utf-8")
    res = runner.invoke(_app(), ["ingredients", "--file", str(f), "--json", "-"])
    assert res.exit_code == 0 and json.loads(res.output)["actives"][0]["id"] == "niacinamide"
    res = runner.invoke(_app(), ["ingredients", "-", "--json", "-"], input="Aqua, Retinol")
    assert res.exit_code == 0 and json.loads(res.output)["actives"][0]["id"] == "retinol"


def test_ingredients_errors_exit_2(tmp_path):
    res = runner.invoke(_app(), ["ingredients", "--file", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "file not found" in res.output and "Traceback" not in res.output
    res = runner.invoke(_app(), ["ingredients"])
    assert res.exit_code == 2 and "no label given" in res.output


def test_routine_end_to_end(tmp_path):
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({"concerns": ["blackheads"], "sensitive": False, "pregnant_or_breastfeeding": True}))
    out = tmp_path / "routine.json"
    from importlib import resources

    cat = resources.files("porescope").joinpath("data", "example_catalog.json")
    res = runner.invoke(_app(), ["routine", "--profile", str(prof), "--products", str(cat), "--json", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert any(s["step"] == "sunscreen" for s in data["am"])
    assert not any("retinoid" in s["categories"] for s in data["am"] + data["pm"])
    assert "Morning" in res.output and "dermatologist" in res.output
    assert not forbidden_phrases(res.output) and not forbidden_phrases(out.read_text())


def test_routine_bad_inputs_exit_2(tmp_path):
    prof = tmp_path / "p.json"
    prof.write_text('{"skin_type": "oily", "colour": "blue"}')
    res = runner.invoke(_app(), ["routine", "--profile", str(prof)])
    assert res.exit_code == 2 and "unknown key 'colour'" in res.output and "Traceback" not in res.output
    good = tmp_path / "g.json"
    good.write_text("{}")
    bad_analysis = tmp_path / "a.json"
    bad_analysis.write_text('{"hello": 1}')
    res = runner.invoke(_app(), ["routine", "--profile", str(good), "--analysis", str(bad_analysis)])
    assert res.exit_code == 2 and "not a porescope analysis" in res.output
    bad_analysis.write_text("{nope")
    res = runner.invoke(_app(), ["routine", "--profile", str(good), "--analysis", str(bad_analysis)])
    assert res.exit_code == 2


def test_real_subprocess(tmp_path):
    prof = tmp_path / "p.json"
    prof.write_text('{"skin_type": "greasy"}')
    code = "import typer; from porescope.advice_cli import register; app = typer.Typer(); register(app); app()"
    proc = subprocess.run(
        [sys.executable, "-c", code, "routine", "--profile", str(prof)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "skin_type" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-c", code, "ingredients", "Aqua, Azelaic Acid 10%", "--json", "-"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["actives"][0]["id"] == "azelaic_acid"


def test_routine_with_analysis_file(tmp_path):
    analysis = {
        "porescope_version": "0.1.0",
        "source": {"width_px": 64, "height_px": 64},
        "scale": {},
        "quality": {"sharpness": 1, "noise_sigma": 1, "mean_luminance": 50, "clipped_fraction": 0,
                    "glare_fraction": 0, "measurable": True},
        "regions": [],
        "pores": [],
        "causes": [{"cause": "laxity", "strength": 0.8}],
        "settings": {"min_diameter_px": 2, "max_diameter_px": 30, "detector": "dog", "sensitivity": 0.5},
    }
    a = tmp_path / "analysis.json"
    a.write_text(json.dumps(analysis))
    prof = tmp_path / "p.json"
    prof.write_text('{"concerns": [], "sensitive": false, "age": 35}')
    res = runner.invoke(_app(), ["routine", "--profile", str(prof), "--analysis", str(a), "--json", "-"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["focus"][0] == "laxity"
    retinoid = next(s for s in data["pm"] if s["step"] == "retinoid")
    assert "laxity (0.80)" in retinoid["reason"]
