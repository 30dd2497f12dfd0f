"""Uploaded photos in the web app: checked from the file header, then decoded
within a memory budget.

One path for every upload, so the quick capture check and the full analysis
refuse a file with the same one-line message:

1. :func:`inspect` reads only the header (Pillow reads the size lazily): empty
   file, not an image, a format the web does not take, too few pixels, or more
   pixels than the web's budget. Nothing is decoded yet, so a 12 KB "pixel
   bomb" declaring 10,000 x 10,000 px costs nothing.
2. :func:`decode_full` (analysis) and :func:`decode_quick` (capture check)
   decode it. A JPEG above the web's pixel budget but within the CLI's limit is
   decoded at 1/2, 1/4 or 1/8 size by libjpeg itself (it never holds the full
   frame) and the result says so; other formats above the budget are refused.

Why a budget: the analysis of a 12 MP photo peaks at ~0.45 GB above the
server's base, growing with the pixel count (a 100 MP photo took the server
to 2.4 GB, issue 12). :data:`WEB_MAX_PIXELS` keeps one analysis, the result
cache and the base within the 1.5 GB the web server is allowed.
"""

from __future__ import annotations

import hashlib
import io as _io
import json
import logging
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from porescope.errors import ImageError, PorescopeError
from porescope.measure.io import MAX_PIXELS, MIN_SIDE_PX, LoadedImage, configure_pillow, read_image
from porescope.web.asgi import SAFE_METHODS, send_response
from porescope.web.layers import shrink

log = logging.getLogger(__name__)

#: Largest upload accepted, bytes. A 200 MP phone RAW-to-JPEG is ~30 MB; 40 MB
#: leaves room while keeping a stray video file out.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
#: Room for multipart boundaries and the small form fields beside the photo.
FORM_OVERHEAD_BYTES = 256 * 1024
#: The upload field's ``accept`` attribute (a hint to the browser; the header decides).
ACCEPT_ATTR = ".jpg,.jpeg,.png,.tif,.tiff,.webp,.heic,.heif,image/jpeg,image/png,image/tiff,image/webp,image/heic,image/heif"
NO_PHOTO = "no photo was sent; choose a file or capture one with the camera."

#: Largest frame the web app analyzes at full resolution, pixels. 24 MP covers
#: 12-24 MP phone and camera photos; measured peak of one analysis ~45 bytes
#: per pixel here (12 MP: +0.45 GB), so 24 MP stays near +1 GB worst case.
WEB_MAX_PIXELS = 24_000_000
#: What the web accepts (decoded format names as Pillow reports them).
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "TIFF": "TIFF", "WEBP": "WebP", "HEIF": "HEIC", "HEIC": "HEIC"}
ACCEPTED_TEXT = "JPEG, PNG, TIFF, WebP or HEIC"
#: libjpeg's DCT scaling: a JPEG decodes straight to 1/1, 1/2, 1/4 or 1/8 size.
JPEG_SCALES = (1, 2, 4, 8)


def megapixels(pixels: int) -> str:
    """Megapixels for a message: '100', '24', '0.2'.

    Parameters
    ----------
    pixels : int
        Pixel count.
    """
    return f"{pixels / 1e6:.0f}" if pixels >= 9.5e6 else f"{pixels / 1e6:.1g}" if pixels < 1e6 else f"{pixels / 1e6:.1f}"


class TooManyPixels(ImageError):
    """The photo has more pixels than the web app analyzes (HTTP 413)."""


@dataclass(frozen=True)
class Header:
    """What the file header says, before any pixel is decoded."""

    format: str  # Pillow's name: JPEG, PNG, ...
    width_px: int  # upright (EXIF orientation applied), full size
    height_px: int
    orientation: int | None
    reduce_by: int  # 1 = full size; 2/4/8 = a large JPEG decoded reduced

    @property
    def pixels(self) -> int:
        """Pixels of the full frame."""
        return self.width_px * self.height_px

    @property
    def decoded_size(self) -> tuple[int, int]:
        """(width, height) as decoded, px: the full size divided by :attr:`reduce_by`, rounded up."""
        f = self.reduce_by
        return -(-self.width_px // f), -(-self.height_px // f)


def _open(data: bytes, label: str) -> Image.Image:
    if not data:
        raise ImageError(f"{label}: the file is empty; export the photo again.")
    configure_pillow()  # HEIC opener and the pixel guard, as porescope's own reader sets them
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(_io.BytesIO(data))
    except UnidentifiedImageError:
        raise ImageError(f"{label}: not an image porescope can read (JPEG, PNG, TIFF, WebP, HEIC).") from None
    except Image.DecompressionBombError:
        raise TooManyPixels(f"{label}: image is larger than the {MAX_PIXELS // 1_000_000} MP limit; downscale it first.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{label}: cannot be decoded ({exc}); the file may be corrupt.") from None


def inspect(data: bytes, label: str, *, max_pixels: int = WEB_MAX_PIXELS) -> Header:
    """Check an upload from its header alone, before any pixel is decoded.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    label : str
        Its display name (messages only).
    max_pixels : int
        The web's full-resolution budget; a JPEG above it is decoded reduced.

    Returns
    -------
    Header
        Format, upright size, EXIF orientation and the reduction to decode at.

    Raises
    ------
    ImageError
        The one-line error the analysis would give (:class:`TooManyPixels` for too many pixels).
    """

    im = _open(data, label)
    fmt = (im.format or "").upper()
    if fmt not in ACCEPTED_FORMATS:
        raise ImageError(f"{label}: {im.format or 'this'} files are not accepted here; use {ACCEPTED_TEXT}.")
    w, h = im.size
    if w <= 0 or h <= 0:
        raise ImageError(f"{label}: cannot be decoded (the header gives no size); the file may be corrupt.")
    if w * h > MAX_PIXELS:  # the CLI's own limit, same words as porescope.measure.io.read_image
        raise TooManyPixels(
            f"{label}: {w}x{h} is {w * h / 1e6:.0f} MP, above the {MAX_PIXELS // 1_000_000} MP limit; "
            "downscale it or crop the skin area first."
        )
    orientation = _orientation(im, label) if w * h <= max_pixels or fmt in ("JPEG", "MPO") else None
    if orientation in (5, 6, 7, 8):
        w, h = h, w
    if min(w, h) < MIN_SIDE_PX:
        raise ImageError(f"{label}: {w}x{h} px is too small to hold pores; use a photo at least {MIN_SIDE_PX} px on its shorter side.")
    reduce_by = 1
    if w * h > max_pixels:
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
    return Header(format=fmt, width_px=w, height_px=h, orientation=int(orientation) if orientation else None, reduce_by=reduce_by)


def _orientation(im: Image.Image, label: str) -> int | None:
    """The EXIF orientation, read without decoding pixels: Pillow's PNG
    ``getexif()`` decodes the whole image to look for an eXIf chunk after the
    pixel data (that is how a 12 KB PNG took the server to 2.4 GB), so a PNG
    gives only what its header holds."""
    try:
        if im.format == "PNG":
            raw = im.info.get("exif")
            if not raw:
                return None
            exif = Image.Exif()
            exif.load(raw)
            return exif.get(0x0112)
        return im.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - broken EXIF must not stop the check
        log.debug("unreadable EXIF in %s", label)
        return None


def decode_full(data: bytes, label: str, header: Header):
    """The photo as a :class:`porescope.measure.io.LoadedImage`: by the CLI's own reader
    at full size, or, for a JPEG over the budget, decoded reduced by libjpeg.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    label : str
        Its display name.
    header : Header
        What :func:`inspect` found.

    Raises
    ------
    ImageError
        The file cannot be decoded (one line).
    """

    if header.reduce_by == 1:
        return read_image(data, name=label)
    rgb = _jpeg_reduced(data, label, header.reduce_by)
    return LoadedImage(rgb=rgb, sha256=hashlib.sha256(data).hexdigest(), format=header.format,
                       exif_orientation=header.orientation, bit_depth=8)


def _jpeg_reduced(data: bytes, label: str, reduce_by: int) -> np.ndarray:
    im = _open(data, label)
    w, h = im.size
    try:
        im.draft("RGB", (-(-w // reduce_by), -(-h // reduce_by)))
        im = ImageOps.exif_transpose(im)
        if im.mode != "RGB":
            im = im.convert("RGB")
        return np.ascontiguousarray(np.asarray(im))
    except (OSError, SyntaxError, ValueError) as exc:
        if "truncated" in str(exc).lower():
            raise ImageError(f"{label}: the file is truncated (incomplete download or copy); copy it again.") from None
        raise ImageError(f"{label}: cannot be decoded ({exc}); the file may be corrupt.") from None


def _draft_box(im: Image.Image, max_side: int) -> tuple[int, int]:
    """The size to ask ``Image.draft`` for so the longest side ends at least
    ``max_side``: draft keeps both sides at least the box, so a square box
    (max_side, max_side) would make a 4:3 photo decode at full size."""
    w, h = im.size
    f = max_side / max(w, h)
    return max(1, int(w * f)), max(1, int(h * f))


def decode_quick(data: bytes, label: str, header: Header, max_side: int) -> np.ndarray:
    """A copy of at most ``max_side`` px on its longest side for the quick capture check.

    JPEGs decode straight at reduced size; anything else (or a JPEG Pillow
    cannot read quickly) goes through the CLI's reader, so a broken file gets
    exactly the analysis's message.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    label : str
        Its display name.
    header : Header
        What :func:`inspect` found.
    max_side : int
        Longest side, px.

    Returns
    -------
    numpy.ndarray of uint8, (h, w, 3)
        The upright copy.
    """

    if header.format in ("JPEG", "MPO", "PNG", "WEBP"):
        try:
            im = _open(data, label)
            if header.format in ("JPEG", "MPO"):
                im.draft("RGB", _draft_box(im, max_side))
            im = ImageOps.exif_transpose(im)
            if im.mode != "RGB":
                im = im.convert("RGB")
            im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
            return np.ascontiguousarray(np.asarray(im))
        except Exception:  # noqa: BLE001 - the reader below gives the exact message
            log.debug("quick decode failed for %s; using the full reader", label)
    return shrink(decode_full(data, label, header).rgb, max_side)


def decode_display(path_or_bytes, max_side: int) -> np.ndarray:
    """A stored photo for display at up to ``max_side`` px.

    JPEGs decode at the smallest libjpeg scale still at least that big (a
    12 MP photo for a 2000 px view decodes at 1/2 in a third of the time).

    Parameters
    ----------
    path_or_bytes : str, pathlib.Path or bytes
        The photo's file (a path the history store made) or its bytes.
    max_side : int
        Longest side, px.

    Returns
    -------
    numpy.ndarray of uint8, (h, w, 3)
        The upright photo.
    """
    data = Path(path_or_bytes).read_bytes() if isinstance(path_or_bytes, (str, Path)) else bytes(path_or_bytes)
    try:
        im = _open(data, "photo")
        if (im.format or "").upper() in ("JPEG", "MPO"):
            im.draft("RGB", _draft_box(im, max_side))
            im = ImageOps.exif_transpose(im)
            if im.mode != "RGB":
                im = im.convert("RGB")
            return shrink(np.ascontiguousarray(np.asarray(im)), max_side)
    except ImageError:
        raise
    except Exception:  # noqa: BLE001 - the full reader decides
        log.debug("reduced decode failed; using the full reader")
    return shrink(read_image(data, name="photo").rgb, max_side)


# ---------------------------------------------------------------------------
# the request body: capped before it is parsed, read with a limit


class UploadTooLarge(Exception):
    """The request body is over the upload limit (HTTP 413)."""


def too_large_message(limit: int) -> str:
    """The one line an over-size upload gets.

    Parameters
    ----------
    limit : int
        The upload limit, bytes.
    """
    return f"the upload is larger than the {max(1, round(limit / (1024 * 1024)))} MB limit; export a smaller JPEG or crop the skin area."


def safe_label(filename: str | None) -> str:
    """A display label for an uploaded file: its base name, printable, short.

    Used in messages only, never as a path.

    Parameters
    ----------
    filename : str or None
        The file name the browser sent.

    Returns
    -------
    str
        At most 80 characters; "uploaded image" when nothing printable is left.
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ").strip()
    return (name[:80] or "uploaded image")


def status_for(exc: PorescopeError) -> int:
    """HTTP status for a refused photo: 413 for too many pixels, else 400.

    Parameters
    ----------
    exc : PorescopeError
        The one-line error the checks raised.
    """
    return 413 if isinstance(exc, TooManyPixels) or "MP limit" in str(exc) else 400


async def read_upload(photo, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of an uploaded photo and its display label.

    Parameters
    ----------
    photo : fastapi.UploadFile or None
        The form's ``photo`` field.
    max_bytes : int
        Upload limit; one byte more is read to tell an over-size file.

    Returns
    -------
    (bytes, str)
        The file's bytes and :func:`safe_label` of its name.

    Raises
    ------
    PorescopeError
        No photo was sent.
    UploadTooLarge
        The file is over ``max_bytes``.
    """
    if photo is None or isinstance(photo, str):
        raise PorescopeError(NO_PHOTO)
    data = await photo.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadTooLarge()
    if not data and not photo.filename:
        raise PorescopeError(NO_PHOTO)
    return data, safe_label(photo.filename)


class BodyLimit:
    """Pure-ASGI middleware: refuse request bodies above ``limit`` bytes with 413,
    by Content-Length up front and by counting while streaming (chunked uploads),
    so the cap acts before multipart parsing.

    Parameters
    ----------
    app : ASGI app
        The app it guards.
    limit : int
        Largest body, bytes (the upload limit plus :data:`FORM_OVERHEAD_BYTES`).
    render_too_large : callable, optional
        ``render_too_large(scope, message) -> str``: the HTML page for a refused upload.
    """

    def __init__(self, app, limit: int, render_too_large=None):
        self.app = app
        self.limit = limit
        self.render_too_large = render_too_large

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        cl = headers.get(b"content-length")
        if cl is not None and cl.isdigit() and int(cl) > self.limit:
            return await self._too_large(scope, send)
        seen = 0
        exceeded = False
        started = False

        async def counted_receive():
            nonlocal seen, exceeded
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise UploadTooLarge()
            return msg

        async def tracked_send(msg):
            # The app may turn our exception into its own error (FastAPI answers
            # 400 "error parsing the body"); replace that with the 413 it is.
            nonlocal started
            if exceeded:
                if msg["type"] == "http.response.start" and not started:
                    started = True
                    await self._too_large(scope, send)
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except UploadTooLarge:
            if not started:
                started = True
                await self._too_large(scope, send)

    async def _too_large(self, scope, send) -> None:
        msg = too_large_message(self.limit - FORM_OVERHEAD_BYTES)
        if scope.get("path", "").startswith("/api/"):
            body, ctype = json.dumps({"error": msg}).encode(), b"application/json"
        elif self.render_too_large is not None:
            body, ctype = self.render_too_large(scope, msg).encode(), b"text/html; charset=utf-8"
        else:
            body, ctype = f"error: {msg}".encode(), b"text/plain; charset=utf-8"
        await send_response(send, 413, body, ctype)
