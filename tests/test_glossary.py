"""The glossary: one plain sentence per metric, the same in the CLI, the README, the web page and the reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from porescope.glossary import GLOSSARY, find

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_term_is_one_plain_sentence():
    keys = [t.key for t in GLOSSARY]
    assert len(keys) == len(set(keys)) >= 15
    for t in GLOSSARY:
        assert t.sentence.endswith(".") and t.sentence.count(". ") == 0, t.key
        assert "_" not in t.sentence, t.key
        assert find(t.key) is t and find(t.name) is t and find(t.name.upper()) is t
        for a in t.aliases:
            assert find(a) is t, (t.key, a)


@pytest.mark.parametrize("shown", ["Elongation", "Dark share", "noise σ", "mean L*", "laxity", "visibility_score", "Cover %"])
def test_the_jargon_the_issue_found_is_explained(shown):
    assert find(shown) is not None


def test_thresholds_in_words_match_the_code():
    from porescope.measure.causes import LIKELY_MIN, POSSIBLE_MIN, STRETCHED_ELONGATION
    from porescope.measure.quality import MIN_PX_PER_MM, NOISE_WARNING

    assert f"{STRETCHED_ELONGATION:g} or more is called stretched" in find("elongation").sentence
    s = find("cause_strength").sentence
    assert f"{LIKELY_MIN:g} or more is called likely" in s and f"{POSSIBLE_MIN:g} to {LIKELY_MIN:g} possible" in s
    assert f"about {MIN_PX_PER_MM:g} or more" in find("scale").sentence
    assert f"above about {NOISE_WARNING:g}" in find("noise").sentence


def test_explain_command():
    env = dict(os.environ, COLUMNS="80")
    r = subprocess.run([sys.executable, "-m", "porescope", "explain", "Dark share"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and " ".join(r.stdout.split()) == f"{find('dark_share').name}: {find('dark_share').sentence}"
    r = subprocess.run([sys.executable, "-m", "porescope", "explain"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and all(f"porescope explain {t.key}" in r.stdout for t in GLOSSARY)
    r = subprocess.run([sys.executable, "-m", "porescope", "explain", "bogus"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("error: no metric called") and "Traceback" not in r.stderr


def test_readme_table_matches_the_glossary():
    text = " ".join(README.read_text(encoding="utf-8").split())
    for t in GLOSSARY:
        assert f"| {t.name} | {t.sentence} |" in text, t.key


def test_web_result_page_explains_its_numbers():
    from web_helpers import PageClient

    from porescope.output.render import encode_image
    from porescope.testing.synth import SkinSpec, render
    from porescope.web import create_app

    data = encode_image(render(SkinSpec(height=300, width=400, seed=4)).rgb, ".jpg")
    with PageClient(create_app(store=None, db_url="sqlite:///:memory:")) as c:
        r = c.post("/analyze", files={"photo": ("s.jpg", data, "image/jpeg")}, data={"mode": "closeup"}, follow_redirects=False)
        html = c.get(r.headers["location"]).text
    import html as htmllib

    page = htmllib.unescape(html)
    for key in ("visibility", "elongation", "dark_share", "noise", "brightness", "cause_strength"):
        assert find(key).sentence in page, key
    assert page.count(find("visibility").sentence) >= 1
    assert "noise σ" not in page and "mean L*" not in page
