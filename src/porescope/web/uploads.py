"""Uploaded photos in the web app: the request body capped, then the photo
checked from its header and decoded within a memory budget by porescope's one
reader (:mod:`porescope.measure.io`).

One path for every upload, so the quick capture check and the full analysis
refuse a file with the same one-line message:

1. :func:`porescope.measure.io.read_header` reads only the header: empty
   file, not an image, a format the web does not take, too few pixels, or more
   pixels than the web's budget (:data:`WEB_MAX_PIXELS`). Nothing is decoded yet.
2. :func:`porescope.measure.io.read_bounded` (analysis) and :func:`decode_quick`
   (capture check) decode it. A JPEG above the web's pixel budget but within the
   CLI's limit is decoded at 1/2, 1/4 or 1/8 size by libjpeg itself (it never
   holds the full frame) and the result says so; other formats above the budget
   are refused.

Why a budget: the analysis of a 12 MP photo peaks at ~0.45 GB above the
server's base, growing with the pixel count (a 100 MP photo took the server
to 2.4 GB, issue 12). :data:`WEB_MAX_PIXELS` keeps one analysis, the result
cache and the base within the 1.5 GB the web server is allowed.
"""

from __future__ import annotations

import json
import logging
import unicodedata
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from porescope.errors import ImageError, PorescopeError
from porescope.measure.io import Header, TooManyPixels, open_image, read_bounded, read_image
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
    cannot read quickly) goes through porescope's reader, so a broken file gets
    exactly the analysis's message.

    Parameters
    ----------
    data : bytes
        The uploaded file.
    label : str
        Its display name.
    header : Header
        What :func:`porescope.measure.io.read_header` found.
    max_side : int
        Longest side, px.

    Returns
    -------
    numpy.ndarray of uint8, (h, w, 3)
        The upright copy.
    """

    if header.format in ("JPEG", "MPO", "PNG", "WEBP"):
        try:
            im = open_image(data, label)
            if header.format in ("JPEG", "MPO"):
                im.draft("RGB", _draft_box(im, max_side))
            im = ImageOps.exif_transpose(im)
            if im.mode != "RGB":
                im = im.convert("RGB")
            im.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
            return np.ascontiguousarray(np.asarray(im))
        except Exception:  # noqa: BLE001 - the reader below gives the exact message
            log.debug("quick decode failed for %s; using the full reader", label)
    return shrink(read_bounded(data, label, header).rgb, max_side)


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
        im = open_image(data, "photo")
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
