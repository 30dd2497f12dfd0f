"""Reading photos: formats, orientation, bit depths, colour modes, and bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from porescope.errors import ImageError
from porescope.measure.io import MAX_PIXELS, MIN_SIDE_PX, read_image, read_mask


@pytest.fixture(scope="module")
def photo():
    """A small non-symmetric RGB image: left half red-ish, a dark block top-left."""
    a = np.full((120, 200, 3), (200, 150, 130), np.uint8)
    a[:, 100:] = (120, 160, 200)
    a[5:25, 5:45] = (20, 20, 20)
    return a


@pytest.mark.parametrize("fmt,suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("TIFF", ".tif"), ("WEBP", ".webp"), ("HEIF", ".heic")])
def test_reads_common_formats(tmp_path, photo, fmt, suffix):
    p = tmp_path / f"x{suffix}"
    Image.fromarray(photo).save(p, format=fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP", "HEIF") else {}))
    img = read_image(p)
    assert img.rgb.shape == photo.shape and img.rgb.dtype == np.uint8
    assert np.abs(img.rgb.astype(int) - photo.astype(int)).mean() < 6
    assert img.sha256 and len(img.sha256) == 64


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_exif_orientation_applied(tmp_path, photo, orientation):
    p = tmp_path / "o.jpg"
    exif = Image.Exif()
    exif[0x0112] = orientation
    # Store the pixels so that applying the tag gives back `photo`.
    inverse = {1: lambda a: a, 3: lambda a: np.rot90(a, 2), 6: lambda a: np.rot90(a, 1), 8: lambda a: np.rot90(a, -1)}[orientation]
    Image.fromarray(np.ascontiguousarray(inverse(photo))).save(p, exif=exif, quality=95)
    img = read_image(p)
    assert img.rgb.shape == photo.shape
    assert img.rgb[10:20, 10:40].mean() < 60  # the dark block is back at the top-left
    assert img.exif_orientation == orientation


def test_16bit_png_and_tiff(tmp_path, photo):
    import cv2

    a16 = photo.astype(np.uint16) * 257
    p = tmp_path / "x16.png"
    cv2.imwrite(str(p), a16[..., ::-1])
    img = read_image(p)
    assert img.bit_depth == 16 and np.abs(img.rgb.astype(int) - photo.astype(int)).max() <= 1
    t = tmp_path / "x16.tif"
    cv2.imwrite(str(t), a16[..., ::-1])
    assert np.abs(read_image(t).rgb.astype(int) - photo.astype(int)).max() <= 1
    g = tmp_path / "g16.png"
    Image.fromarray(a16[..., 0]).save(g)
    gi = read_image(g)
    assert gi.rgb.shape == photo.shape and np.abs(gi.rgb[..., 0].astype(int) - photo[..., 0].astype(int)).max() <= 1


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "CMYK", "LA", "1"])
def test_colour_modes_converted(tmp_path, photo, mode):
    im = Image.fromarray(photo).convert(mode)
    p = tmp_path / ("x.tif" if mode == "CMYK" else "x.png")
    im.save(p)
    img = read_image(p)
    assert img.rgb.shape == photo.shape and img.rgb.dtype == np.uint8
    assert img.rgb[10:20, 10:40].mean() < 80


def test_transparent_pixels_marked_invalid(tmp_path, photo):
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    rgba[:, :50, 3] = 0
    p = tmp_path / "a.png"
    Image.fromarray(rgba).save(p)
    img = read_image(p)
    assert img.valid is not None and not img.valid[:, :50].any() and img.valid[:, 60:].all()


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        read_image(tmp_path / "nope.jpg")


def test_not_an_image(tmp_path):
    p = tmp_path / "notes.jpg"
    p.write_text("hello, not a photo")
    with pytest.raises(ImageError, match="not an image"):
        read_image(p)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.png"
    p.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        read_image(p)


def test_truncated_file(tmp_path, photo):
    buf = io.BytesIO()
    Image.fromarray(np.tile(photo, (4, 4, 1))).save(buf, format="JPEG", quality=95)
    data = buf.getvalue()
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="truncated|corrupt"):
        read_image(p)


def test_too_small(tmp_path):
    p = tmp_path / "tiny.png"
    Image.fromarray(np.zeros((MIN_SIDE_PX - 1, 300, 3), np.uint8)).save(p)
    with pytest.raises(ImageError, match="too small"):
        read_image(p)


def test_decompression_bomb_refused(tmp_path):
    # A real PNG above the limit: a 1-bit image compresses to almost nothing.
    side = int((MAX_PIXELS * 1.05) ** 0.5) + 1
    p = tmp_path / "bomb.png"
    Image.new("1", (side, side)).save(p)
    assert p.stat().st_size < 5_000_000
    with pytest.raises(ImageError, match="limit"):
        read_image(p)


def test_folder_is_not_an_image(tmp_path):
    with pytest.raises(ImageError, match="folder"):
        read_image(tmp_path)


def test_mask_size_must_match(tmp_path):
    p = tmp_path / "m.png"
    Image.fromarray(np.full((100, 100), 255, np.uint8)).save(p)
    assert read_mask(p, shape=(100, 100)).all()
    with pytest.raises(ImageError, match="same size"):
        read_mask(p, shape=(120, 100))
    z = tmp_path / "z.png"
    Image.fromarray(np.zeros((100, 100), np.uint8)).save(z)
    with pytest.raises(ImageError, match="all black"):
        read_mask(z, shape=(100, 100))


@pytest.mark.parametrize("shape", [(97, 131), (97, 131, 3), (64, 80, 4), (1, 70, 3)])
def test_fast_png_writer_round_trips(tmp_path, shape):
    import cv2

    from porescope.output.render import png_bytes

    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, shape, dtype=np.uint8)
    data = png_bytes(img)
    back = np.asarray(Image.open(io.BytesIO(data)))
    assert back.shape == img.shape and (back == img).all()
    cv_back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if img.ndim == 3:
        cv_back = cv_back[..., ::-1] if img.shape[2] == 3 else cv_back[..., [2, 1, 0, 3]]
    assert (cv_back == img).all()


# ---------------------------------------------------------------- bounded reading (header first)


def _jpeg(rgb: np.ndarray, orientation: int | None = None) -> bytes:
    buf = io.BytesIO()
    im = Image.fromarray(rgb)
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        im.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    else:
        im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def test_header_gives_upright_size_and_the_jpeg_reduction_without_decoding(photo):
    from porescope.measure.io import read_bounded, read_header

    data = _jpeg(np.tile(photo, (4, 4, 1)), orientation=6)  # 800 x 480 stored, 480 x 800 upright
    head = read_header(data, "x.jpg")
    assert (head.format, head.width_px, head.height_px, head.orientation, head.reduce_by) == ("JPEG", 480, 800, 6, 1)
    small = read_header(data, "x.jpg", max_pixels=480 * 800 // 3)  # over a budget: decoded at 1/2 by libjpeg
    assert small.reduce_by == 2 and small.decoded_size == (240, 400)
    img = read_bounded(data, "x.jpg", small)
    assert img.rgb.shape == (400, 240, 3) and img.sha256 == read_image(data).sha256
    assert read_bounded(data, "x.jpg", head).rgb.shape == read_image(data).rgb.shape == (800, 480, 3)


def test_header_refuses_a_pixel_bomb_and_other_formats_over_budget():
    from porescope.measure.io import TooManyPixels, read_header

    buf = io.BytesIO()
    Image.new("L", (11_000, 10_000), 170).save(buf, "PNG", compress_level=1)  # 110 MP declared, tiny file
    with pytest.raises(TooManyPixels, match="MP limit"):
        read_header(buf.getvalue(), "bomb.png")
    buf = io.BytesIO()
    Image.new("RGB", (900, 700), (150, 120, 100)).save(buf, "PNG")
    with pytest.raises(TooManyPixels, match="for this format"):  # only a JPEG can be decoded reduced
        read_header(buf.getvalue(), "big.png", max_pixels=300_000)
    with pytest.raises(ImageError, match="empty"):
        read_header(b"", "none.jpg")
    with pytest.raises(ImageError, match="not an image"):
        read_header(b"hello, not a photo", "text.jpg")
