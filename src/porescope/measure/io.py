"""Read any photo a person has: JPEG, PNG, TIFF, WebP, HEIC/HEIF -- porescope's one image reader.

The result is always an 8-bit RGB array in display orientation (EXIF applied),
plus a ``valid`` mask (False where the source was transparent) and metadata.

Every shell reads photos here. :func:`read_image` reads a whole photo (CLI,
API, store, studies). A server that must bound its memory (the web app) first
checks the file from its header alone with :func:`read_header` -- empty file,
not an image, a format not taken, too few pixels, more pixels than its budget;
nothing is decoded yet, so a 12 KB "pixel bomb" declaring 10,000 x 10,000 px
costs nothing -- and then decodes with :func:`read_bounded` (a JPEG above the
budget is decoded at 1/2, 1/4 or 1/8 size by libjpeg itself, which never holds
the full frame). :func:`open_image` is the lazy view (header only) both start from.
"""

from __future__ import annotations

import functools
import hashlib
import io as _io
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from porescope.errors import ImageError
from porescope.measure.exif import camera_fields, source_fields

log = logging.getLogger(__name__)

#: Refuse images above this many pixels (decompression-bomb guard). 100 MP is
#: above every phone camera in 2026 except 200 MP sensors, whose default
#: output is binned to 12-50 MP.
MAX_PIXELS = 100_000_000
#: The shorter side must hold at least this many pixels: below it there is no
#: room for a pore (2-20 px) and its surrounding skin to be told apart.
MIN_SIDE_PX = 64
#: Formats :func:`read_header` takes (decoded format names as Pillow reports them -> the name shown).
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "WEBP": "WebP", "HEIF": "HEIC", "HEIC": "HEIC"}
ACCEPTED_TEXT = "JPEG, PNG, TIFF, WebP or HEIC"
#: libjpeg's DCT scaling: a JPEG decodes straight to 1/1, 1/2, 1/4 or 1/8 size.
JPEG_SCALES = (1, 2, 4, 8)


class TooManyPixels(ImageError):
    """The photo has more pixels than the reader was allowed to decode (a web server answers HTTP 413)."""


def megapixels(pixels: int) -> str:
    """Megapixels for a message: '100', '24', '0.2'.

    Parameters
    ----------
    pixels : int
        Pixel count.
    """
    return f"{pixels / 1e6:.0f}" if pixels >= 9.5e6 else f"{pixels / 1e6:.1g}" if pixels < 1e6 else f"{pixels / 1e6:.1f}"


@functools.cache
def configure_pillow() -> None:
    """Prepare Pillow for phone photos, once per process, when the first image is read.

    Registers the HEIC/HEIF opener (pillow-heif) and sets Pillow's
    decompression-bomb guard: Pillow warns at ``Image.MAX_IMAGE_PIXELS`` and
    raises at twice that; we check the header size against :data:`MAX_PIXELS`
    ourselves first, so Pillow raises only beyond ours. Both are process-wide
    Pillow settings, which is why they are made here, when porescope reads an
    image, and not when a module is imported.

    Returns
    -------
    None
    """
    import pillow_heif

    pillow_heif.register_heif_opener()
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass
class LoadedImage:
    rgb: np.ndarray  # (H, W, 3) uint8, display orientation
    valid: np.ndarray | None = None  # (H, W) bool, False where transparent; None = all valid
    path: str | None = None
    sha256: str | None = None
    format: str | None = None
    exif_orientation: int | None = None
    bit_depth: int = 8
    #: Camera fields from EXIF (see :func:`porescope.measure.exif.camera_fields`): make, model, lens_make, lens_model, iso.
    exif: dict = field(default_factory=dict)

    @property
    def height_px(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def width_px(self) -> int:
        return int(self.rgb.shape[1])


def to_uint8(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """Scale an integer or float array to uint8.

    Parameters
    ----------
    arr : ndarray
        Image data: bool, integers up to 16 bits, or floats (0-1, 0-255 or 0-65535;
        non-finite values read as 0).

    Returns
    -------
    tuple
        The uint8 array and the source bit depth.
    """
    if arr.dtype == np.uint8:
        return arr, 8
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255, 1
    if np.issubdtype(arr.dtype, np.integer):
        hi = int(arr.max()) if arr.size else 0
        if hi <= 255:
            return arr.astype(np.uint8), 8
        # 16-bit data (PNG/TIFF "I;16" or 32-bit "I" holding 16-bit values).
        return (arr.astype(np.float32) / 257.0 + 0.5).clip(0, 255).astype(np.uint8), 16
    a = arr.astype(np.float32)
    finite = np.isfinite(a)
    if not finite.all():
        a = np.where(finite, a, 0.0)
    hi = float(a.max()) if a.size else 1.0
    scale = 255.0 if hi <= 1.0 else (255.0 / 65535.0 if hi > 255 else 1.0)
    return (a * scale + 0.5).clip(0, 255).astype(np.uint8), 32


def _pil_to_rgb(im: Image.Image) -> tuple[np.ndarray, np.ndarray | None, int]:
    """Convert any Pillow mode to (rgb uint8, valid mask or None, bit depth)."""
    mode = im.mode
    valid = None
    if mode in ("RGB",):
        return np.asarray(im), None, 8
    if mode == "1" or mode == "L":
        g = np.asarray(im.convert("L"))
        return np.repeat(g[..., None], 3, axis=2), None, 8 if mode == "L" else 1
    if mode.startswith("I") or mode == "F":
        g, depth = to_uint8(np.asarray(im))
        if g.ndim == 3:
            g = g[..., :3]
            return np.ascontiguousarray(g), None, depth
        return np.repeat(g[..., None], 3, axis=2), None, depth
    if mode == "CMYK":
        # Pillow's CMYK->RGB is the plain complement formula; good enough for a
        # skin photo, and we say so rather than guessing an ICC profile.
        return np.asarray(im.convert("RGB")), None, 8
    if mode in ("P", "PA", "LA", "La", "RGBA", "RGBa"):
        rgba = np.asarray(im.convert("RGBA"))
        alpha = rgba[..., 3]
        if (alpha < 255).any():
            valid = alpha >= 128
        return np.ascontiguousarray(rgba[..., :3]), valid, 8
    if mode in ("YCbCr", "LAB", "HSV"):
        return np.asarray(im.convert("RGB")), None, 8
    return np.asarray(im.convert("RGB")), None, 8


def _decode_16bit_with_opencv(data: bytes) -> np.ndarray | None:
    """Pillow reduces 16-bit RGB PNG/TIFF poorly or not at all; OpenCV reads them."""
    import cv2

    buf = np.frombuffer(data, np.uint8)
    arr = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    if arr is None or arr.dtype != np.uint16 or arr.ndim != 3:
        return None
    if arr.shape[2] == 4:
        arr = arr[..., :3]
    return np.ascontiguousarray(arr[..., ::-1])  # BGR -> RGB


def _source_bytes(source: str | Path | bytes, name: str | None) -> tuple[bytes, str, Path | None]:
    """The bytes of ``source``, a label for messages, and its path (None for bytes)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = str(path)
        if not path.exists():
            raise ImageError(f"{label}: no such file. Check the path and try again.")
        if path.is_dir():
            raise ImageError(f"{label}: is a folder, not an image file.")
        try:
            return path.read_bytes(), label, path
        except OSError as exc:
            raise ImageError(f"{label}: cannot be read ({exc.strerror or exc}).") from None
    return bytes(source), name or "uploaded image", None


def _decode_jpeg_with_opencv(data: bytes) -> np.ndarray | None:
    """RGB of a complete JPEG through OpenCV's libjpeg-turbo (EXIF orientation applied), None if it fails."""
    import cv2

    rgb_flag = getattr(cv2, "IMREAD_COLOR_RGB", None)  # OpenCV >= 4.10: libjpeg writes RGB itself
    if rgb_flag is not None:
        return cv2.imdecode(np.frombuffer(data, np.uint8), rgb_flag)
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    return None if bgr is None else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def _exif_orientation(im: Image.Image, label: str, *, header_only: bool = False) -> tuple[int | None, dict]:
    """The EXIF orientation tag and camera fields (what could be read: broken EXIF must not stop the read).

    ``header_only``: Pillow's PNG ``getexif()`` decodes the whole image to look
    for an eXIf chunk after the pixel data (that is how a 12 KB PNG took the web
    server to 2.4 GB, issue 12), so a PNG then gives only what its header holds."""
    orientation = None
    try:
        if header_only and im.format == "PNG":
            raw = im.info.get("exif")
            if not raw:
                return None, {}
            exif = Image.Exif()
            exif.load(raw)
        else:
            exif = im.getexif()
        orientation = exif.get(0x0112)
        return orientation, camera_fields(exif)
    except Exception:  # noqa: BLE001 - broken EXIF must not stop the read
        log.debug("unreadable EXIF in %s", label)
        return orientation, {}


def open_image(data: bytes, label: str) -> Image.Image:
    """Pillow's lazy view of a photo: the header read, no pixel decoded yet.

    Parameters
    ----------
    data : bytes
        The file.
    label : str
        Its display name (messages only).

    Returns
    -------
    PIL.Image.Image
        Not loaded; size, format and ``info`` are known.

    Raises
    ------
    ImageError
        The one-line error of every reader: empty, not an image, corrupt header
        (:class:`TooManyPixels` beyond Pillow's bomb guard).
    """
    if not data:
        raise ImageError(f"{label}: the file is empty; export the photo again.")
    configure_pillow()
    try:
        with warnings.catch_warnings():
            # We compare the header size with MAX_PIXELS ourselves (_check_pixels).
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(_io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image porescope can read (JPEG, PNG, TIFF, WebP, HEIC).") from None
    except Image.DecompressionBombError:
        raise TooManyPixels(f"{label}: image is larger than the {MAX_PIXELS // 1_000_000} MP limit; downscale it first.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{label}: cannot be decoded ({exc}); the file may be corrupt.") from None


def _check_pixels(w: int, h: int, label: str) -> None:
    if w * h > MAX_PIXELS:
        raise TooManyPixels(
            f"{label}: {w}x{h} is {w * h / 1e6:.0f} MP, above the {MAX_PIXELS // 1_000_000} MP limit; "
            "downscale it or crop the skin area first."
        )


def _rgb_from_16bit(data: bytes, orientation: int | None) -> tuple[np.ndarray | None, int]:
    """8-bit RGB (rounded) of a 16-bit PNG/TIFF decoded by OpenCV, and its bit depth; (None, 8) if OpenCV cannot."""
    arr16 = _decode_16bit_with_opencv(data)
    if arr16 is None:
        return None, 8
    if orientation and orientation != 1:
        arr16 = _apply_orientation(arr16, orientation)
    return (arr16.astype(np.float32) / 257.0 + 0.5).astype(np.uint8), 16


def read_image(source: str | Path | bytes, *, name: str | None = None, check_size: bool = True) -> LoadedImage:
    """Read a photo from a path or bytes into display-oriented 8-bit RGB.

    Parameters
    ----------
    source : str, Path or bytes
        The photo file, or its bytes (JPEG, PNG, TIFF, WebP, HEIC/HEIF).
    name : str, optional
        What to call bytes in messages (default "uploaded image").
    check_size : bool
        Refuse images whose shorter side is below :data:`MIN_SIDE_PX`.

    Returns
    -------
    LoadedImage
        ``rgb`` (H, W, 3) uint8 with EXIF orientation applied, ``valid``
        (False where transparent), SHA-256, format, bit depth and camera fields.

    Raises
    ------
    ImageError
        One line for a missing file, a file that is not an image, a truncated
        or corrupt file, an image too small to hold pores, or one above
        :data:`MAX_PIXELS`.
    """
    data, label, path = _source_bytes(source, name)
    im = open_image(data, label)
    sha = hashlib.sha256(data).hexdigest()
    _check_pixels(*im.size, label)
    fmt = im.format
    orientation, camera = _exif_orientation(im, label)
    if fmt == "JPEG" and im.mode in ("RGB", "L") and _jpeg_is_complete(data):
        # Fast path: libjpeg-turbo through OpenCV decodes a 12 MP JPEG in about
        # half Pillow's time and applies the EXIF orientation itself.
        rgb = _decode_jpeg_with_opencv(data)
        if rgb is not None:
            if check_size:
                _check_min_side(rgb, label)
            return LoadedImage(rgb=rgb, path=str(path) if path else None, sha256=sha, format=fmt,
                               exif_orientation=int(orientation) if orientation else None, bit_depth=8, exif=camera)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im.load()
            if orientation and orientation != 1:
                im = ImageOps.exif_transpose(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{label}: image is larger than the {MAX_PIXELS // 1_000_000} MP limit.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        msg = str(exc)
        if "truncated" in msg.lower():
            raise ImageError(f"{label}: the file is truncated (incomplete download or copy); copy it again.") from None
        raise ImageError(f"{label}: cannot be decoded ({msg}); the file may be corrupt.") from None

    rgb, valid, depth = None, None, 8
    if fmt in ("PNG", "TIFF") and im.mode in ("RGB", "RGBA") and (im.info.get("bits", 8) == 16 or _png_is_16bit(data)):
        rgb, depth = _rgb_from_16bit(data, orientation)
    if rgb is None:
        rgb, valid, depth = _pil_to_rgb(im)
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if check_size:
        _check_min_side(rgb, label)
    return LoadedImage(
        rgb=rgb,
        valid=valid,
        path=str(path) if path else None,
        sha256=sha,
        format=fmt,
        exif_orientation=int(orientation) if orientation else None,
        bit_depth=depth,
        exif=camera,
    )


#: EXIF tags naming the camera (TIFF 6.0 / EXIF 2.3): Make, Model in IFD0;
#: LensMake, LensModel in the Exif IFD (0x8769). Phones name the front camera
#: there, e.g. Apple "iPhone 13 front camera 2.71mm f/2.2".
def photo_camera(photo) -> dict:
    """The camera, ISO and software a photo file's EXIF names, read from its header (for results stored before
    porescope recorded them, schema < 1.4).

    Parameters
    ----------
    photo : str, Path, bytes or other
        The photo file or its bytes; anything else (an array) names nothing.

    Returns
    -------
    dict
        :func:`porescope.measure.exif.source_fields`; all None for arrays and unreadable files.
    """
    fields: dict = {}
    if isinstance(photo, (str, Path)):
        try:
            photo = Path(photo).read_bytes()
        except OSError:
            photo = None
    if isinstance(photo, (bytes, bytearray)):
        try:
            with open_image(bytes(photo), "photo") as im:
                fields = _exif_orientation(im, "photo", header_only=True)[1]
        except ImageError:
            fields = {}
    return source_fields(fields)


def _check_min_side(rgb: np.ndarray, label: str) -> None:
    h, w = rgb.shape[:2]
    if min(h, w) < MIN_SIDE_PX:
        raise ImageError(
            f"{label}: {w}x{h} px is too small to hold pores; use a photo at least {MIN_SIDE_PX} px on its shorter side."
        )


def _jpeg_is_complete(data: bytes) -> bool:
    """A JPEG ends with the EOI marker (FF D9), possibly followed by padding."""
    return b"\xff\xd9" in data[-64:]


def _png_is_16bit(data: bytes) -> bool:
    # PNG IHDR: bit depth byte at offset 24.
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 24 and data[24] == 16


def _apply_orientation(arr: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation tag (1-8) to an array."""
    ops = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: np.swapaxes(a, 0, 1),
        6: lambda a: np.rot90(a, -1),
        7: lambda a: np.swapaxes(a, 0, 1)[::-1, ::-1],
        8: lambda a: np.rot90(a, 1),
    }
    f = ops.get(int(orientation))
    return np.ascontiguousarray(f(arr)) if f else arr


def read_mask(source: str | Path, *, shape: tuple[int, int], what: str = "ROI") -> np.ndarray:
    """Read a mask image (white = inside) and check it matches the photo's size.

    A mask is checked against the photo's size, not the photo minimum: a small
    mask gets the mask message ("make the mask the same size"), never the
    photo one.

    Parameters
    ----------
    source : str or Path
        The mask image.
    shape : tuple of int
        The photo's (height, width).
    what : str
        What to call the mask in messages.

    Returns
    -------
    ndarray
        (H, W) bool.

    Raises
    ------
    ImageError
        One line for a missing or unreadable mask, one of the wrong size, or
        an all-black one.
    """
    img = read_image(source, check_size=False)
    grey = img.rgb.max(axis=2)
    mask = grey >= 128
    if img.valid is not None:
        mask &= img.valid
    if mask.shape != tuple(shape):
        raise ImageError(
            f"{source}: {what} mask is {mask.shape[1]}x{mask.shape[0]} but the photo is "
            f"{shape[1]}x{shape[0]}; make the mask the same size as the (rotated) photo."
        )
    if not mask.any():
        raise ImageError(f"{source}: {what} mask is all black; white marks the skin to analyze.")
    return mask



# ---------------------------------------------------------------------------
# bounded reading: the header first, then a decode within a pixel budget


@dataclass(frozen=True)
class Header:
    """What the file header says, before any pixel is decoded."""

    format: str  # Pillow's name: JPEG, PNG, ...
    width_px: int  # upright (EXIF orientation applied), full size
    height_px: int
    orientation: int | None
    reduce_by: int  # 1 = full size; 2/4/8 = a large JPEG decoded reduced
    exif: dict = field(default_factory=dict)  # camera fields (porescope.measure.exif.camera_fields), read with the orientation

    @property
    def pixels(self) -> int:
        """Pixels of the full frame."""
        return self.width_px * self.height_px

    @property
    def decoded_size(self) -> tuple[int, int]:
        """(width, height) as decoded, px: the full size divided by :attr:`reduce_by`, rounded up."""
        f = self.reduce_by
        return -(-self.width_px // f), -(-self.height_px // f)


def read_header(data: bytes, label: str, *, max_pixels: int = MAX_PIXELS) -> Header:
    """Check a photo from its header alone, before any pixel is decoded.

    Parameters
    ----------
    data : bytes
        The file.
    label : str
        Its display name (messages only).
    max_pixels : int
        The caller's full-resolution budget; a JPEG above it is decoded reduced.

    Returns
    -------
    Header
        Format, upright size, EXIF orientation, the camera fields and the reduction to decode at.

    Raises
    ------
    ImageError
        The one-line error the full read would give (:class:`TooManyPixels` for too many pixels).
    """

    im = open_image(data, label)
    fmt = (im.format or "").upper()
    if fmt not in ACCEPTED_FORMATS:
        raise ImageError(f"{label}: {im.format or 'this'} files are not accepted here; use {ACCEPTED_TEXT}.")
    w, h = im.size
    if w <= 0 or h <= 0:
        raise ImageError(f"{label}: cannot be decoded (the header gives no size); the file may be corrupt.")
    _check_pixels(w, h, label)  # same words as read_image
    jpeg = fmt in ("JPEG", "MPO")
    orientation, exif = _exif_orientation(im, label, header_only=True) if w * h <= max_pixels or jpeg else (None, {})
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    if min(w, h) < MIN_SIDE_PX:
        raise ImageError(f"{label}: {w}x{h} px is too small to hold pores; use a photo at least {MIN_SIDE_PX} px on its shorter side.")
    reduce_by = 1 if w * h <= max_pixels else _jpeg_reduction(im, fmt, label, max_pixels)
    return Header(format=fmt, width_px=w, height_px=h, orientation=int(orientation) if orientation else None, reduce_by=reduce_by,
                  exif=exif)


def _jpeg_reduction(im: Image.Image, fmt: str, label: str, max_pixels: int) -> int:
    """The libjpeg scale (2, 4 or 8) that brings a photo above ``max_pixels`` within it, or a one-line refusal."""
    w, h = im.size
    if fmt not in ("JPEG", "MPO"):
        raise TooManyPixels(
            f"{label}: {w}x{h} is {megapixels(w * h)} MP, above the web app's {megapixels(max_pixels)} MP limit "
            "for this format; save it as JPEG, downscale it, or use 'porescope analyze' on the command line."
        )
    if im.info.get("progressive") or im.info.get("progression"):
        # libjpeg keeps a progressive JPEG's whole coefficient array (~3 bytes
        # a pixel) however small it scales the output: no bounded reduced decode.
        raise TooManyPixels(
            f"{label}: {w}x{h} is {megapixels(w * h)} MP, above the web app's {megapixels(max_pixels)} MP limit, and a "
            "progressive JPEG cannot be decoded reduced; downscale it or use 'porescope analyze' on the command line."
        )
    reduce_by = next(f for f in JPEG_SCALES[1:] if -(-w // f) * -(-h // f) <= max_pixels or f == JPEG_SCALES[-1])
    if -(-w // reduce_by) * -(-h // reduce_by) > max_pixels:
        raise TooManyPixels(f"{label}: {w}x{h} is too large to analyze here, even reduced; downscale it first.")
    return reduce_by


def read_bounded(data: bytes, label: str, header: Header) -> LoadedImage:
    """The photo as :func:`read_image` gives it at full size, or, for a JPEG over
    the budget :func:`read_header` was given, decoded reduced by libjpeg.

    Parameters
    ----------
    data : bytes
        The file.
    label : str
        Its display name.
    header : Header
        What :func:`read_header` found.

    Returns
    -------
    LoadedImage
        The upright photo (``header.reduce_by`` smaller on each side when reduced).

    Raises
    ------
    ImageError
        The file cannot be decoded (one line).
    """

    if header.reduce_by == 1:
        return read_image(data, name=label)
    im = open_image(data, label)
    w, h = im.size
    camera = _exif_orientation(im, label)[1]  # a JPEG's EXIF is in its header: cheap
    try:
        im.draft("RGB", (-(-w // header.reduce_by), -(-h // header.reduce_by)))
        im = ImageOps.exif_transpose(im)
        if im.mode != "RGB":
            im = im.convert("RGB")
        rgb = np.ascontiguousarray(np.asarray(im))
    except (OSError, SyntaxError, ValueError) as exc:
        if "truncated" in str(exc).lower():
            raise ImageError(f"{label}: the file is truncated (incomplete download or copy); copy it again.") from None
        raise ImageError(f"{label}: cannot be decoded ({exc}); the file may be corrupt.") from None
    return LoadedImage(rgb=rgb, sha256=hashlib.sha256(data).hexdigest(), format=header.format,
                       exif_orientation=header.orientation, bit_depth=8, exif=camera)
