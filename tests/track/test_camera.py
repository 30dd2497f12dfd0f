"""Same skin, another phone or dimmer light (issue 20): the change engine reads the camera and the ISO
from each photo's EXIF and does not turn a phone's noise reduction into a change of the skin.

The photos are real JPEG files with EXIF, made by porescope.testing.phone from the real crops: a Bayer
sensor whose shot noise follows the ISO, noise reduction scaled to that noise, sharpening and JPEG.
"""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from phone_helpers import sharpen
from PIL import Image

from porescope.measure.exif import camera_fields, camera_name
from porescope.measure.match import MAX_ISO_RATIO, capture_mismatch
from porescope.measure.pipeline import load_image, run
from porescope.results import SourceImage
from porescope.testing.phone import PHONES, phone_photo, strip_exif
from porescope.track.change import Side, compare_visits, perturbation_noise

HEADLINE = ("visibility_score", "density", "coverage_pct")


def _visit(i):
    return SimpleNamespace(id=i, taken_at=datetime(2026, 1, 1) + timedelta(weeks=4 * i), condition=None, device=None, lighting=None)


def _side(i, photo, roi):
    a = run(photo, roi=roi, px_per_mm=10.0, mode="closeup").analysis
    return Side(_visit(i), a, perturbation_noise(load_image(photo).rgb, a, roi=roi), photo, roi)


def _verdicts(cmp) -> set[str]:
    return {m.verdict for r in cmp.regions for m in r.metrics if m.metric in HEADLINE}


@pytest.fixture(scope="module")
def cheek(real_crops):
    rgb, _, roi = real_crops["cheek_imgleft"]
    return {"rgb": rgb, "roi": roi, "base": _side(1, phone_photo(rgb, iso=50, seed=1), roi)}


def test_the_photo_names_its_camera_and_iso(cheek):
    a = cheek["base"].analysis
    assert a.source.camera == "Phone A Model 1" and a.source.iso == 50.0
    png = run(strip_exif(phone_photo(cheek["rgb"], iso=50, seed=1)), roi=cheek["roi"], px_per_mm=10.0, mode="closeup").analysis
    assert png.source.camera is None and png.source.iso is None


def test_dimmer_light_on_the_same_phone_is_not_read_as_a_change(cheek):
    """ISO 400 on the same phone: its noise reduction erases faint pores; compared blind, that reads 'improved'."""
    dim = phone_photo(cheek["rgb"], iso=400, seed=2)
    cmp = compare_visits("s", cheek["base"], _side(2, dim, cheek["roi"]), align=False)
    assert not cmp.regions
    assert any("ISO 400" in n and "ISO 50" in n for n in cmp.notes), cmp.notes
    # The same two photos without their EXIF: the engine cannot tell, and the phone's processing reads as better skin.
    blind = compare_visits("s", _side(1, strip_exif(phone_photo(cheek["rgb"], iso=50, seed=1)), cheek["roi"]),
                           _side(2, strip_exif(dim), cheek["roi"]), align=False)
    assert "improved" in _verdicts(blind)


def test_another_phone_is_not_compared(cheek):
    other = phone_photo(cheek["rgb"], iso=50, seed=3, **PHONES["B"])
    cmp = compare_visits("s", cheek["base"], _side(2, other, cheek["roi"]), align=False)
    assert not cmp.regions
    assert any("Phone A Model 1" in n and "Phone B Model 7" in n for n in cmp.notes), cmp.notes


def test_one_stop_brighter_or_darker_is_compared_and_unchanged(cheek):
    cmp = compare_visits("s", cheek["base"], _side(2, phone_photo(cheek["rgb"], iso=100, seed=4), cheek["roi"]), align=False)
    assert cmp.regions and _verdicts(cmp) == {"no_detectable_change"}, cmp.notes


def test_a_photo_without_exif_is_compared_with_a_note(cheek):
    cmp = compare_visits("s", cheek["base"], _side(2, strip_exif(phone_photo(cheek["rgb"], iso=50, seed=5)), cheek["roi"]), align=False)
    assert cmp.regions
    assert any("does not say which camera" in n for n in cmp.notes), cmp.notes


def test_capture_mismatch_rules():
    src = lambda camera=None, iso=None: SourceImage(width_px=10, height_px=10, camera=camera, iso=iso)  # noqa: E731
    assert capture_mismatch(src("Apple iPhone 15"), src("apple IPHONE 15")) is None  # the same camera, however EXIF cases it
    assert capture_mismatch(src(iso=100), src(iso=100 * MAX_ISO_RATIO)) is None
    assert "ISO" in capture_mismatch(src(iso=100), src(iso=100 * MAX_ISO_RATIO * 1.01))
    assert capture_mismatch(src("A", 50), src(None, 50)) is None  # unknown camera: not refused (the note says so)
    assert "taken with" in capture_mismatch(src("A"), src("B"), ids=(3, 4))


def test_camera_name_from_exif():
    ex = Image.Exif()
    ex[0x010F], ex[0x0110] = "Apple", "iPhone 15 Pro"
    sub = ex.get_ifd(0x8769)
    sub[0xA434] = "iPhone 15 Pro back triple camera 6.765mm f/1.78"
    sub[0x8827] = 640
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=ex.tobytes())
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        fields = camera_fields(im.getexif())
    assert camera_name(fields) == "Apple iPhone 15 Pro back triple camera 6.765mm f/1.78"
    assert fields["iso"] == 640.0
    assert camera_name({}) is None


def test_a_result_stored_without_camera_reads_it_from_its_photo(cheek):
    """Visits stored before results named their camera (schema 1.3) follow the same rule, from the kept photo's EXIF."""
    dim = phone_photo(cheek["rgb"], iso=400, seed=2)
    later = _side(2, dim, cheek["roi"])
    old = [dataclasses.replace(s, analysis=s.analysis.model_copy(update={"source": s.analysis.source.model_copy(update={"camera": None, "iso": None})}))
           for s in (cheek["base"], later)]
    cmp = compare_visits("s", *old, align=False)
    assert not cmp.regions and any("ISO 400" in n for n in cmp.notes), cmp.notes


def test_dim_light_is_said(cheek):
    """The photo's own ISO says when it was taken in dim light; a bright photo and one without EXIF get no such warning."""
    dim = run(phone_photo(cheek["rgb"], iso=800, seed=6), roi=cheek["roi"], px_per_mm=10.0, mode="closeup").analysis
    low = [p for p in dim.quality.problems if p.code == "low_light"]
    assert len(low) == 1 and low[0].severity == "warning" and "ISO 800" in low[0].message and dim.quality.measurable
    assert not [p for p in cheek["base"].analysis.quality.problems if p.code == "low_light"]


def test_a_photo_saved_by_a_beauty_app_is_flagged_and_not_compared_with_an_original(cheek):
    """EXIF Software names the app that saved the photo: a skin-retouching app's sharpened copy gets a warning, and it is not
    compared with the camera's original; a phone's own firmware version in that field is no edit."""
    rgb, roi = cheek["rgb"], cheek["roi"]
    edited = phone_photo(sharpen(rgb, 0.8), iso=50, seed=1, software="Facetune2 2.34.1")
    a = run(edited, roi=roi, px_per_mm=10.0, mode="closeup").analysis
    warn = [p for p in a.quality.problems if p.code == "edited"]
    assert a.source.software == "Facetune2 2.34.1" and len(warn) == 1 and "Facetune2" in warn[0].message and a.quality.measurable
    cmp = compare_visits("s", cheek["base"], _side(2, edited, roi), align=False)
    assert not cmp.regions and any("Facetune2" in n and "was not" in n for n in cmp.notes), cmp.notes
    own = run(phone_photo(rgb, iso=50, seed=1, software="17.1.2"), roi=roi, px_per_mm=10.0, mode="closeup").analysis
    assert own.source.software == "17.1.2" and not [p for p in own.quality.problems if p.code == "edited"]
    # Two photos saved by the same app are compared (what it did, it did to both).
    both = compare_visits("s", _side(1, edited, roi), _side(2, phone_photo(sharpen(rgb, 0.8), iso=50, seed=7, software="Facetune2 2.34.1"), roi),
                          align=False)
    assert both.regions


def test_a_digital_zoom_is_read_from_exif_and_said():
    """A phone that zooms past its lens enlarges a crop of its sensor's picture and records it (EXIF DigitalZoomRatio):
    the result keeps the zoom and warns with what to do; the same phone unzoomed writes 1 there, which is no zoom."""
    from PIL.TiffImagePlugin import IFDRational

    from porescope.testing.synth import SkinSpec, render

    skin = render(SkinSpec(height=480, width=640, seed=5)).rgb
    zoomed = run(phone_photo(skin, digital_zoom=2.0), px_per_mm=20.0, mode="closeup").analysis
    warn = [p for p in zoomed.quality.problems if p.code == "digital_zoom"]
    assert zoomed.source.digital_zoom == 2.0 and len(warn) == 1 and warn[0].severity == "warning"
    assert "2.0x" in warn[0].message and "10.0 px/mm" in warn[0].message and "closer instead of zooming" in warn[0].message
    plain = run(phone_photo(skin), px_per_mm=20.0, mode="closeup").analysis
    assert plain.source.digital_zoom is None and not [p for p in plain.quality.problems if p.code == "digital_zoom"]
    # 0/1 means "digital zoom was not used" (EXIF 2.3); 0/0 is unreadable: neither is a zoom.
    for ratio in (IFDRational(0, 1), IFDRational(0, 0), 1.02):
        ex = Image.Exif()
        ex.get_ifd(0x8769)[0xA404] = ratio
        buf = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buf, "JPEG", exif=ex.tobytes())
        with Image.open(io.BytesIO(buf.getvalue())) as im:
            assert "digital_zoom" not in camera_fields(im.getexif()), ratio


def test_a_digitally_zoomed_visit_is_not_read_as_a_change_of_the_skin(cheek):
    """The same skin, zoomed 1.5x by the phone in the later visit and measured at its own 15 px/mm: the zoom softens the
    photo and takes 7-12% of the pores, which compared blind reads as fewer, fainter pores."""
    import numpy as np

    rgb = cheek["rgb"]
    h, w = rgb.shape[:2]
    ch, cw = round(h / 1.5), round(w / 1.5)
    centre = np.zeros((h, w), bool)
    centre[(h - ch) // 2 : (h - ch) // 2 + ch, (w - cw) // 2 : (w - cw) // 2 + cw] = True  # the skin the zoomed photo shows
    before = _side(1, phone_photo(rgb, iso=50, seed=1), centre)
    zoomed = phone_photo(rgb, iso=50, seed=2, digital_zoom=1.5)
    a = run(zoomed, px_per_mm=15.0, mode="closeup").analysis
    after = Side(_visit(2), a, perturbation_noise(load_image(zoomed).rgb, a), zoomed, None)
    cmp = compare_visits("s", before, after, align=False)
    assert not (_verdicts(cmp) & {"improved", "worse"}), [(m.metric, m.verdict) for r in cmp.regions for m in r.metrics]
    assert a.source.digital_zoom == 1.5 and any(p.code == "digital_zoom" for p in a.quality.problems)
