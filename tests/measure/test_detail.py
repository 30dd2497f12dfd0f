"""What a photo really resolves (measure/detail.py), the gate on it, and comparing visits at the same detail.

Synthetic skin for properties with known truth (a known blur, exposure);
the real crops in ../shared for what phones do to real, faint pores.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from phone_helpers import beauty, bench_change, denoise, enlarged_copy, jpeg, sharpen, soft_focus

from porescope.measure.detail import BAND_EDGES_CYC_PER_MM, band_spectrum, read_detail
from porescope.measure.match import apply_band_filter, match_filters, needs_matching, relative_blur
from porescope.measure.pipeline import run
from porescope.results import Analysis
from porescope.testing.synth import SkinSpec, render
from porescope.track.change import Side, compare_metrics, compare_visits, key_metrics, perturbation_noise


@pytest.fixture(scope="module")
def synthetic():
    sk = render(SkinSpec(height=512, width=512, pore_diameter_px=(3.0, 7.0), pore_density_per_mpx=1500, pore_contrast=(0.08, 0.18), seed=21))
    return sk.rgb, np.ones(sk.rgb.shape[:2], bool), sk.pore_mask


def _closeup(rgb, roi):
    return run(rgb, roi=roi, px_per_mm=10.0, mode="closeup").analysis


def _visit(i):
    return SimpleNamespace(id=i, taken_at=datetime(2026, 1, 1) + timedelta(weeks=4 * i), condition=None, device=None, lighting=None)


def _compare(rgb_a, rgb_b, roi):
    a, b = _closeup(rgb_a, roi), _closeup(rgb_b, roi)
    return a, b, compare_visits("s", Side(_visit(1), a, perturbation_noise(rgb_a, a, roi=roi), rgb_a, roi),
                                Side(_visit(2), b, perturbation_noise(rgb_b, b, roi=roi), rgb_b, roi), align=False)


def _visibility(cmp):
    return next(m for r in cmp.regions for m in r.metrics if m.metric == "visibility_score")


# ------------------------------------------------------------------ spectrum
def test_spectrum_shape_ignores_exposure(synthetic):
    rgb, skin, _ = synthetic
    a = band_spectrum(rgb, skin, px_per_mm=10.0).power_db
    darker = np.clip(rgb.astype(np.float32) * 0.8 + 0.5, 0, 255).astype(np.uint8)
    b = band_spectrum(darker, skin, px_per_mm=10.0).power_db
    diff = np.array(b) - np.array(a)
    assert np.ptp(diff) < 0.6, f"exposure changed the spectrum's shape: {np.round(diff, 2)}"


def test_bands_past_nyquist_are_not_read(synthetic):
    rgb, skin, _ = synthetic
    spec = band_spectrum(rgb, skin, px_per_mm=4.0)  # Nyquist 2 cycles/mm
    for top, p in zip(BAND_EDGES_CYC_PER_MM[1:], spec.power_db):
        assert (p is None) == (top > 2.0), (top, p)


@pytest.mark.parametrize("sigma_px", [0.6, 1.0])
def test_relative_blur_recovers_a_known_blur(synthetic, sigma_px):
    rgb, skin, _ = synthetic
    a = band_spectrum(rgb, skin, px_per_mm=10.0)
    b = band_spectrum(soft_focus(rgb, sigma_px), skin, px_per_mm=10.0)
    rb = relative_blur(a.centres, a.power_db, b.power_db)
    assert rb.sharper == "a"
    assert rb.extra_blur_mm == pytest.approx(sigma_px / 10.0, rel=0.3)
    back = relative_blur(a.centres, b.power_db, a.power_db)
    assert back.sharper == "b" and back.extra_blur_mm == pytest.approx(rb.extra_blur_mm, rel=1e-6)


def test_matching_filter_is_zero_for_the_same_photo_and_attenuates_only_the_sharper(synthetic):
    rgb, skin, _ = synthetic
    da = read_detail(rgb, skin, px_per_mm_a=10.0, rgb=rgb, skin=skin)
    ga, gb = match_filters(da, da)
    assert not needs_matching(ga) and not needs_matching(gb)
    blurred = soft_focus(rgb, 1.0)
    db = read_detail(blurred, skin, px_per_mm_a=10.0, rgb=blurred, skin=skin)
    ga, gb = match_filters(da, db)
    assert needs_matching(ga) and not needs_matching(gb)
    assert max(ga) <= 0.0 and max(gb) <= 0.0
    matched = apply_band_filter(rgb, px_per_mm=10.0, centres=da.band_centres_cyc_per_mm, gain_db=ga)
    after = band_spectrum(matched, skin, px_per_mm=10.0).power_db
    fit = [abs(x - y) for c, x, y in zip(da.band_centres_cyc_per_mm, after, db.spectrum_db) if c <= 3.0]
    assert max(fit) < 1.5, f"the matched photo's spectrum strays from the blurred one's by {np.round(fit, 2)} dB"


def test_large_pores_fading_is_not_taken_for_a_sharper_photo():
    """Pores of 0.5-1 mm fading (the synthetic study's treated arm) move the coarse bands the filter is read
    against by 6 dB and the fine bands 0.5 dB the same way: the faded visit holds no detail the other lacks,
    so neither visit is filtered (before the excess cap, the faded visit was filtered by up to 6.5 dB)."""
    from porescope.study.synthetic import StudyDesign, subject_spec, visit_spec

    design = StudyDesign(height=400, width=400)
    spec = subject_spec(design, 1)
    a, b = (render(visit_spec(spec, True, v, design.effect)).rgb for v in (0, 1))
    skin = np.ones(a.shape[:2], bool)
    da, db = (read_detail(x, skin, px_per_mm_a=None, rgb=x, skin=skin) for x in (a, b))
    assert da.spectrum_db[0] - db.spectrum_db[0] > 3.0  # the skin really changed at the reference bands
    ga, gb = match_filters(da, db)
    assert not needs_matching(ga) and not needs_matching(gb), (ga, gb)


def test_zero_gain_filter_keeps_the_photo(synthetic):
    rgb, _, _ = synthetic
    out = apply_band_filter(rgb, px_per_mm=10.0, centres=(1.0, 2.0, 3.0), gain_db=(0.0, 0.0, 0.0))
    assert np.abs(out.astype(int) - rgb.astype(int)).max() <= 1


# ------------------------------------------------------------------ the gate
def test_unprocessed_photos_pass_the_detail_gate(synthetic, real_crops):
    rgb, skin, _ = synthetic
    photos = [(rgb, skin)] + [(r, roi) for r, _, roi in real_crops.values()]
    for photo, roi in photos:
        a = _closeup(photo, roi)
        assert a.quality.detail is not None and a.quality.detail.resolves_pores is True
        assert not {p.code for p in a.quality.problems} & {"smoothed", "detail_too_low", "compressed"}
        assert all(r.counts_meaningful for r in a.regions)


def test_denoised_photos_are_refused(synthetic, real_crops):
    rgb, skin, _ = synthetic
    for photo, roi in [(rgb, skin)] + [(r, roi) for r, _, roi in real_crops.values()]:
        a = _closeup(denoise(photo, 4), roi)
        codes = {p.code: p for p in a.quality.problems}
        assert "smoothed" in codes and codes["smoothed"].severity == "blocking"
        assert not a.quality.measurable
        assert "beauty" in codes["smoothed"].message and "messaging app" in codes["smoothed"].message


def test_enlarged_copy_gets_no_counts_whatever_its_scale_says(real_crops):
    for rgb, _, roi in real_crops.values():
        a = _closeup(enlarged_copy(rgb, 4.0), roi)
        assert "detail_too_low" in {p.code for p in a.quality.problems}
        assert a.quality.detail.resolves_pores is False
        assert not any(r.counts_meaningful for r in a.regions)
        assert "pore_count" not in key_metrics(a)["frame"]


def test_low_quality_jpeg_is_compression_not_smoothing(real_crops):
    rgb, _, roi = real_crops["cheek_imgleft"]
    a = _closeup(jpeg(rgb, 30), roi)
    codes = {p.code for p in a.quality.problems}
    assert "compressed" in codes and "smoothed" not in codes
    assert a.quality.measurable


def test_detail_is_stored_in_the_result(real_crops):
    rgb, _, roi = real_crops["glabella"]
    a = _closeup(rgb, roi)
    back = Analysis.model_validate_json(a.model_dump_json())
    assert back.quality.detail == a.quality.detail
    assert len(back.quality.detail.spectrum_db) == len(back.quality.detail.band_centres_cyc_per_mm)


# ------------------------------------------------------------------ the change engine
def test_soft_focus_alone_is_not_a_change(real_crops):
    rgb, _, roi = real_crops["cheek_imgleft"]
    blurred = soft_focus(rgb, 1.0)
    a, b, cmp = _compare(rgb, blurred, roi)
    raw = compare_metrics(key_metrics(a), key_metrics(b), perturbation_noise(rgb, a, roi=roi), perturbation_noise(blurred, b, roi=roi))
    # Compared as measured, the blur reads as fewer, fainter pores...
    assert next(m for r in raw for m in r.metrics if m.metric == "visibility_score").verdict == "improved"
    # ... measured at the same detail, it is not a change.
    assert _visibility(cmp).verdict == "no_detectable_change"
    assert any("measured at visit 2's detail" in n for n in cmp.notes)


def test_over_sharpened_or_beautified_visits_are_not_compared(real_crops):
    rgb, _, roi = real_crops["glabella"]
    for processed in (sharpen(rgb, 0.8), beauty(rgb)):
        _, _, cmp = _compare(rgb, processed, roi)
        assert cmp.regions == []
        assert any("not compared" in n or "differs too much to compare" in n for n in cmp.notes), cmp.notes


@pytest.mark.parametrize("factor, process, expect", [
    (0.7, lambda x: sharpen(x, 0.2), "improved"),
    (1.3, lambda x: soft_focus(x, 0.5), "worse"),
])
def test_real_change_found_under_mild_opposite_processing(real_crops, factor, process, expect):
    for rgb, truth, roi in real_crops.values():
        changed = process(bench_change.change_pores(rgb, truth, contrast=factor))
        _, _, cmp = _compare(rgb, changed, roi)
        assert _visibility(cmp).verdict == expect


# ------------------------------------------------------------------ the web's check before upload
def test_web_quick_check_flags_a_denoised_capture_and_an_enlarged_copy(real_crops):
    from web_helpers import PageClient

    from porescope.output.render import encode_image
    from porescope.web import create_app

    rgb, _, _ = real_crops["cheek_imgleft"]
    png = lambda x: encode_image(x, ".png")  # noqa: E731 - lossless, as a camera frame reaches the page
    with PageClient(create_app(store=None, db_url="sqlite:///:memory:")) as c:
        def check(data, **form):
            r = c.post("/api/quality", files={"photo": ("frame.png", data, "image/png")}, data=form)
            assert r.status_code == 200, r.text
            return r.json()

        ok = check(png(rgb), px_per_mm="10")
        assert not {p["code"] for p in ok["quality"]["problems"]} & {"smoothed", "detail_too_low"}
        smoothed = check(png(denoise(rgb, 4)), px_per_mm="10")
        assert smoothed["verdict"] == "retake" and "smoothed" in {p["code"] for p in smoothed["quality"]["problems"]}
        enlarged = check(png(enlarged_copy(rgb, 4.0)), px_per_mm="10")
        assert "detail_too_low" in {p["code"] for p in enlarged["quality"]["problems"]}


@pytest.mark.parametrize("eff, drop, expect", [
    (7.0, 12.0, True),   # sharp skin
    (5.0, 9.0, True),    # noise lowers the knee but fills the fine band: its own gate, not this one
    (5.0, 18.0, False),  # a low knee with the fine band emptied: blur or an enlarged copy
    (6.5, 22.0, False),  # a drop this deep is lost detail whatever the knee reads
    (None, 22.0, None),  # scale unknown: cannot be told
])
def test_resolves_pores_rule(eff, drop, expect):
    from porescope.measure.detail import resolves_pores

    assert resolves_pores(eff, drop) is expect


def test_jpeg_copy_of_an_enlarged_photo_gets_no_counts():
    sample = Path(__file__).resolve().parents[2] / "src" / "porescope" / "data" / "sample_closeup.jpg"
    rgb = cv2.imread(str(sample))[..., ::-1].copy()
    a = run(jpeg(enlarged_copy(rgb, 4.0), 95), px_per_mm=10.0, mode="closeup").analysis
    assert a.quality.detail.resolves_pores is False and not any(r.counts_meaningful for r in a.regions)
    assert _closeup(rgb, None).regions[0].counts_meaningful


# ------------------------------------------------------------------ JPEG copies of enlarged photos
@pytest.mark.parametrize("quality", [95, 85])
def test_jpeg_copy_of_an_enlarged_real_crop_gets_no_counts(real_crops, quality):
    # The known gap of the ordinary spectrum: JPEG's block noise refilled the empty fine bands, so these copies
    # read 5.7-6.2 effective px/mm and kept their counts (x4: 53% fewer pores than the photo as taken).
    for rgb, _, roi in real_crops.values():
        a = _closeup(jpeg(enlarged_copy(rgb, 4.0), quality), roi)
        codes = {p.code: p for p in a.quality.problems}
        assert "detail_too_low" in codes, (quality, a.quality.detail)
        assert "2 cycles per mm" in codes["detail_too_low"].message
        assert not any(r.counts_meaningful for r in a.regions)


def test_no_cause_is_read_from_the_pore_shapes_of_a_photo_that_does_not_resolve_them(real_crops):
    # Counts, sizes and shapes of such a copy were left out of every table, but the causes still read its
    # blurred pores' shapes: "possible loss of firmness" at 0.52 on the real cheek's x4 copy, from elongation
    # the table showed as n/a.
    from porescope.measure.causes import COARSE_CAP, signals_read

    for name, (rgb, _, roi) in real_crops.items():
        copy = _closeup(jpeg(enlarged_copy(rgb, 4.0), 92), roi)
        assert not copy.regions[0].counts_meaningful
        assert signals_read(copy)[0] is False
        for c in copy.causes:
            assert c.strength <= COARSE_CAP, (name, c)
        laxity = next(c for c in copy.causes if c.cause == "laxity")
        assert any("too coarse to see pore shapes (it holds " in e for e in laxity.evidence), laxity.evidence
        taken = _closeup(jpeg(rgb, 92), roi)
        assert signals_read(taken)[0] is True
        assert not any("too little detail" in e for c in taken.causes for e in c.evidence)


@pytest.mark.parametrize("quality", [None, 95, 85])
def test_real_crops_as_taken_and_recompressed_keep_their_counts(real_crops, quality):
    from porescope.measure.detail import MAX_PORE_DETAIL_FALL_DB

    for rgb, _, roi in real_crops.values():
        a = _closeup(jpeg(rgb, quality) if quality else rgb, roi)
        d = a.quality.detail
        assert d.pore_detail_fall_db is not None and d.pore_detail_fall_db < MAX_PORE_DETAIL_FALL_DB - 3.0, d.pore_detail_fall_db
        assert d.resolves_pores is True and all(r.counts_meaningful for r in a.regions)


def test_own_grid_spectrum_is_not_fooled_by_jpeg_blocks(synthetic):
    from porescope.measure.detail import MAX_PORE_DETAIL_FALL_DB, own_grid_spectrum, pore_detail_fall_db

    rgb, skin, _ = synthetic
    big = enlarged_copy(rgb, 4.0)
    falls = {}
    for q in (None, 95, 85, 70):
        x = jpeg(big, q) if q else big
        s = own_grid_spectrum(x, skin, px_per_mm=10.0)
        falls[q] = pore_detail_fall_db(s.centres, s.power_db)
        plain = band_spectrum(x, skin, px_per_mm=10.0)
        if q == 85:  # the ordinary spectrum is refilled at the fine bands by the blocks
            assert plain.power_db[-1] > band_spectrum(big, skin, px_per_mm=10.0).power_db[-1] + 2.0
    assert all(f > MAX_PORE_DETAIL_FALL_DB for f in falls.values()), falls
    assert max(falls.values()) - min(falls.values()) < 6.0, falls
    s = own_grid_spectrum(jpeg(rgb, 85), skin, px_per_mm=10.0)
    assert pore_detail_fall_db(s.centres, s.power_db) < MAX_PORE_DETAIL_FALL_DB - 3.0


def test_block_grid_is_found_in_a_cropped_jpeg(synthetic):
    # A JPEG cropped by a few pixels (a screenshot of a corner, a re-framed copy) moves its block grid off the origin.
    from porescope.measure.detail import MAX_PORE_DETAIL_FALL_DB, _block_phase, own_grid_spectrum, pore_detail_fall_db
    from porescope.measure.imaging import log_luminance

    rgb, skin, _ = synthetic
    x = jpeg(enlarged_copy(rgb, 4.0), 90)[3:, 5:]
    tiles = [(log_luminance(np.ascontiguousarray(x[y : y + 65, c : c + 65])).astype(np.float64), y, c) for y in (0, 128) for c in (0, 128)]
    assert _block_phase(tiles) == ((7 - 3) % 8, (7 - 5) % 8)
    s = own_grid_spectrum(x, skin[3:, 5:], px_per_mm=10.0)
    assert pore_detail_fall_db(s.centres, s.power_db) > MAX_PORE_DETAIL_FALL_DB


@pytest.mark.parametrize("fall, expect", [(12.0, True), (18.9, True), (19.1, False), (None, True)])
def test_resolves_pores_rule_with_the_fall_to_pore_detail(fall, expect):
    from porescope.measure.detail import resolves_pores

    assert resolves_pores(7.0, 12.0, fall) is expect
