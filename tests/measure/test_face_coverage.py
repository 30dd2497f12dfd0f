"""Face regions cover the skin where pores show, and only skin (issue 21).

Real faces, both public domain and shipped inside installed packages (nothing
stored in the repository, nothing downloaded):

* ``skimage.data.astronaut()``: NASA's portrait of Eileen Collins, in every
  framing of ``tests/face_variants.py``;
* matplotlib's sample ``grace_hopper.jpg``: the U.S. Navy's portrait of
  Grace Hopper, with glasses, cap and wrinkles.

The anatomy was placed once by hand: points in
``tests/data/astronaut_face_points.json`` and outlines of what is not skin in
``tests/data/astronaut_not_skin.json`` and ``tests/data/grace_hopper_not_skin.json``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from face_variants import hand_points, map_points, scale_of
from PIL import Image

from porescope.measure.causes import zone_words
from porescope.measure.face.params import SKIN_MIN_REL_L
from porescope.measure.regions import find_regions

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-pores"

#: The areas issue 21 added -> the region each must lie in.
NEW_AREAS = {
    "glabella": "between_brows",
    "right_nose_side": "nose",
    "left_nose_side": "nose",
    "right_inner_cheek": "right_cheek",
    "left_inner_cheek": "left_cheek",
}
#: Hand points on features no region may cover.
FEATURES = ("right_brow", "left_brow", "right_brow_inner", "left_brow_inner", "right_pupil", "left_pupil", "right_eye_inner",
            "left_eye_inner", "right_nostril", "left_nostril", "right_mouth_corner", "left_mouth_corner", "mouth", "lower_lip")
#: Share of region pixels that must lie on skin (issue 21).
MIN_ON_SKIN = 0.99


def _grace_hopper() -> np.ndarray:
    mpl = pytest.importorskip("matplotlib.cbook")
    try:
        path = mpl.get_sample_data("grace_hopper.jpg", asfileobj=False)
    except (OSError, ValueError):  # pragma: no cover - a matplotlib without its sample data
        pytest.skip("matplotlib's sample data is not installed")
    return np.asarray(Image.open(path).convert("RGB"))


@pytest.fixture(scope="module")
def grace():
    img = _grace_hopper()
    return img, find_regions(img, mode="face")


def _not_skin(path: Path, shape, t=None) -> np.ndarray:
    """The hand-placed outlines of what is not skin, as a mask of ``shape`` (carried into a framing by ``t``)."""
    out = np.zeros(shape[:2], np.uint8)
    for pts in json.loads(path.read_text())["polygons"].values():
        p = np.asarray(pts, float) if t is None else map_points(pts, t)
        cv2.fillPoly(out, [np.round(p * 4).astype(np.int32)], 1, shift=2)
    return out > 0


def _inside(p, shape) -> bool:
    return 0 <= p[0] < shape[1] and 0 <= p[1] < shape[0]


def test_new_areas_lie_in_their_regions_in_every_framing(framed):
    """Glabella, both sides of the nose and both inner cheeks: inside the right region wherever the framing shows them."""
    pts = hand_points()
    wrong, checked = [], 0
    for name, (img, t, rs) in framed.items():
        assert rs.mode == "face", name
        masks = {r.name: r.mask for r in rs.regions if not r.outline_only}
        for key, region in NEW_AREAS.items():
            p = map_points([pts[key]], t)[0]
            if not _inside(p, img.shape) or rs.not_measured.get(region) == "outside the photo":
                continue  # not in this photo, or its region is mostly cut off by the frame
            x, y = int(p[0]), int(p[1])
            checked += 1
            if region in masks and masks[region][y, x]:
                continue
            where = [n for n, m in masks.items() if m[y, x]]
            # In deep shadow (the shaded side of the nose in the darkened framings) a point may be in no region, never in a wrong one.
            lightness = cv2.cvtColor(img[y:y + 1, x:x + 1], cv2.COLOR_RGB2LAB)[0, 0, 0]
            if not where and lightness < SKIN_MIN_REL_L * rs.extra["skin_colour"]["median_lab"][0]:
                continue
            wrong.append(f"{name}:{key} in {where or 'no region'}")
    assert checked >= 5 * 25
    assert not wrong, wrong


def test_no_region_covers_brows_eyes_nostrils_or_lips(framed):
    pts = hand_points()
    wrong = []
    for name, (img, t, rs) in framed.items():
        for key in FEATURES:
            p = map_points([pts[key]], t)[0]
            if not _inside(p, img.shape):
                continue
            # The feature point and its neighbours within 1 astronaut px.
            r = max(1, int(round(scale_of(t))))
            x, y = int(p[0]), int(p[1])
            for reg in rs.regions:
                if not reg.outline_only and reg.mask[max(0, y - r):y + r + 1, max(0, x - r):x + r + 1].any():
                    wrong.append(f"{name}:{reg.name} on {key}")
    assert not wrong, wrong


def test_region_pixels_lie_on_skin_in_every_framing_of_the_astronaut(framed, astronaut):
    from face_variants import _warp

    worst = []
    for name, (img, t, rs) in framed.items():
        bad = _not_skin(DATA / "astronaut_not_skin.json", img.shape, t)
        if name.startswith(("beard", "sunglasses")):
            # The painted beard, moustache and dark lenses: where the framing differs from the same framing unpainted.
            plain = _warp(astronaut, t, (img.shape[1], img.shape[0]))
            bad |= np.abs(img.astype(np.int16) - plain).max(axis=2) > 40
        total = int(rs.skin.sum())
        on_skin = 1 - int((rs.skin & bad).sum()) / total
        worst.append((on_skin, name))
        for r in rs.regions:
            if not r.outline_only:
                # Each region on its own too (a little slack: a small region's border pixels weigh more).
                assert 1 - (r.mask & bad).sum() / r.mask.sum() >= 0.98, (name, r.name)
    assert min(worst)[0] >= MIN_ON_SKIN, sorted(worst)[:3]


def test_region_pixels_lie_on_skin_on_a_face_with_glasses_and_a_cap(grace):
    img, rs = grace
    bad = _not_skin(DATA / "grace_hopper_not_skin.json", img.shape)
    names = [r.name for r in rs.regions if not r.outline_only]
    assert names == ["forehead", "between_brows", "nose", "left_cheek", "right_cheek", "chin"]
    on_skin = 1 - (rs.skin & bad).sum() / rs.skin.sum()
    assert on_skin >= MIN_ON_SKIN
    for r in rs.regions:
        assert 1 - (r.mask & bad).sum() / r.mask.sum() >= 0.98, r.name


def test_glasses_are_found_and_left_out_with_a_warning(grace, framed):
    img, rs = grace
    codes = {p.code for p in rs.problems}
    assert "glasses" in codes
    poly = json.loads((DATA / "grace_hopper_not_skin.json").read_text())["polygons"]
    lenses = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(lenses, [np.asarray(poly[k], np.int32) for k in ("right_lens", "left_lens")], 1)
    lenses = lenses > 0
    # The skin seen through the lenses is not measured.
    assert (rs.skin & lenses).sum() <= 0.01 * lenses.sum()
    # No framing of the astronaut (no glasses; sunglasses drawn as dark lenses without a bridge) reads as glasses.
    assert not [n for n, (_, _, r) in framed.items() if "glasses" in {p.code for p in r.problems}]


def test_an_overexposed_nose_root_is_not_a_bridge_of_glasses(astronaut):
    """A brighter photo clips the highlight on the nose's root; its colour is then the sensor's ceiling, not the skin's.
    The astronaut 20% brighter (800 x 600) read as wearing glasses and lost her eyes' surroundings and most of her
    nose; clipped pixels are no evidence either way."""
    from porescope.measure.regions import find_regions

    f = 2.0
    img = cv2.warpAffine(astronaut, np.array([[f, 0, -75 * f], [0, f, -20 * f]]), (800, 600), flags=cv2.INTER_LINEAR)
    plain, brighter = (find_regions(np.clip(img.astype(np.float32) * g, 0, 255).astype(np.uint8), mode="face") for g in (1.0, 1.2))
    assert (img.astype(np.float32) * 1.2 >= 255).any(axis=2).mean() > 0.01  # the brighter copy really clips
    assert "glasses" not in {p.code for p in brighter.problems}
    area = {r.name: r.mask.sum() for r in plain.regions}
    # The lens zones glasses take away (around the eyes, down the nose's sides) stay measured; the nose's root itself
    # loses its clipped pixels, as any clipped skin does.
    assert all(r.mask.sum() >= 0.8 * area[r.name] for r in brighter.regions if r.name in ("nose", "left_cheek", "right_cheek")), \
        {r.name: (int(r.mask.sum()), int(area.get(r.name, 0))) for r in brighter.regions}


def test_the_glabella_is_its_own_region_on_the_real_faces(framed, grace):
    for rs in (framed["selfie"][2], grace[1]):
        by = {r.name: r for r in rs.regions}
        assert "between_brows" in by and by["between_brows"].label == 7
        c = {n: np.argwhere(by[n].mask).mean(0) for n in ("forehead", "between_brows", "nose")}
        # Below the forehead, above the nose (rows), on the face's midline between them.
        assert c["forehead"][0] < c["between_brows"][0] < c["nose"][0]


def test_regions_reach_the_kinds_of_skin_of_the_dev_crops(framed):
    """The dev crops are a cheek and a glabella of one real face: the regions must reach those kinds of skin.

    ``parts.json`` gives each crop's box in the original photo, at about 10 px
    per mm (README). Taking the glabella crop's centre as the glabella (its
    name) places the cheek crop on the person's right cheek; carried by the
    astronaut's own scale (px/mm from her iris) onto her face, the cheek crop's
    centre must lie in her right cheek region and the glabella crop's centre in
    the region between her brows."""
    if not (REAL / "parts.json").exists():
        pytest.skip("the real dev crops are not available")
    parts = json.loads((REAL / "parts.json").read_text())
    img, t, rs = framed["selfie"]
    xy = rs.extra["landmarks_px"]
    glab = parts["glabella"]["box_in_original"]  # [y0, y1, x0, x1]
    anchor = np.array([(glab[2] + glab[3]) / 2, (glab[0] + glab[1]) / 2])
    s = rs.scale_px_per_mm / 10.0
    roll = np.radians(rs.extra["pose"]["roll_deg"])
    rot = np.array([[np.cos(roll), -np.sin(roll)], [np.sin(roll), np.cos(roll)]])
    centre = (xy[9] + xy[168]) / 2  # the glabella from the landmarks: between the brows' level and the nose's root
    by = {r.name: r.mask for r in rs.regions}
    for crop, region in (("glabella", "between_brows"), ("cheek_imgleft", "right_cheek")):
        y0, y1, x0, x1 = parts[crop]["box_in_original"]
        p = centre + rot @ ((np.array([(x0 + x1) / 2, (y0 + y1) / 2]) - anchor) * s)
        ys, xs = np.nonzero(by[region])
        d_mm = float(np.min(np.hypot(xs - p[0], ys - p[1]))) / rs.scale_px_per_mm
        assert d_mm <= 1.0, (crop, region, d_mm)


def test_t_zone_text_names_only_the_regions_measured(framed):
    from porescope.measure.causes import likely_causes
    from porescope.measure.pipeline import analyze

    def visible(a, tz: float, ch: float):
        # The astronaut's pores are too small to see at 512 px: give the measured regions visibility scores, and the
        # pores a region comparison needs on each side (causes.MIN_PORES_FOR_RATIO).
        regions = [r.model_copy(update={"visibility_score": tz if "cheek" not in r.name else ch, "pore_count": 100}) for r in a.regions]
        return a.model_copy(update={"regions": regions})

    a = analyze(framed["cut_below_mouth"][0], mode="face")  # the chin is outside this photo
    assert "chin" not in [r.name for r in a.regions] and "between_brows" in [r.name for r in a.regions]
    lines = [e for c in likely_causes(visible(a, 70.0, 35.0)) for e in c.evidence if "T-zone" in e]
    assert lines == ["pores are 2.0x as visible on the T-zone (forehead, between the brows, nose) as on the cheeks"]
    a = analyze(framed["half_face_cut_side"][0], mode="face")  # the right cheek is outside this photo
    assert "right_cheek" not in [r.name for r in a.regions]
    lines = [e for c in likely_causes(visible(a, 35.0, 70.0)) for e in c.evidence if "T-zone" in e]
    assert sorted(lines) == ["pores are 2.0x as visible on the left cheek as on the T-zone (forehead, between the brows, nose, chin)",
                             "pores are less visible on the T-zone (forehead, between the brows, nose, chin) than on the left cheek (0.5x)"]
    assert zone_words(["forehead", "between_brows", "nose", "chin", "left_cheek", "right_cheek"]) == (
        "the T-zone (forehead, between the brows, nose, chin)", "the cheeks")
    assert zone_words(["forehead", "between_brows", "nose", "left_cheek", "right_cheek"]) == (
        "the T-zone (forehead, between the brows, nose)", "the cheeks")
    assert zone_words(["between_brows", "nose", "left_cheek"]) == ("the T-zone (between the brows, nose)", "the left cheek")


def test_every_region_is_outlined_on_the_overlay_and_in_the_web_region_layer(astronaut):
    from porescope.output.render import REGION_RGB, overlay
    from porescope.web.layers import region_layer_png

    rs = find_regions(astronaut, mode="face")
    labels = rs.label_image()
    drawn = np.all(overlay(astronaut, np.zeros(labels.shape, np.int32), np.zeros(0, bool), labels) == REGION_RGB, axis=2)
    layer = np.asarray(Image.open(io.BytesIO(region_layer_png(labels))))  # palette indices: 1 = outline
    assert layer.shape == labels.shape
    for r in rs.regions:
        if r.outline_only:
            continue
        edge = r.mask & ~cv2.erode(r.mask.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        assert drawn[edge].mean() > 0.95, r.name
        assert (layer[edge] == 1).mean() > 0.95, r.name


def test_the_web_viewer_names_and_outlines_the_region_between_the_brows(astronaut):
    from web_helpers import PageClient

    from porescope.output.render import encode_image
    from porescope.web import create_app

    with PageClient(create_app(store=None, db_url="sqlite:///:memory:")) as client:
        r = client.post("/api/analyze", files={"photo": ("astronaut.png", encode_image(astronaut, ".png"), "image/png")},
                        data={"mode": "face"}, follow_redirects=False)
        assert r.status_code == 200, r.text
        body = r.json()
        assert "between_brows" in {g["name"] for g in body["analysis"]["regions"]}
        html = client.get(body["page"]).text
        assert ">between the brows</span>" in html and html.count('class="region-label"') == 6
        layer = np.asarray(Image.open(io.BytesIO(client.get(body["layers"]["regions"]).content)))
    glabella = find_regions(astronaut, mode="face").regions[1]
    assert glabella.name == "between_brows"
    edge = glabella.mask & ~cv2.erode(glabella.mask.view(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    assert (layer[edge] == 1).mean() > 0.95


def test_painted_glasses_on_the_astronaut_are_found_and_left_out(astronaut):
    """Thin dark frames painted round her eyes (rims, bridge, temples), in the tight framing."""
    from face_variants import _warp, crop_scale

    painted = astronaut.copy()
    lenses = np.zeros(astronaut.shape[:2], np.uint8)
    for cx, cy in hand_points()["right_pupil"], hand_points()["left_pupil"]:
        cv2.rectangle(painted, (cx - 13, cy - 9), (cx + 13, cy + 10), (45, 35, 30), 2)
        cv2.rectangle(lenses, (cx - 13, cy - 9), (cx + 13, cy + 10), 1, -1)
    cv2.line(painted, (218, 99), (234, 99), (45, 35, 30), 3)  # the bridge across the nose's root
    cv2.line(painted, (192, 97), (180, 95), (45, 35, 30), 2)
    cv2.line(painted, (260, 98), (272, 96), (45, 35, 30), 2)
    m, size = crop_scale(160, 50, 290, 200, 1000)
    img, plain = _warp(painted, m, size), _warp(astronaut, m, size)
    frames = np.abs(img.astype(np.int16) - plain).max(axis=2) > 40
    behind = _warp(np.repeat(lenses[..., None], 3, axis=2), m, size, border=(0, 0, 0))[..., 0] > 0
    rs = find_regions(img, mode="face")
    assert "glasses" in {p.code for p in rs.problems}
    assert frames.sum() > 1000 and not (rs.skin & frames).any()
    assert (rs.skin & behind).sum() <= 0.01 * behind.sum()
    assert {"between_brows", "nose", "left_cheek", "right_cheek"} <= {r.name for r in rs.regions}


@pytest.mark.parametrize("depth, fade_px", [(0.45, 3.0), (0.6, 6.0)])
def test_a_shadow_at_the_nose_root_is_not_glasses(astronaut, depth, fade_px):
    """Deep-set eyes lit from above: the nose's root 45-60% darker, fading out (astronaut px), in the tight framing."""
    from face_variants import _warp, crop_scale

    yy, xx = np.mgrid[: astronaut.shape[0], : astronaut.shape[1]]
    gx, gy = hand_points()["glabella"]
    shade = 1 - depth * np.exp(-((xx - gx) ** 2 + (yy - gy - 7) ** 2) / (2 * fade_px**2))
    shaded = np.clip(astronaut * shade[..., None], 0, 255).astype(np.uint8)
    img = _warp(shaded, *crop_scale(160, 50, 290, 200, 1000))
    rs = find_regions(img, mode="face")
    assert "glasses" not in {p.code for p in rs.problems}
    assert {"left_cheek", "right_cheek", "nose"} <= {r.name for r in rs.regions}
