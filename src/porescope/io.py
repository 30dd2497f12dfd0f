"""Compatibility path: the code lives in :mod:`porescope.measure.io`."""

from porescope.measure.io import (  # noqa: F401
    MAX_PIXELS,
    MIN_SIDE_PX,
    LoadedImage,
    read_image,
    camera_fields,
    read_mask,
)

__all__ = ['MAX_PIXELS', 'MIN_SIDE_PX', 'LoadedImage', 'read_image', 'camera_fields', 'read_mask']
