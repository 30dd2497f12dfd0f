"""Pictures and files a person looks at: overlay, pore mask, region labels, CSV.

Writers go through a temporary file and an atomic rename, so an interrupted
run never leaves a half-written output behind.
"""

from __future__ import annotations

import csv
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np

# Intel ISA-L's deflate: 4x faster than zlib at level 1 (0.14 s vs 0.59 s CPU for a 12 MP overlay here).
from isal import isal_zlib as _deflate

from porescope.errors import PorescopeError
from porescope.files import atomic_write
from porescope.results import Analysis

#: Overlay colours (RGB): dark/plugged pores orange, open pores cyan, regions yellow.
DARK_RGB = (255, 120, 0)
OPEN_RGB = (0, 230, 255)
REGION_RGB = (255, 235, 0)

#: Deflate level for PNGs: level 1 with the PNG "Up" filter compresses a 12 MP
#: photo overlay to ~16 MB; OpenCV's default PNG writer takes 0.86 s for it
#: here (measured on the 2-core development machine, 2026-11-26).
PNG_ZLIB_LEVEL = 1
PNG_THREADS = 2


def _png_chunk(tag: bytes, *data: bytes) -> list[bytes]:
    """One PNG chunk as buffers (length, tag, data..., CRC): the data is not copied."""
    crc = _deflate.crc32(tag)
    for d in data:
        crc = _deflate.crc32(d, crc)
    return [struct.pack(">I", sum(len(d) for d in data)) + tag, *data, struct.pack(">I", crc & 0xFFFFFFFF)]


def png_parts(img: np.ndarray, *, level: int = PNG_ZLIB_LEVEL, threads: int = PNG_THREADS) -> list[bytes]:
    """Encode an 8-bit grey, RGB or RGBA image as PNG, fast.

    Every row uses the PNG "Up" filter (difference to the row above, one numpy
    subtraction), and the zlib stream is deflated in parallel slices joined
    with sync flushes (as pigz does); zlib releases the GIL, so threads run on
    separate cores. Deflate, Adler-32 and CRC-32 are ISA-L's. The output is a
    standard PNG any reader opens.

    Parameters
    ----------
    img : ndarray
        (H, W), (H, W, 3) or (H, W, 4) uint8.
    level : int
        Deflate level.
    threads : int
        Slices deflated in parallel.

    Returns
    -------
    list of bytes
        Buffers whose concatenation is the PNG file (a 12 MP overlay is ~16 MB,
        so it is written as it is, not copied into one string first).
    """
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w = img.shape[:2]
    ch = 1 if img.ndim == 2 else img.shape[2]
    colour_type = {1: 0, 3: 2, 4: 6}[ch]
    rows = img.reshape(h, w * ch)
    filtered = np.empty((h, w * ch + 1), np.uint8)
    filtered[:, 0] = 2  # filter type Up
    filtered[0, 0] = 0  # first row: None
    filtered[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])
    n = max(1, min(2 * threads, h))
    bounds = np.linspace(0, h, n + 1).astype(int)

    def deflate(i: int) -> bytes:
        c = _deflate.compressobj(level, _deflate.DEFLATED, -15)
        part = c.compress(memoryview(filtered[bounds[i] : bounds[i + 1]].reshape(-1)))
        return part + c.flush(_deflate.Z_FINISH if i == n - 1 else _deflate.Z_SYNC_FLUSH)

    if threads > 1 and n > 1:
        with ThreadPoolExecutor(threads) as ex:
            parts = list(ex.map(deflate, range(n)))
    else:
        parts = [deflate(i) for i in range(n)]
    adler = _deflate.adler32(memoryview(filtered.reshape(-1))) & 0xFFFFFFFF
    ihdr = struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0)
    idat = _png_chunk(b"IDAT", b"\x78\x01", *parts, struct.pack(">I", adler))
    return [b"\x89PNG\r\n\x1a\n", *_png_chunk(b"IHDR", ihdr), *idat, *_png_chunk(b"IEND")]


def png_bytes(img: np.ndarray, *, level: int = PNG_ZLIB_LEVEL, threads: int = PNG_THREADS) -> bytes:
    """:func:`png_parts` as one ``bytes`` object.

    Parameters
    ----------
    img : ndarray
        (H, W), (H, W, 3) or (H, W, 4) uint8.
    level : int
        Deflate level.
    threads : int
        Strips compressed in parallel.

    Returns
    -------
    bytes
    """
    return b"".join(png_parts(img, level=level, threads=threads))


def _encoded_parts(img: np.ndarray, suffix: str) -> list[bytes]:
    """The file's bytes as buffers, by suffix (see :func:`encode_image`)."""
    suffix = suffix.lower()
    if suffix not in (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff"):
        raise PorescopeError(f"cannot write a {suffix or 'suffix-less'} image; use .png or .jpg.")
    if suffix == ".png":
        return png_parts(img)
    arr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR) if img.ndim == 3 else img
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if suffix in (".jpg", ".jpeg") else []
    ok, buf = cv2.imencode(suffix, np.ascontiguousarray(arr), params)
    if not ok:
        raise PorescopeError(f"could not encode the image as {suffix}.")
    return [buf.tobytes()]


def encode_image(img: np.ndarray, suffix: str) -> bytes:
    """Encode an RGB or grey uint8 image by file suffix.

    Parameters
    ----------
    img : ndarray
        (H, W) or (H, W, 3) uint8.
    suffix : str
        '.png', '.jpg', '.jpeg', '.webp', '.tif' or '.tiff'.

    Returns
    -------
    bytes
    """
    return b"".join(_encoded_parts(img, suffix))


def write_image(path: str | Path, img: np.ndarray) -> None:
    """Encode by the path's suffix and write atomically (a PNG's buffers are written as they are).

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    img : ndarray
        (H, W) or (H, W, 3) uint8.
    """
    path = Path(path)
    atomic_write(path, _encoded_parts(img, path.suffix))


def pore_mask(labels: np.ndarray) -> np.ndarray:
    """What ``--mask-out`` writes.

    Parameters
    ----------
    labels : ndarray
        (H, W) int pore label image (0 = no pore).

    Returns
    -------
    ndarray
        (H, W) uint8, 255 on pore pixels, 0 elsewhere.
    """
    return np.where(labels > 0, np.uint8(255), np.uint8(0))


def _edges(mask: np.ndarray) -> np.ndarray:
    m = mask.view(np.uint8) if mask.dtype == bool else (mask > 0).astype(np.uint8)
    return (m > 0) & (cv2.erode(m, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0) == 0)


def overlay(rgb: np.ndarray, labels: np.ndarray, dark: np.ndarray, region_labels: np.ndarray | None = None) -> np.ndarray:
    """The photo with each pore outlined and the regions' outlines.

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8 photo.
    labels : ndarray
        (H, W) int pore label image.
    dark : ndarray
        (n,) bool per pore, indexed by pore id - 1: orange = dark/plugged, cyan = open.
    region_labels : ndarray, optional
        (H, W) uint8 region label image, outlined in yellow.

    Returns
    -------
    ndarray
        (H, W, 3) uint8.
    """
    out = rgb.copy()
    flat = out.reshape(-1, 3)
    pores = labels > 0
    if pores.any():
        # Outline pixels, then colour them by their pore's kind: work on the
        # outline's indices only, not on whole-image masks (12 MP stays cheap).
        idx = np.flatnonzero(_edges(pores))
        is_dark = np.concatenate([[False], dark.astype(bool)])[labels.ravel()[idx]]
        flat[idx[is_dark]] = DARK_RGB
        flat[idx[~is_dark]] = OPEN_RGB
    if region_labels is not None and region_labels.any():
        # Boundaries between different labels, thickened for visibility on big photos.
        rl = region_labels.astype(np.uint8)
        grad = cv2.morphologyEx(rl, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        t = max(1, int(round(max(rgb.shape[:2]) / 800)))
        if t > 1:
            grad = cv2.dilate(grad, np.ones((t, t), np.uint8))
        flat[np.flatnonzero(grad)] = REGION_RGB
    return out


PORE_CSV_FIELDS = [
    "id", "region", "x_px", "y_px", "area_px", "area_mm2", "equiv_diameter_px", "equiv_diameter_mm",
    "major_axis_px", "minor_axis_px", "elongation", "orientation_deg", "contrast_pct", "core_pct", "contrast_dl", "core_dl",
    "kind", "clear",
]


def pores_csv(analysis: Analysis) -> str:
    """The per-pore table as CSV text.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    str
        One row per pore, columns :data:`PORE_CSV_FIELDS`.
    """
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["image", *PORE_CSV_FIELDS])
    src = analysis.source.path or ""
    for p in analysis.pores:
        w.writerow([src, *("" if getattr(p, f) is None else getattr(p, f) for f in PORE_CSV_FIELDS)])
    return buf.getvalue()


REGION_CSV_FIELDS = [
    "name", "label", "area_px", "area_cm2", "pore_count", "faint_pore_count", "density_per_cm2", "density_per_mpx", "median_area_px",
    "median_area_mm2", "p90_area_mm2", "coverage_pct", "large_pore_share", "mean_elongation", "orientation_coherence",
    "dominant_orientation_deg", "dark_share", "mean_contrast_pct", "mean_contrast_dl", "visibility_score", "counts_meaningful",
]
#: Left blank when a region's counts are not meaningful (scale too coarse to resolve pores).
_COUNT_FIELDS = {"pore_count", "density_per_cm2", "density_per_mpx", "median_area_px", "median_area_mm2", "p90_area_mm2",
                 "coverage_pct", "large_pore_share", "mean_elongation", "orientation_coherence", "dominant_orientation_deg",
                 "dark_share", "mean_contrast_pct", "mean_contrast_dl", "faint_pore_count"}


def regions_csv(analysis: Analysis) -> str:
    """The per-region table as CSV text.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    str
        One row per region (a close-up's 'frame', or the face regions and
        'face'), columns :data:`REGION_CSV_FIELDS`, plus the scale and its source.
    """
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["image", *REGION_CSV_FIELDS, "px_per_mm", "scale_source", "scale_uncertainty_pct"])
    src = analysis.source.path or ""
    s = analysis.scale
    for r in analysis.regions:
        row = []
        for f in REGION_CSV_FIELDS:
            v = getattr(r, f)
            row.append("" if v is None or (f in _COUNT_FIELDS and not r.counts_meaningful) else v)
        w.writerow([src, *row, "" if s.px_per_mm is None else s.px_per_mm, s.source, "" if s.uncertainty_pct is None else s.uncertainty_pct])
    return buf.getvalue()


def write_text(path: str | Path, text: str) -> None:
    """Write UTF-8 text atomically (:func:`porescope.files.atomic_write`).

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    text : str
    """
    atomic_write(Path(path), text.encode("utf-8"))
