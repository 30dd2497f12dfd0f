"""Compatibility path: the code lives in :mod:`porescope.measure.io`."""

from porescope.measure.io import (  # noqa: F401
    MAX_PIXELS,
    MIN_SIDE_PX,
    LoadedImage,
    camera_fields,
    configure_pillow,
    read_image,
    read_mask,
    to_uint8,
)

__all__ = [
    "MAX_PIXELS", "MIN_SIDE_PX", "LoadedImage", "camera_fields", "configure_pillow", "read_image",
    "read_mask", "to_uint8",
]
