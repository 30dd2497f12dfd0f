"""History store on SQLite in a temp dir: add, list, compare, export, delete, versions."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from history_helpers import BASE, add_visit, photo, worse_spec

from porescope.errors import PorescopeError
from porescope.results import Analysis
from porescope.track import Store, resolve
from porescope.track.photos import analyze_visit_photo


@pytest.fixture()
def store(tmp_path):
    s = Store(str(tmp_path / "h.db"))
    yield s
    s.close()


def _files(store):
    return sorted(p for p in store.photos_dir.rglob("*") if p.is_file())


def test_add_list_show(store, tmp_path):
    p = photo(tmp_path / "a.jpg")
    v = add_visit(store, p, "ann", taken_at=datetime(2026, 1, 5, 9, 0), condition={"cleansed": "yes", "since_wash_h": 1},
                        device="phone X", lighting="window", mode="closeup")
    assert v.id >= 1 and v.subject == "ann" and v.captures == 1
    assert v.taken_at == datetime(2026, 1, 5, 9, 0)
    assert v.condition == {"cleansed": "yes", "since_wash_h": 1}
    assert v.regions and v.regions[0].name == "frame" and v.regions[0].pore_count > 0
    assert [s.name for s in store.subjects()] == ["ann"]
    assert store.subjects()[0].visits == 1
    assert [x.id for x in store.visits("ann")] == [v.id]
    a = store.analysis(v.id)
    assert isinstance(a, Analysis) and a.schema_version and a.regions[0].pore_count == v.regions[0].pore_count
    path = store.photo_path(v.id)
    assert path.exists() and path.read_bytes() == p.read_bytes()
    assert path.name.startswith(v.photo_sha256)


def test_visits_ordered_by_time_and_bytes_input(store, tmp_path):
    p = photo(tmp_path / "a.jpg")
    late = add_visit(store, p, "bo", taken_at=datetime(2026, 3, 1))
    early = add_visit(store, p.read_bytes(), "bo", taken_at=datetime(2026, 1, 1))
    assert [v.id for v in store.visits("bo")] == [early.id, late.id]
    # Same content stored once.
    assert len(_files(store)) == 1


def test_compare_default_is_first_vs_latest(store, tmp_path):
    add_visit(store, photo(tmp_path / "a.jpg"), "cy", taken_at=datetime(2026, 1, 1))
    add_visit(store, photo(tmp_path / "b.jpg", exposure=1.05), "cy", taken_at=datetime(2026, 2, 1))
    last = add_visit(store, photo(tmp_path / "c.jpg", worse_spec()), "cy", taken_at=datetime(2026, 3, 1))
    c = store.compare("cy")
    assert c.latest_visit == last.id and c.baseline_visit == store.visits("cy")[0].id
    r = c.region("frame")
    assert r is not None and r.verdict == "worse"
    for m in r.metrics:
        assert m.low <= m.delta <= m.high
        assert m.noise_baseline > 0 and m.noise_latest > 0
    assert c.summary and "interval" in c.summary


def test_compare_errors(store, tmp_path):
    v = add_visit(store, photo(tmp_path / "a.jpg"), "dee")
    with pytest.raises(PorescopeError, match="needs two"):
        store.compare("dee")
    with pytest.raises(PorescopeError, match="not a visit of"):
        store.compare("dee", v.id, 999)
    with pytest.raises(PorescopeError, match="no subject"):
        store.visits("nobody")
    with pytest.raises(PorescopeError, match="no visit"):
        store.visit(12345)
    with pytest.raises(PorescopeError, match="no such photo"):
        add_visit(store, tmp_path / "missing.jpg", "dee")
    with pytest.raises(PorescopeError):
        add_visit(store, b"not an image", "dee")
    other = analyze_visit_photo(photo(tmp_path / "b.jpg", seed=5), mode="closeup")[1].analysis
    with pytest.raises(PorescopeError, match="not of this photo"):  # the store keeps only a photo's own analysis
        store.add_visit(photo(tmp_path / "a.jpg"), "dee", analysis=other)
    assert len(store.visits("dee")) == 1 and len(_files(store)) == 1


def test_repeat_capture_gives_measured_noise(store, tmp_path):
    v = add_visit(store, photo(tmp_path / "a.jpg"), "eve")
    v2 = add_visit(store, photo(tmp_path / "a2.jpg", seed=BASE.seed, exposure=1.04), "eve", repeat_of=v.id)
    assert v2.id == v.id and v2.captures == 2
    assert len(store.analyses(v.id)) == 2
    assert store.photo_path(v.id, 2) != store.photo_path(v.id, 1)
    n = store.noise(v.id)
    assert n.source == "repeat_capture" and n.samples == 2
    assert n.sd["frame"]["visibility_score"] > 0
    other = add_visit(store, photo(tmp_path / "b.jpg"), "fay")
    with pytest.raises(PorescopeError, match="not a visit of"):
        add_visit(store, photo(tmp_path / "c.jpg"), "eve", repeat_of=other.id)


def test_perturbation_noise_is_cached(store, tmp_path):
    v = add_visit(store, photo(tmp_path / "a.jpg"), "gus")
    n1 = store.noise(v.id)
    assert n1.source == "perturbation" and n1.samples >= 4
    assert store.noise(v.id) == n1  # from the cache (same object content)


def test_export_csv(store, tmp_path):
    add_visit(store, photo(tmp_path / "a.jpg"), "hal", condition={"makeup": "no"}, taken_at=datetime(2026, 1, 1))
    add_visit(store, photo(tmp_path / "b.jpg", seed=2), "ida", taken_at=datetime(2026, 1, 2))
    rows = list(csv.DictReader(io.StringIO(store.export_csv())))
    assert {r["subject"] for r in rows} == {"hal", "ida"}
    hal = [r for r in rows if r["subject"] == "hal"]
    assert hal[0]["region"] == "frame" and int(hal[0]["pore_count"]) > 0 and '"makeup": "no"' in hal[0]["condition"]
    for col in ("density", "visibility_score", "coverage_pct", "mean_elongation", "dark_share", "taken_at", "photo_sha256"):
        assert col in rows[0]
    only = list(csv.DictReader(io.StringIO(store.export_csv("ida"))))
    assert {r["subject"] for r in only} == {"ida"}


def test_delete_subject_erases_rows_and_photos_but_keeps_shared(store, tmp_path):
    shared = photo(tmp_path / "shared.jpg")
    own = photo(tmp_path / "own.jpg", seed=5)
    add_visit(store, shared, "jo")
    add_visit(store, own, "jo")
    store.save_profile("jo", {"skin": "oily"})
    store.save_routine("jo", {"steps": ["cleanse"]})
    store.add_product_use("jo", "gel", ["salicylic acid"])
    add_visit(store, shared, "kim")
    assert len(_files(store)) == 2
    assert store.delete_subject("jo") == 2
    assert [s.name for s in store.subjects()] == ["kim"]
    files = _files(store)
    assert len(files) == 1 and files[0] == store.photo_path(store.visits("kim")[0].id)
    with pytest.raises(PorescopeError):
        store.visits("jo")
    assert "jo" not in store.export_csv()
    assert store.delete_subject("kim") == 1
    assert _files(store) == []
    with pytest.raises(PorescopeError, match="no subject"):
        store.delete_subject("kim")


def test_delete_visit(store, tmp_path):
    a = add_visit(store, photo(tmp_path / "a.jpg"), "lu")
    b = add_visit(store, photo(tmp_path / "b.jpg", seed=3), "lu")
    store.delete_visit(a.id)
    assert [v.id for v in store.visits("lu")] == [b.id]
    assert len(_files(store)) == 1


def test_profile_routine_versions_and_products(store):
    assert store.add_subject("mo").name == "mo"
    assert store.profile("mo") is None and store.routine("mo") is None
    store.save_profile("mo", {"skin_type": "combination"})
    p2 = store.save_profile("mo", {"skin_type": "oily", "pregnant": False})
    assert p2.version == 2 and store.profile("mo").data["skin_type"] == "oily"
    assert [p.version for p in store.profiles("mo")] == [1, 2]
    r = store.save_routine("mo", {"steps": [{"active": "niacinamide 4%", "citations": ["split-face RCT"]}]})
    assert r.version == 1 and store.routine("mo").data["steps"][0]["citations"] == ["split-face RCT"]
    u = store.add_product_use("mo", "Serum", "niacinamide, water", start=datetime(2026, 1, 1), end=datetime(2026, 2, 1))
    assert u.ingredients == ["niacinamide", "water"]
    store.add_product_use("mo", "SPF 50", [], start=datetime(2026, 3, 1))
    assert [p.name for p in store.product_uses("mo")] == ["Serum", "SPF 50"]
    assert [p.name for p in store.product_uses("mo", between=(datetime(2026, 2, 10), datetime(2026, 2, 20)))] == []
    with pytest.raises(PorescopeError):
        store.add_product_use("mo", "x", start=datetime(2026, 2, 1), end=datetime(2026, 1, 1))
    with pytest.raises(PorescopeError):
        store.save_profile("mo", ["not", "a", "dict"])


def test_orphan_sweep_on_open(tmp_path):
    s = Store(str(tmp_path / "h.db"))
    add_visit(s, photo(tmp_path / "a.jpg"), "ned")
    orphan = s.photos_dir / "ab" / ("ab" + "0" * 62 + ".jpg")
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x")
    tmp = s.photos_dir / "ab" / ".abcdef.123.tmp"
    tmp.write_bytes(b"half")
    s.close()
    s2 = Store(str(tmp_path / "h.db"))
    assert not orphan.exists() and not tmp.exists()
    assert len(_files(s2)) == 1 and len(s2.visits("ned")) == 1


def test_resolve_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("PORESCOPE_DB_URL", raising=False)
    monkeypatch.delenv("PORESCOPE_DATA_DIR", raising=False)
    import platformdirs

    url, data = resolve()
    assert url == f"sqlite:///{data / 'porescope.db'}"
    assert str(data) == platformdirs.user_data_dir("porescope", appauthor=False)
    monkeypatch.setenv("PORESCOPE_DB_URL", "postgresql://u@h/db")
    monkeypatch.setenv("PORESCOPE_DATA_DIR", str(tmp_path))
    url, data = resolve()
    assert url == "postgresql+psycopg://u@h/db" and data == tmp_path
    url, data = resolve(str(tmp_path / "x.db"))
    assert url.startswith("sqlite:///") and url.endswith("x.db")


def test_env_url_and_data_dir_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PORESCOPE_DB_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("PORESCOPE_DATA_DIR", str(tmp_path / "pics"))
    s = Store()
    add_visit(s, photo(tmp_path / "a.jpg"), "oz")
    assert (tmp_path / "env.db").exists()
    assert str(s.photo_path(s.visits("oz")[0].id)).startswith(str(tmp_path / "pics"))


def test_migrations_match_table_definitions(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from porescope.track import db

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_bad_url_is_one_clear_error(tmp_path):
    with pytest.raises(PorescopeError, match="store"):
        Store("nosuchdb://x/y", data_dir=tmp_path)


def test_roi_is_kept_and_reused(store, tmp_path):
    import cv2
    import numpy as np

    p = photo(tmp_path / "a.jpg")
    mask = np.zeros((384, 384), np.uint8)
    mask[40:340, 60:320] = 255
    cv2.imwrite(str(tmp_path / "roi.png"), mask)
    v = add_visit(store, p, "roi", roi=tmp_path / "roi.png", mode="closeup")
    full = add_visit(store, p, "roi", mode="closeup")
    assert v.regions[0].pore_count < full.regions[0].pore_count
    m = store.roi_mask(v.id)
    assert m is not None and m.shape == (384, 384) and m[100, 100] and not m[10, 10]
    assert store.roi_mask(full.id) is None
    assert store.noise(v.id).source == "perturbation"
    c = store.compare("roi", v.id, full.id)
    assert c.region("frame").verdict == "no_detectable_change"  # same skin once both use the shared area
    store.delete_subject("roi")
    assert [f for f in store.photos_dir.rglob("*") if f.is_file()] == []  # ROI mask file erased too


def test_head_revision_constant_is_alembics_head():
    # Opening a store at HEAD_REVISION skips importing alembic; the constant must follow the migrations.
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from porescope.track.store import HEAD_REVISION, MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION
