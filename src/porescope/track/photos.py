"""What the store keeps of a photo besides its bytes: the file extension of
its format and the EXIF fields (capture time, camera) read from it."""

from __future__ import annotations

import contextlib
import io as _io
from datetime import datetime
from pathlib import Path
from typing import Any

from porescope.errors import PorescopeError

__all__ = ["PHOTO_EXT", "EXIF_KEYS", "photo_bytes", "read_exif", "exif_time"]

#: Pillow format -> the extension a stored photo gets.
PHOTO_EXT = {"JPEG": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp", "HEIF": ".heic", "MPO": ".jpg", "BMP": ".bmp"}


EXIF_KEYS = {
    0x010F: "make", 0x0110: "model", 0x0131: "software", 0x0132: "datetime", 0x0112: "orientation",
    0x9003: "datetime_original", 0x829A: "exposure_time_s", 0x829D: "f_number", 0x8827: "iso",
    0x920A: "focal_length_mm", 0x9209: "flash", 0xA405: "focal_length_35mm", 0xA403: "white_balance",
}


def read_exif(data: bytes) -> dict[str, Any]:
    from PIL import Image

    from porescope.measure.io import configure_pillow

    configure_pillow()

    out: dict[str, Any] = {}
    try:
        with Image.open(_io.BytesIO(data)) as im:
            exif = im.getexif()
            merged = dict(exif)
            with contextlib.suppress(Exception):
                merged.update(exif.get_ifd(0x8769))  # Exif sub-IFD: exposure, DateTimeOriginal, ...
    except Exception:  # noqa: BLE001 - EXIF is a nicety
        return out
    for tag, key in EXIF_KEYS.items():
        v = merged.get(tag)
        if v is None:
            continue
        if isinstance(v, bytes):
            v = v.decode("ascii", "replace").strip("\x00 ")
        elif not isinstance(v, (int, str)):
            try:
                v = float(v)
            except (TypeError, ValueError):
                v = str(v)
        out[key] = v.strip("\x00 ") if isinstance(v, str) else v
    return out


def exif_time(exif: dict) -> datetime | None:
    for key in ("datetime_original", "datetime"):
        s = exif.get(key)
        if isinstance(s, str):
            with contextlib.suppress(ValueError):
                return datetime.strptime(s[:19], "%Y:%m:%d %H:%M:%S")
    return None


def photo_bytes(photo) -> tuple[bytes, str]:
    """The bytes of a photo given as a path or as bytes, and a label for messages."""
    if isinstance(photo, (str, Path)):
        p = Path(photo)
        if not p.is_file():
            raise PorescopeError(f"{p}: no such photo file.")
        return p.read_bytes(), str(p)
    if isinstance(photo, (bytes, bytearray, memoryview)):
        return bytes(photo), "uploaded photo"
    raise PorescopeError(f"add_visit takes a photo path or its bytes, not {type(photo).__name__}.")


def analyze_visit_photo(photo, *, roi=None, px_per_mm: float | None = None, mode: str = "auto"):
    """Read a visit's photo as the store keeps it and analyze it, for the callers of
    :meth:`porescope.track.store.Store.add_visit` (which never runs the pipeline itself).

    Returns ``(bytes, run)``: the photo's bytes and :func:`porescope.measure.pipeline.run`'s
    result; hand ``run.analysis`` (and ``run.regions.skin`` when an ROI was given) to the store.
    """
    from porescope.measure.io import read_image
    from porescope.measure.pipeline import run

    data, label = photo_bytes(photo)
    img = read_image(data, name=label)
    img.path = label if isinstance(photo, (str, Path)) else None
    return data, run(img, roi=roi, px_per_mm=px_per_mm, mode=mode)
