"""The camera a photo names in its EXIF: make, model, lens, ISO and digital zoom (issue 20: same skin, any camera).

Read by :mod:`porescope.measure.io` when a photo is loaded; the result records the
camera and the ISO (``SourceImage.camera``, ``SourceImage.iso``), the face
regions use the fields for the mirrored-selfie check, and the change engine
compares two visits only when one camera took both, at a similar ISO
(:func:`porescope.measure.match.capture_mismatch`).
"""

from __future__ import annotations

__all__ = ["EDITING_APPS", "camera_fields", "camera_name", "edited_with", "source_fields"]

_CAMERA_TAGS = {"make": (None, 0x010F), "model": (None, 0x0110), "lens_make": (0x8769, 0xA433), "lens_model": (0x8769, 0xA434),
                "software": (None, 0x0131)}
#: Photo editors and beauty apps, as they name themselves in EXIF Software (lower case, matched as part of it).
#: Their filters smooth, sharpen or retouch skin (Facetune, Meitu, BeautyPlus, YouCam, AirBrush, FaceApp and Remini
#: are skin-retouching apps; the rest are general editors whose sharpening and clarity tools act on pores). A
#: phone's own camera writes its firmware or OS version there ("17.1.2", "HDR+ 1.0...", "G991BXXU...").
EDITING_APPS = ("photoshop", "lightroom", "snapseed", "gimp", "facetune", "meitu", "picsart", "vsco", "beautyplus", "youcam",
                "airbrush", "faceapp", "remini", "perfect365", "pixelmator", "affinity photo", "luminar")
#: EXIF ISOSpeedRatings / PhotographicSensitivity, in the Exif sub-IFD.
_ISO_TAG = 0x8827
#: EXIF DigitalZoomRatio, in the Exif sub-IFD (EXIF 2.3, CIPA DC-008: "If the numerator of the recorded value is
#: 0, this indicates that digital zoom was not used"). Phones write it when the picture was zoomed by cropping
#: and enlarging the sensor's image, 1 or 0 otherwise.
_DIGITAL_ZOOM_TAG = 0xA404
#: A recorded zoom at or below this is no zoom (phones write 1.0, or rationals a rounding away from it).
NO_ZOOM = 1.05


def camera_fields(exif) -> dict:
    """The camera's name from EXIF.

    Parameters
    ----------
    exif : PIL.Image.Exif
        The photo's EXIF.

    Returns
    -------
    dict
        ``make``, ``model``, ``lens_make``, ``lens_model`` and ``software``,
        only those present, as clean strings; ``iso`` (float) when the photo
        records its sensitivity; ``digital_zoom`` (float) when it records a
        digital zoom above NO_ZOOM.
    """
    out = {}
    sub = {}
    try:
        sub = exif.get_ifd(0x8769) or {}
    except Exception:  # noqa: BLE001 - a broken Exif IFD leaves the lens fields out
        sub = {}
    for key, (ifd, tag) in _CAMERA_TAGS.items():
        v = (sub if ifd else exif).get(tag)
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        if isinstance(v, str):
            v = v.replace("\x00", "").strip()
            if v:
                out[key] = v[:120]
    try:
        zoom = float(sub.get(_DIGITAL_ZOOM_TAG) or 0)  # a rational; 0/0 reads as nan, 0/1 as 0: no zoom
    except (TypeError, ValueError, ZeroDivisionError):
        zoom = 0.0
    if NO_ZOOM < zoom < 100:
        out["digital_zoom"] = round(zoom, 2)
    iso = sub.get(_ISO_TAG)
    if isinstance(iso, (tuple, list)) and iso:  # some cameras write ISOSpeedRatings as a list
        iso = iso[0]
    try:
        if iso is not None and 0 < float(iso) < 1e6:
            out["iso"] = float(iso)
    except (TypeError, ValueError):
        pass
    return out


def camera_name(fields: dict) -> str | None:
    """One name for the camera module a photo came from.

    Parameters
    ----------
    fields : dict
        :func:`camera_fields`.

    Returns
    -------
    str or None
        Make, model and lens (a phone's wide, ultra-wide and telephoto cameras are different sensors with their
        own processing; a lens name that repeats the model stands for both), or None when EXIF names none.
    """
    make, model, lens = fields.get("make"), fields.get("model"), fields.get("lens_model")
    if lens and model and model in lens:  # "iPhone 15 Pro" + "iPhone 15 Pro back triple camera 6.765mm f/1.78"
        model = None
    name = " ".join(p for p in (make, model, lens) if p)
    return name[:200] or None


def edited_with(software: str | None) -> str | None:
    """The editing or beauty app a photo was saved by, from its EXIF Software.

    Parameters
    ----------
    software : str or None
        The EXIF Software field.

    Returns
    -------
    str or None
        ``software`` when it names one of EDITING_APPS, else None (a camera's firmware, or unknown).
    """
    low = (software or "").casefold()
    return software if any(app in low for app in EDITING_APPS) else None


def source_fields(fields: dict) -> dict:
    """The result's ``SourceImage`` fields from :func:`camera_fields`.

    Parameters
    ----------
    fields : dict
        :func:`camera_fields`.

    Returns
    -------
    dict
        ``camera``, ``iso``, ``software`` and ``digital_zoom`` (each None when the EXIF names none).
    """
    return {"camera": camera_name(fields), "iso": fields.get("iso"), "software": fields.get("software"),
            "digital_zoom": fields.get("digital_zoom")}
