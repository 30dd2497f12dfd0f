"""Analyze a photo: the upload page, the analysis (form and API) and the quick capture check."""

from __future__ import annotations

import secrets
import time
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from porescope.errors import PorescopeError
from porescope.measure.io import Header, megapixels, read_bounded, read_header
from porescope.measure.pipeline import run
from porescope.measure.quality import exif_problems, is_measurable
from porescope.web import layers, uploads
from porescope.web.cache import Result
from porescope.web.forms import float_or_none
from porescope.web.security import csrf_guard
from porescope.web.state import Web, WebState
from porescope.web.views import api_error

router = APIRouter()

#: The analysis modes the form offers.
MODES = ("auto", "face", "closeup")
#: Form fields of an upload: the photo, the analysis mode, and the scale as typed.
Photo = Annotated[UploadFile | None, File()]
Mode = Annotated[str, Form()]
Scale = Annotated[str, Form()]
QUICK_NOTE = "Quick check on a reduced copy; the full analysis checks the photo again at full resolution."


def _reduced_note(head: Header, max_pixels: int) -> str | None:
    if head.reduce_by == 1:
        return None
    dw, dh = head.decoded_size
    return (f"This {head.width_px}×{head.height_px} photo ({megapixels(head.pixels)} MP) is above the web app's "
            f"{megapixels(max_pixels)} MP limit, so it was decoded and analyzed at 1/{head.reduce_by} size "
            f"({dw}×{dh} px). Use 'porescope analyze' on the command line for full resolution.")


def analyze_upload(web: WebState, data: bytes, label: str, mode: str, px_per_mm: float | None) -> Result:
    """Check, decode and analyze an uploaded photo; keep the result for the viewer.

    Parameters
    ----------
    web : WebState
        The app's state (limits, analysis lock, result cache).
    data : bytes
        The uploaded file.
    label : str
        Its display name (messages only).
    mode : str
        auto, face or closeup.
    px_per_mm : float or None
        Scale of the photo as uploaded; follows a reduced decode.

    Returns
    -------
    Result
        The kept result; its layer files are drawn in the background.

    Raises
    ------
    PorescopeError
        The mode or the photo is refused (one line).
    """
    if mode not in MODES:
        raise PorescopeError(f"mode must be auto, face or closeup, not {mode!r}.")
    max_pixels = web.limits.web_max_pixels
    head = read_header(data, label, max_pixels=max_pixels)  # before any pixel is decoded
    with web.analyze_lock:  # decode inside: queued uploads hold bytes, not decoded frames
        img = read_bounded(data, label, head)
        r = run(img, px_per_mm=px_per_mm / head.reduce_by if px_per_mm else None, mode=mode)
    rl = layers.shrink_labels(r.regions.label_image(), layers.REGION_LAYER_MAX_SIDE_PX)
    names = {reg.label: reg.name for reg in r.regions.regions if not reg.outline_only}
    res = Result(
        id=secrets.token_hex(8), analysis=r.analysis, rgb=r.image.rgb, labels=r.labels, dark=r.pore_kind_dark,
        region_labels=rl, region_names=names, mode=mode, px_per_mm=px_per_mm, photo=data, display_name=label,
        reduced_note=_reduced_note(head, max_pixels),
    )
    del r, img
    if res.photo_is_upload():
        res.rgb = None  # the photo layer is the upload itself
    web.results.put(res)
    web.background.submit(res.prerender)
    return res


async def _analyze_request(web: WebState, photo, mode: str, px_per_mm: str) -> Result:
    web.mark_upload()
    data, label = await uploads.read_upload(photo, web.limits.max_upload_bytes)
    scale = float_or_none(px_per_mm, "pixels per mm")
    return await run_in_threadpool(analyze_upload, web, data, label, mode, scale)


@router.get("/", response_class=HTMLResponse)
def analyze_page(request: Request, web: Web):
    """The upload page."""
    return web.page(request, "analyze.html")


@router.post("/analyze", dependencies=[Depends(csrf_guard)])
async def analyze_form(request: Request, web: Web, photo: Photo = None, mode: Mode = "auto", px_per_mm: Scale = ""):
    """Analyze the form's photo and show its result page (or the form again with the error)."""
    try:
        res = await _analyze_request(web, photo, mode, px_per_mm)
    except uploads.UploadTooLarge:
        return web.page(request, "analyze.html", 413, error=uploads.too_large_message(web.limits.max_upload_bytes))
    except PorescopeError as exc:
        return web.page(request, "analyze.html", uploads.status_for(exc), error=str(exc))
    return RedirectResponse(f"/result/{res.id}", status_code=303)


@router.post("/api/analyze", dependencies=[Depends(csrf_guard)])
async def analyze_api(web: Web, photo: Photo = None, mode: Mode = "auto", px_per_mm: Scale = ""):
    """Analyze a photo: the result's id, its page and layer addresses, and the analysis (result schema)."""
    try:
        res = await _analyze_request(web, photo, mode, px_per_mm)
    except uploads.UploadTooLarge:
        return api_error(uploads.too_large_message(web.limits.max_upload_bytes), 413)
    except PorescopeError as exc:
        return api_error(str(exc), uploads.status_for(exc))
    base = f"/result/{res.id}"
    return {
        "id": res.id, "page": base,
        "layers": {"photo": f"{base}/photo.jpg", "pores": f"{base}/pores.png", "regions": f"{base}/regions.png"},
        "note": res.reduced_note,
        "analysis": res.analysis.model_dump(mode="json"),
    }


def quick_check(web: WebState, data: bytes, label: str, px_per_mm: float | None):
    """The capture gate on a reduced copy of the photo.

    Parameters
    ----------
    web : WebState
        The app's state (limits, decode slots).
    data : bytes
        The uploaded file.
    label : str
        Its display name.
    px_per_mm : float or None
        Scale of the photo as uploaded.

    Returns
    -------
    (porescope.results.Quality, dict)
        The quality verdict and the figures :func:`porescope.web.layers.quick_quality_rgb` adds.
    """
    head = read_header(data, label, max_pixels=web.limits.web_max_pixels)  # the analysis's own checks and words
    with web.decode_slots:
        rgb = uploads.decode_quick(data, label, head, layers.QUICK_MAX_SIDE_PX)
    q, info = layers.quick_quality_rgb(rgb, (head.width_px, head.height_px), px_per_mm=px_per_mm)
    # What the file's EXIF says (dim light, an editing app, a digital zoom), as the analysis will say it.
    q.problems += exif_problems(head.exif, px_per_mm)
    q.measurable = is_measurable(q.problems)
    return q, info


@router.post("/api/quality", dependencies=[Depends(csrf_guard)])
async def quality_api(web: Web, photo: Photo = None, px_per_mm: Scale = ""):
    """The capture gate on a downscaled copy: fast feedback before scoring."""
    try:
        web.mark_upload()
        data, label = await uploads.read_upload(photo, web.limits.max_upload_bytes)
        scale = float_or_none(px_per_mm, "pixels per mm")
        t0 = time.perf_counter()
        q, info = await run_in_threadpool(quick_check, web, data, label, scale)
    except uploads.UploadTooLarge:
        return api_error(uploads.too_large_message(web.limits.max_upload_bytes), 413)
    except PorescopeError as exc:
        return api_error(str(exc), uploads.status_for(exc))
    blocking = [p for p in q.problems if p.severity == "blocking"]
    verdict = "retake" if blocking else ("ok_with_warnings" if q.problems else "ok")
    return {
        "verdict": verdict, "quality": q.model_dump(mode="json"), **info,
        "elapsed_ms": round((time.perf_counter() - t0) * 1000, 1),
        "note": QUICK_NOTE,
    }
