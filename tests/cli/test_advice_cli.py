"""End to end: the ingredients and routine commands on a local Typer app, and one real subprocess."""

import json
import subprocess
import sys

import typer
from typer.testing import CliRunner

from porescope.advise.knowledge.language import forbidden_phrases
from porescope.cli.advice import register

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
    code = "import typer; from porescope.cli.advice import register; app = typer.Typer(); register(app); app()"
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
    assert "loss of firmness (strength 0.80 of 1)" in retinoid["reason"]


# --- readable at 80 columns: blocks, no cut word, complete when piped ------------------------------

def _run80(*args, stdin=None):
    import os

    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "porescope", *map(str, args)], capture_output=True, text=True,
                          env=env, input=stdin, timeout=120)


def _tokens(text: str) -> set[str]:
    import re

    return set(re.findall(r"[\w%.+/<>=-]+", text))


def _words(text: str) -> list[str]:
    import re

    return [w.strip(".,;:()[]'\"") for w in re.findall(r"[\w%.+/<>=-]+", text) if w.strip(".,;:()[]'\"")]


def _assert_every_word_whole(json_texts, output):
    out_tokens = {t.strip(".,;:()[]'\"") for t in _tokens(output)}
    missing = sorted({w for t in json_texts for w in _words(t)} - out_tokens)
    assert not missing, missing[:20]
    for line in output.splitlines():
        # no line wider than the terminal (a single unbreakable word, like a long path, may not fit)
        assert len(line) <= 80 or " " not in line.strip(), line


def test_routine_at_80_columns_every_word_whole(tmp_path):
    prof = tmp_path / "p.json"
    prof.write_text(json.dumps({
        "age": 45, "skin_type": "Oily", "sensitive": False, "sun_exposure": "High",
        "concerns": ["Visible pores", "blackheads", "firmness", "texture"],
        "current_products": [{"name": "night gel", "ingredients": "Aqua, Benzoyl Peroxide 5%"}],
        "prescriptions": ["tretinoin"],
    }))
    from importlib import resources

    catalog = resources.files("porescope").joinpath("data", "example_catalog.json")
    js = tmp_path / "r.json"
    r = _run80("routine", "--profile", prof, "--products", catalog, "--json", js)
    assert r.returncode == 0, r.stderr
    data = json.loads(js.read_text())
    texts = [data["timeline"], data["disclaimer"], *data["warnings"], *data["notes"], *data["see_a_dermatologist"]]
    for c in data["conflicts"]:
        texts += [c["message"], c["citation"], *c["between"]]
    for s in data["am"] + data["pm"]:
        texts += [s["product_type"], s["strength"], s["frequency"], s["reason"], s["evidence"], *s["sources"]]
        for p in s["products"]:
            texts += [p["name"], *p["reasons"], p["note"]]
    _assert_every_word_whole(texts, r.stdout)
    # steps are blocks: the reason sits on its own lines beneath the step line
    assert "Morning" in r.stdout and "Sources" in r.stdout and "│" not in r.stdout and "┃" not in r.stdout


def test_ingredients_at_80_columns_every_word_whole(tmp_path):
    js = tmp_path / "l.json"
    label = ("Ingredients: Aqua, Glycerin, Niacinamide, Salicylic Acid, Azelaic Acid, Phenoxyethanol, "
             "Isopropyl Myristate, Retinol, Glycolic Acid, Parfum, Limonene, Thymus Vulgaris (Thyme) Extract")
    r = _run80("ingredients", label, "--json", js)
    assert r.returncode == 0, r.stderr
    data = json.loads(js.read_text())
    texts = [data["disclaimer"], *data["notes"]]
    for a in data["actives"]:
        texts += [a["printed_as"], a["estimate"], a["bounds_basis"], a["assessment"], a["pore_action"], a["effective_range"]]
    for f in data["flags"]:
        texts += [f["message"], f["citation"], *f["ingredients"]]
    for e in data["entries"]:
        texts += [e["raw"], e["estimate"]]
    _assert_every_word_whole(texts, r.stdout)
    assert "salicylic_acid" not in r.stdout and "(bha)" not in r.stdout and "azelaic_acid" not in r.stdout


def test_closed_pipe_exits_quietly():
    label = "Ingredients: " + ", ".join(["Aqua", "Glycerin", "Niacinamide", "Salicylic Acid"] * 400)
    proc = subprocess.Popen([sys.executable, "-m", "porescope", "ingredients", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdin.write(label)
    proc.stdin.close()
    proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0
    assert err == "", err


def test_example_profile_explains_every_field_and_loads(tmp_path):
    from porescope.advise.profile import Profile, load_profile

    r = _run80("routine", "--example-profile")
    assert r.returncode == 0, r.stderr
    for field in Profile.model_fields:
        assert f"{field}:" in r.stdout, field
    example = r.stdout[r.stdout.index("{"):]
    prof = load_profile(example)
    assert prof.skin_type == "combination"


def test_choices_are_not_case_sensitive():
    from porescope.advise.profile import load_profile

    p = load_profile('{"skin_type": "Oily", "sun_exposure": "HIGH", "concerns": ["Visible Pores", "Blackheads"]}')
    assert p.skin_type == "oily" and p.sun_exposure == "high" and p.concerns == ["visible_pores", "blackheads"]
    r = _run80("ingredients", "Aqua, Homosalate", "--market", "EU", "--json", "-")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["market"] == "eu"


def test_help_names_values_and_version():
    r = _run80("--version")
    assert r.returncode == 0 and r.stdout.strip().startswith("porescope ") and len(r.stdout.split()) == 2
    for cmd in (["analyze"], ["ingredients"], ["routine"], ["history", "add"], ["report"], ["study", "run"]):
        h = _run80(*cmd, "--help")
        assert h.returncode == 0, h.stderr
        import re

        assert not re.search(r"<[A-Za-z\[\]|]+>", h.stdout) and "{" not in h.stdout, h.stdout  # no <bool>, <list[Path]>, {photo}
        assert "Analyse" not in h.stdout
    h = _run80("analyze", "--help").stdout
    assert "--json FILE" in h and "[auto|face|closeup]" in h and "PHOTO..." in h
    assert "--example-profile" in _run80("routine", "--help").stdout
