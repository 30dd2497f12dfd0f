"""Full-face support: detection, regions, orientation, scale, capture checks.

Test faces: ``skimage.data.astronaut()`` (NASA photo of Eileen Collins,
public domain, ships inside scikit-image) and versions of it that are rotated,
EXIF-rotated, darkened or upscaled. No photo of a real person is stored in
the repository.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from porescope.errors import PorescopeError
from porescope.measure.face import mesh as facemesh
from porescope.measure.face import regions as face
from porescope.measure.regions import REGION_LABELS, find_regions


@pytest.fixture(scope="module")
def astro_regions(astronaut):
    return find_regions(astronaut, mode="face")


def centroid(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.mean()), float(ys.mean())


def test_detector_finds_the_face_and_eyes_in_person_order(astronaut):
    dets = facemesh.detect_faces(astronaut)
    assert dets and dets[0].score > 0.8
    x0, y0, x1, y1 = dets[0].box
    assert 150 < (x0 + x1) / 2 < 300 and 60 < (y0 + y1) / 2 < 200
    # Keypoint 0 is the person's right eye: on the image's left.
    assert dets[0].keypoints[0, 0] < dets[0].keypoints[1, 0]


def test_no_face_in_noise_or_a_plain_wall():
    rng = np.random.default_rng(1)
    noise = rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)
    wall = np.full((480, 640, 3), (182, 170, 158), np.uint8)
    for img in (noise, wall):
        assert facemesh.find_face(img) is None
        rs = find_regions(img, mode="auto")
        assert rs.mode == "closeup" and rs.skin.all()
        with pytest.raises(PorescopeError, match="no face"):
            find_regions(img, mode="face")


def test_regions_are_in_place(astro_regions):
    rs = astro_regions
    assert rs.mode == "face"
    names = [r.name for r in rs.regions]
    assert names == ["forehead", "between_brows", "nose", "left_cheek", "right_cheek", "chin", "face"]
    c = {r.name: centroid(r.mask) for r in rs.regions if r.mask.any()}
    # Vertical order in display orientation.
    assert c["forehead"][1] < c["nose"][1] < c["chin"][1]
    # Person's left cheek is on the image's right in a non-mirrored photo.
    assert c["left_cheek"][0] > c["nose"][0] > c["right_cheek"][0]
    # Each region is a real patch of skin (the skin between the brows is a small one by nature: ~0.1 IPD^2 at most).
    for r in rs.regions:
        assert r.mask.sum() > (100 if r.name == "between_brows" else 300), r.name


def test_regions_are_exclusive_and_face_is_their_union(astro_regions):
    rs = astro_regions
    parts = [r.mask for r in rs.regions if not r.outline_only]
    total = np.sum(parts, axis=0)
    assert total.max() == 1
    face_region = next(r for r in rs.regions if r.name == "face")
    assert face_region.outline_only and face_region.label == 0
    np.testing.assert_array_equal(face_region.mask, total > 0)
    np.testing.assert_array_equal(rs.skin, face_region.mask)
    lab = rs.label_image()
    assert lab.shape == rs.skin.shape and set(np.unique(lab)) <= {0, 1, 2, 3, 4, 5, 7}
    for r in rs.regions[:-1]:
        assert (lab[r.mask] == REGION_LABELS[r.name]).all()


def test_eyes_brows_lips_and_hair_are_excluded(astronaut, astro_regions):
    rs = astro_regions
    xy = rs.extra["landmarks_px"]
    skin = rs.skin
    for idx in (face.RIGHT_EYE, face.LEFT_EYE, face.RIGHT_BROW, face.LEFT_BROW, face.LIPS):
        for x, y in xy[list(idx)]:
            assert not skin[int(round(y)), int(round(x))]
    # Iris centres and the nostrils (below the nose tip) are not skin.
    tip = xy[1]
    assert not skin[int(tip[1] + 0.04 * rs.extra["ipd_px"] * 2), int(tip[0])]
    # Hair: the blond fringe over the forehead is dropped by the skin-colour check.
    fh = next(r for r in rs.regions if r.name == "forehead")
    poly = face.poly_mask(skin.shape, xy[list(face.FOREHEAD)]) > 0
    assert fh.mask.sum() < 0.9 * poly.sum()
    assert rs.extra["skin_share"]["forehead"] < 0.9


def test_skin_colour_mask_drops_hair_and_keeps_glare():
    import cv2

    rgb = np.zeros((60, 90, 3), np.uint8)
    rgb[:, :30] = (210, 160, 135)  # skin
    rgb[:, 30:60] = (90, 70, 40)  # dark brown hair
    rgb[:, 60:] = (250, 250, 248)  # shine on skin
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    ref = np.zeros((60, 90), bool)
    ref[:, :30] = True
    ok, stats = face.skin_colour_mask(lab, ref)
    assert ok[:, 5:25].all() and not ok[:, 35:55].any() and ok[:, 65:85].all()


def _exif_jpeg(img: np.ndarray, orientation: int) -> bytes:
    """Store ``img`` (display orientation) as pixels that need EXIF ``orientation`` to show upright."""
    inverse = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270, 3: Image.Transpose.ROTATE_180}
    im = Image.fromarray(img).transpose(inverse[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, exif=exif)
    return buf.getvalue()


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_exif_rotated_photo_maps_regions_in_display_orientation(astronaut, orientation, tmp_path):
    from porescope.measure.pipeline import run

    p = tmp_path / f"astro_o{orientation}.jpg"
    p.write_bytes(_exif_jpeg(astronaut, orientation))
    r = run(p, mode="face")
    assert r.analysis.source.exif_orientation == orientation
    assert r.regions.mode == "face"
    lab = r.regions.label_image()
    assert lab.shape == astronaut.shape[:2]  # display orientation
    c = {n: centroid(lab == v) for n, v in REGION_LABELS.items() if n != "frame" and (lab == v).any()}
    assert c["forehead"][1] < c["nose"][1] < c["chin"][1]
    assert c["left_cheek"][0] > c["right_cheek"][0]


@pytest.mark.parametrize("k", [1, 3])
def test_sideways_pixels_without_exif_still_give_correct_regions(astronaut, k):
    img = np.ascontiguousarray(np.rot90(astronaut, k))
    rs = find_regions(img, mode="face")
    c = {r.name: np.array(centroid(r.mask)) for r in rs.regions if r.mask.any()}
    # Undo the rotation on the centroids and check the face's own layout.
    h, w = astronaut.shape[:2]

    def back(p):
        x, y = p
        return (w - 1 - y, x) if k == 1 else (y, h - 1 - x)

    b = {n: back(v) for n, v in c.items()}
    assert b["forehead"][1] < b["nose"][1] < b["chin"][1]
    assert b["left_cheek"][0] > b["right_cheek"][0]


def test_scale_from_iris_or_eye_distance(astronaut):
    import cv2

    # At 512 px the irises span ~8 px: too small; the interpupillary fallback is used.
    small = find_regions(astronaut, mode="face")
    assert small.scale_source == "interpupillary"
    assert 0.4 < small.scale_px_per_mm < 1.2  # IPD ~44 px / 63 mm
    assert 5 < small.scale_uncertainty_pct < 15
    # Upscaled 4x the irises span ~32 px: the iris gives the scale.
    big = cv2.resize(astronaut, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    rs = find_regions(big, mode="face")
    assert rs.scale_source == "iris"
    # Both estimates describe the same face: iris and IPD agree within ~20%.
    assert rs.scale_px_per_mm == pytest.approx(4 * small.scale_px_per_mm, rel=0.25)
    assert 4 < rs.scale_uncertainty_pct < 12


def test_closed_eyes_fall_back_to_interpupillary_distance(astronaut):
    mesh = facemesh.find_face(astronaut)
    pose = face.estimate_pose(mesh.landmarks)
    mesh.iris_right = mesh.iris_left = None
    sc = face.face_scale(mesh, pose)
    assert sc["source"] == "interpupillary"


def test_pose_is_frontal_for_the_astronaut(astronaut):
    mesh = facemesh.find_face(astronaut)
    pose = face.estimate_pose(mesh.landmarks)
    assert abs(pose.yaw_deg) < 10 and abs(pose.pitch_deg) < 10 and abs(pose.roll_deg) < 10


def test_turned_face_is_flagged(astronaut, monkeypatch):
    monkeypatch.setattr(face, "estimate_pose", lambda lm: face.Pose(yaw_deg=32.0, pitch_deg=0.0, roll_deg=0.0))
    rs = find_regions(astronaut, mode="face")
    p = next(p for p in rs.problems if p.code == "face_turned")
    assert "turned" in p.message and p.severity == "warning"


def test_small_face_and_cut_off_face_are_flagged(astronaut):
    rs = find_regions(astronaut, mode="face")
    assert "face_too_small" in [p.code for p in rs.problems]
    # Cut the photo just below the nose: chin (and landmarks) leave the frame.
    mesh = facemesh.find_face(astronaut)
    cut = np.ascontiguousarray(astronaut[: int(mesh.xy[2, 1]) + 8])
    rs2 = find_regions(cut, mode="face")
    codes = [p.code for p in rs2.problems]
    assert "face_cut_off" in codes
    # The chin is outside the photo: not measured, so absent (never a measured zero), with the reason.
    assert "chin" not in [r.name for r in rs2.regions]
    assert rs2.not_measured["chin"] == "outside the photo"
    p = next(p for p in rs2.problems if p.code == "region_not_measured")
    assert "chin (outside the photo)" in p.message and "Step back" in p.message


def test_uneven_light_is_flagged(astronaut):
    img = astronaut.astype(np.float32)
    img[:, 230:] *= 0.35  # the image's right half (person's left cheek) in shadow
    rs = find_regions(img.astype(np.uint8), mode="face")
    p = next(p for p in rs.problems if p.code == "region_not_measured")
    assert "left cheek (in shadow)" in p.message
    assert "left_cheek" not in [r.name for r in rs.regions] and rs.not_measured["left_cheek"] == "in shadow"
    # Milder shade: measured, but flagged as uneven light.
    img = astronaut.astype(np.float32)
    img[:, 230:] *= 0.7
    rs = find_regions(img.astype(np.uint8), mode="face")
    assert "uneven_light" in {p.code for p in rs.problems}


def test_closeup_without_landmarks_stays_closeup():
    from porescope.testing.synth import SkinSpec, render

    sk = render(SkinSpec(height=256, width=256, seed=3))
    rs = find_regions(sk.rgb, mode="auto")
    assert rs.mode == "closeup" and rs.skin.all()
