"""Compatibility path: the code lives in :mod:`porescope.measure.render`."""

from porescope.measure.render import (  # noqa: F401
    DARK_RGB,
    OPEN_RGB,
    REGION_RGB,
    PNG_ZLIB_LEVEL,
    PNG_THREADS,
    png_parts,
    png_bytes,
    encode_image,
    write_image,
    pore_mask,
    overlay,
    PORE_CSV_FIELDS,
    pores_csv,
    REGION_CSV_FIELDS,
    regions_csv,
    write_text,
)

__all__ = ['DARK_RGB', 'OPEN_RGB', 'REGION_RGB', 'PNG_ZLIB_LEVEL', 'PNG_THREADS', 'png_parts', 'png_bytes', 'encode_image', 'write_image', 'pore_mask', 'overlay', 'PORE_CSV_FIELDS', 'pores_csv', 'REGION_CSV_FIELDS', 'regions_csv', 'write_text']
