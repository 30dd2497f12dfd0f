"""Zones (a face's regions): each zone's pores depend on its own skin, not on what the other zones hold (issue 21)."""

from __future__ import annotations

import numpy as np
import pytest

from porescope.measure.pores.detect import detect
from porescope.testing.synth import SkinSpec, render

PX_PER_MM = 10.0  # the analysis resolution
HALF = 256


@pytest.fixture(scope="module")
def photo():
    """Left half: fine, faint-textured skin with pores; right half: much coarser texture with hairs (as hair or stubble
    beside a region would read)."""
    calm = render(SkinSpec(height=512, width=512, pore_diameter_px=(4.0, 8.0), texture=0.02, noise_sigma=1.5, seed=21)).rgb
    coarse = render(SkinSpec(height=512, width=512, pore_diameter_px=(4.0, 8.0), texture=0.09, noise_sigma=5.0, hairs=40, seed=22)).rgb
    out = calm.copy()
    out[:, HALF:] = coarse[:, HALF:]
    return out


def _left_pores(det, border: int = 12):
    """(centre x, centre y, area px, clear) of the pores well inside the left zone, sorted."""
    out = []
    for i in range(1, det.count + 1):
        ys, xs = np.divmod(det.pixel_index[det.pixel_label == i], det.labels.shape[1])
        if xs.max() < HALF - border:
            out.append((round(float(xs.mean()), 3), round(float(ys.mean()), 3), int(xs.size), bool(det.clear[i - 1])))
    return sorted(out)


def _run(rgb, skin, zones):
    return detect(rgb, skin, min_diameter_px=0.8, max_diameter_px=12.0, px_per_mm=PX_PER_MM, zones=zones)


def _layouts(shape):
    """(skin, zones) three ways that agree on the left zone: the right half another zone, left out (as hair is), or
    split between two zones and a left-out strip."""
    h, w = shape
    left = np.zeros(shape, bool)
    left[:, :HALF] = True
    z = np.where(left, 1, 2).astype(np.uint8)
    out = []
    out.append((np.ones(shape, bool), z))
    out.append((left, np.where(left, 1, 0).astype(np.uint8)))
    split = z.copy()
    split[h // 2 :, HALF:] = 5
    skin = np.ones(shape, bool)
    skin[:, HALF + 40 : HALF + 80] = False
    out.append((skin, np.where(skin, split, 0).astype(np.uint8)))
    return out


def test_a_zone_reads_its_own_skin_only(photo):
    """What the other zones hold, or whether the skin beside it is left out, does not move a zone's pores."""
    seen = [_left_pores(_run(photo, skin, zones)) for skin, zones in _layouts(photo.shape[:2])]
    assert len(seen[0]) > 30
    assert seen[1] == seen[0] and seen[2] == seen[0]  # the same pores, outlines and clear flags


def test_without_zones_the_other_skin_moves_the_pores(photo):
    """The cause the zones remove: statistics read over all the skin let the coarse half move the calm half's pores
    (as her fringe, once left out of the face, moved the untouched chin's median pore area by +3.9%)."""
    (skin_all, _), (skin_left, _), _ = _layouts(photo.shape[:2])
    assert _left_pores(_run(photo, skin_all, None)) != _left_pores(_run(photo, skin_left, None))


def test_one_zone_is_the_whole_skin(photo):
    """A single zone covering the skin reads what the detector reads without zones (a close-up's numbers stay)."""
    skin = np.ones(photo.shape[:2], bool)
    one, none = _run(photo, skin, skin.astype(np.uint8)), _run(photo, skin, None)
    assert one.count == none.count
    assert np.array_equal(one.labels, none.labels)
    assert np.array_equal(one.clear, none.clear)
    assert np.allclose(one.evidence, none.evidence)


def test_skin_outside_every_zone_is_not_searched(photo):
    skin = np.ones(photo.shape[:2], bool)
    zones = np.zeros(photo.shape[:2], np.uint8)
    zones[:, :HALF] = 3
    det = _run(photo, skin, zones)
    assert det.count > 30
    assert not det.labels[:, HALF + 1 :].any()


def _pored_face(astronaut, w=1600, h=1200, seed=3):
    """The astronaut brows to chin at 1600x1200 (~8 px/mm) with even dark dots as pores (her own are not resolved)."""
    from porescope.testing.synth import pored_face

    return pored_face(astronaut, (150.0, 68.0, 300.0), (w, h), 8.0, seed)


def test_face_regions_do_not_move_when_another_region_is_cut(astronaut):
    """On a real face (the astronaut), an ROI that cuts away half the forehead (and the fringe above it) leaves every
    other region's pores exactly as they were: each region is read against its own skin, on a pixel grid set by the
    face's landmarks, not by where the skin ends."""
    from porescope.measure.pipeline import run

    face = _pored_face(astronaut)
    whole = run(face, mode="face")
    forehead = whole.regions.label_image() == 1
    rows = np.flatnonzero(forehead.any(axis=1))
    roi = np.ones(forehead.shape, bool)
    roi[: (rows[0] + rows[-1]) // 2] = False
    cut = run(face, mode="face", roi=roi)

    def by_region(r):
        out = {}
        for p in r.analysis.pores:
            out.setdefault(p.region, []).append((p.x_px, p.y_px, p.area_px, p.clear))
        return out

    a, b = by_region(whole), by_region(cut)
    others = [n for n in a if n not in ("forehead", "none")]
    assert len(others) >= 4 and sum(len(a[n]) for n in others) > 300
    assert 0 < len(b["forehead"]) < len(a["forehead"])
    for n in others:
        assert b[n] == a[n], n


def test_a_face_region_reads_as_a_closeup_of_its_skin():
    """Grace Hopper's portrait (matplotlib's sample data; wrinkled forehead and chin, smooth nose) with even synthetic
    pores: each region in face mode reads what a close-up of the same skin reads (ROI = the region, the face's scale).
    Read against the whole face's texture, her chin's median pore area was 26% off its close-up and her nose's
    coverage 14% (benchmarks/bench_face_regions.py)."""
    import cv2
    import matplotlib.cbook as cbook
    from PIL import Image

    from porescope.measure.pipeline import load_image, run

    grace = np.asarray(Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB"))
    img = cv2.resize(grace, None, fx=6, fy=6, interpolation=cv2.INTER_CUBIC).astype(np.float32)  # ~7 px/mm on her skin
    rng = np.random.default_rng(5)
    h, w = img.shape[:2]
    dots = np.zeros((h, w), np.float32)
    dots[rng.integers(0, h, h * w // 60), rng.integers(0, w, h * w // 60)] = 1.0
    g = cv2.GaussianBlur(dots, (0, 0), 1.2)
    img *= (1.0 - 0.3 * np.clip(g / g.max(), 0, 1))[..., None]
    photo = load_image(np.clip(img, 0, 255).astype(np.uint8))
    face = run(photo, mode="face")
    ppm = face.analysis.scale.px_per_mm
    labels = face.regions.label_image()
    checked = 0
    for r in face.analysis.regions:
        if r.name not in ("forehead", "nose", "chin") or r.pore_count < 100:
            continue
        c = run(photo, mode="closeup", roi=labels == r.label, px_per_mm=ppm).analysis.regions[0]
        for k in ("density_per_cm2", "coverage_pct", "median_area_mm2"):
            assert abs(getattr(r, k) - getattr(c, k)) <= 0.06 * getattr(c, k), (r.name, k, getattr(r, k), getattr(c, k))
        checked += 1
    assert checked == 3


def test_a_thin_zone_is_searched_too(photo):
    """A zone narrower than the grid zones are first located on (a 5 px band) still has its pores found."""
    skin = np.ones(photo.shape[:2], bool)
    zones = np.ones(photo.shape[:2], np.uint8)
    zones[:, 101:106] = 9  # misses every 8th column
    det = _run(photo, skin, zones)
    assert det.labels[:, 101:106].any()
