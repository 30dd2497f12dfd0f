"""Compatibility path: the code lives in :mod:`porescope.measure.io`.

Code that opens images with Pillow itself after importing this path (the web
app's upload checks) relies on Pillow being prepared for phone photos, so this
module, and only this one, calls :func:`~porescope.measure.io.configure_pillow`
on import.
"""

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

configure_pillow()

__all__ = [
    "MAX_PIXELS", "MIN_SIDE_PX", "LoadedImage", "camera_fields", "configure_pillow", "read_image",
    "read_mask", "to_uint8",
]
