"""Compatibility path: the code lives in :mod:`porescope.measure.render`."""

from porescope.measure.render import (  # noqa: F401
    DARK_RGB,
    OPEN_RGB,
    PNG_THREADS,
    PNG_ZLIB_LEVEL,
    PORE_CSV_FIELDS,
    REGION_CSV_FIELDS,
    REGION_RGB,
    encode_image,
    overlay,
    png_bytes,
    png_parts,
    pore_mask,
    pores_csv,
    regions_csv,
    write_image,
    write_text,
)

__all__ = [
    "DARK_RGB", "OPEN_RGB", "REGION_RGB", "PNG_ZLIB_LEVEL", "PNG_THREADS", "png_parts", "png_bytes",
    "encode_image", "write_image", "pore_mask", "overlay", "PORE_CSV_FIELDS", "pores_csv",
    "REGION_CSV_FIELDS", "regions_csv", "write_text",
]
