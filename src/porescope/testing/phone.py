"""A phone camera in a few lines: the same skin photographed by another phone, or by the same one in dimmer light.

For tests and benchmarks (issue 20: same skin, any camera). A photo (taken as
the scene) goes through what a phone's image pipeline does, in order:

1. the sensor: sRGB undone to linear light, sampled through a Bayer colour
   filter (RGGB), with photon shot noise (Poisson, from the electrons a pixel
   collects: FULL_WELL_E at the base ISO, fewer in proportion as the ISO
   rises) and read noise;
2. demosaicing (OpenCV's edge-aware Bayer interpolation) and sRGB encoding;
3. noise reduction scaled to the noise it finds, as phones do: non-local means
   (Buades, Coll & Morel 2005, doi:10.1109/CVPR.2005.38) with ``h`` =
   ``noise_reduction`` x the noise SD (Immerkaer 1996);
4. digital zoom, when asked: the centre 1/``digital_zoom`` of the picture
   enlarged back to full size (bicubic), as a phone zooms past its lenses;
5. sharpening: an unsharp mask of ``sharpen`` (share) and ``radius_px``;
6. JPEG at ``quality``, with EXIF naming the camera, the ISO and the digital
   zoom (DigitalZoomRatio), as a phone writes it.

Its returned bytes are a real JPEG file that any porescope entry point reads.
"""

from __future__ import annotations

import io

import cv2
import numpy as np

__all__ = ["PHONES", "phone_photo", "strip_exif"]

#: Electrons a pixel holds at full scale at the base ISO (small phone pixels: a few thousand).
FULL_WELL_E = 6000.0
BASE_ISO = 50.0
READ_NOISE_E = 2.0
#: Three phones' default settings, as ``phone_photo`` keywords: A, a phone's defaults in good light; B, stronger
#: noise reduction and sharpening, lower JPEG quality; C, no noise reduction, light sharpening, high quality.
PHONES = {
    "A": dict(camera=("Phone A", "Model 1"), noise_reduction=1.5, sharpen=0.3, radius_px=1.0, quality=92),
    "B": dict(camera=("Phone B", "Model 7"), noise_reduction=2.5, sharpen=0.5, radius_px=1.5, quality=85),
    "C": dict(camera=("Phone C", "Model 3"), noise_reduction=0.0, sharpen=0.2, radius_px=1.0, quality=95),
}


def _to_linear(srgb: np.ndarray) -> np.ndarray:
    x = srgb / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4)


def _to_srgb(lin: np.ndarray) -> np.ndarray:
    x = np.clip(lin, 0.0, 1.0)
    return np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055) * 255.0


def phone_photo(rgb: np.ndarray, *, iso: float = BASE_ISO, camera: tuple[str, str] = ("Phone A", "Model 1"), noise_reduction: float = 1.5,
                sharpen: float = 0.3, radius_px: float = 1.0, quality: int = 92, seed: int = 0,
                software: str | None = None, digital_zoom: float | None = None) -> bytes:
    """``rgb`` photographed by a simulated phone: JPEG bytes with EXIF (make, model, ISO).

    Parameters
    ----------
    rgb : ndarray
        (H, W, 3) uint8, the scene.
    iso : float
        Sensitivity; the electrons collected fall as it rises (shot noise grows as its square root).
    camera : (str, str)
        The camera's make and model, written to EXIF.
    noise_reduction : float
        Non-local means strength in units of the noise SD found (0: none).
    sharpen, radius_px : float
        Unsharp mask amount (share) and radius (px).
    quality : int
        JPEG quality.
    seed : int
        Noise seed.
    software : str, optional
        EXIF Software (what saved the file; default none).
    digital_zoom : float, optional
        Zoom past the lens: the centre 1/``digital_zoom`` of the picture, enlarged to the full size (default none).

    Returns
    -------
    bytes
        A JPEG file.
    """
    from PIL import Image

    from porescope.measure.imaging import pixel_noise

    rng = np.random.default_rng(seed)
    lin = _to_linear(rgb.astype(np.float64))
    h, w = lin.shape[:2]
    mosaic = np.empty((h, w))
    mosaic[0::2, 0::2] = lin[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = lin[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = lin[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = lin[1::2, 1::2, 2]
    electrons_full = FULL_WELL_E * BASE_ISO / iso
    e = rng.poisson(np.clip(mosaic, 0.0, None) * electrons_full) + rng.normal(0.0, READ_NOISE_E, mosaic.shape)
    raw = np.clip(e / electrons_full * 65535.0, 0, 65535).astype(np.uint16)
    # OpenCV names Bayer patterns from the second row: an RGGB sensor is its BG pattern.
    out = _to_srgb(cv2.cvtColor(raw, cv2.COLOR_BayerBG2RGB_EA).astype(np.float64) / 65535.0).astype(np.uint8)
    if noise_reduction:
        grey = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.float32)
        strength = noise_reduction * pixel_noise(grey, np.ones(grey.shape, bool))
        if strength >= 0.5:
            out = cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(out), None, strength, strength, 5, 15)
    if digital_zoom and digital_zoom > 1:
        ch, cw = round(h / digital_zoom), round(w / digital_zoom)
        y0, x0 = (h - ch) // 2, (w - cw) // 2
        out = cv2.resize(np.ascontiguousarray(out[y0 : y0 + ch, x0 : x0 + cw]), (w, h), interpolation=cv2.INTER_CUBIC)
    if sharpen:
        f = out.astype(np.float32)
        out = np.clip(f + sharpen * (f - cv2.GaussianBlur(f, (0, 0), radius_px)) + 0.5, 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = camera
    if software:
        exif[0x0131] = software
    sub = exif.get_ifd(0x8769)
    sub[0x8827] = int(round(iso))
    sub[0xA404] = float(digital_zoom) if digital_zoom else 1.0  # DigitalZoomRatio: phones write 1 when not zoomed
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(out)).save(buf, "JPEG", quality=quality, exif=exif.tobytes())
    return buf.getvalue()


def strip_exif(photo: bytes) -> bytes:
    """The same pixels as a PNG without EXIF (a screenshot, or a copy a messaging app stripped).

    Parameters
    ----------
    photo : bytes
        A photo file.

    Returns
    -------
    bytes
        A PNG file.
    """
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(photo)).save(buf, "PNG")
    return buf.getvalue()
