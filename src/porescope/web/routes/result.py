"""One analysis result: its page, layer files, downloads, and saving it to the history."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from porescope.errors import PorescopeError
from porescope.measure.io import megapixels
from porescope.output.explain import summary_lines
from porescope.output.render import pores_csv
from porescope.web import layers
from porescope.web.forms import check_subject_name, clean_text
from porescope.web.pictures import noise_later, slider_pictures_later
from porescope.web.security import csrf_guard
from porescope.web.state import Web, WebState
from porescope.web.views import api_error, quote_all

router = APIRouter()

#: Browser cache lifetime of a result's layer files, seconds (a result never changes).
LAYER_MAX_AGE_S = 86400
NOT_IN_MEMORY = ("This result is no longer in memory (only the last few are kept, and none survive a restart). "
                 "Analyze the photo again.")


def _result_or_404(web: WebState, request: Request, rid: str):
    res = web.results.get(rid)
    if res is None:
        return None, web.error_page(request, 404, "Result not found", NOT_IN_MEMORY)
    return res, None


@router.get("/result/{rid}", response_class=HTMLResponse)
def result_page(request: Request, web: Web, rid: str):
    """The result viewer: photo with pore and region layers, tables, summary and causes."""
    res, err = _result_or_404(web, request, rid)
    if err:
        return err
    a = res.analysis
    return web.page(
        request, "result.html", active="analyze", r=res, a=a,
        labels=layers.region_centroids(res.region_labels, res.region_names) if a.settings.mode == "face" else [],
        n_dark=sum(1 for p in a.pores if p.kind == "dark"), summary=summary_lines(a, with_causes=False),
    )


def _layer_response(web: WebState, rid: str, name: str, media: str) -> Response:
    res = web.results.get(rid)
    if res is None:
        return Response("result not found", status_code=404, media_type="text/plain")
    return Response(res.layer(name), media_type=media, headers={"Cache-Control": f"private, max-age={LAYER_MAX_AGE_S}, immutable"})


@router.get("/result/{rid}/photo.jpg")
def result_photo(web: Web, rid: str):
    """The photo as analyzed (upright JPEG)."""
    return _layer_response(web, rid, "photo", "image/jpeg")


@router.get("/result/{rid}/pores.png")
def result_pores(web: Web, rid: str):
    """The pore layer: a transparent PNG the size of the photo."""
    return _layer_response(web, rid, "pores", "image/png")


@router.get("/result/{rid}/regions.png")
def result_regions(web: Web, rid: str):
    """The region layer: a transparent PNG of the region boundaries."""
    return _layer_response(web, rid, "regions", "image/png")


@router.get("/result/{rid}/analysis.json")
def result_json(web: Web, rid: str):
    """The analysis as a JSON download (result schema)."""
    res = web.results.get(rid)
    if res is None:
        return api_error("result not found", 404)
    return Response(res.analysis.model_dump_json(indent=1), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="porescope-{rid}.json"'})


@router.get("/result/{rid}/pores.csv")
def result_csv(web: Web, rid: str):
    """One row per pore, as a CSV download."""
    res = web.results.get(rid)
    if res is None:
        return api_error("result not found", 404)
    return Response(pores_csv(res.analysis), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="porescope-{rid}-pores.csv"'})


@router.post("/result/{rid}/save", dependencies=[Depends(csrf_guard)])
async def result_save(
    request: Request, web: Web, rid: str, subject: str = Form(""), cleansed: str = Form(""), makeup: str = Form(""),
    lighting: str = Form(""), device: str = Form(""),
):
    """Save the result's photo and its analysis as a visit of a subject, then show the subject."""
    res, err = _result_or_404(web, request, rid)
    if err:
        return err
    if res.reduced_note:
        return web.error_page(request, 413, "Could not save", back=f"/result/{rid}",
                              message=f"this photo is above the web app's {megapixels(web.limits.web_max_pixels)} MP limit; "
                                      "save it with 'porescope history add' on the command line, which analyzes it at full resolution.")
    st = web.open_store()
    if st is None:
        return web.error_page(request, 503, "History not available", web.store_error)
    try:
        name = check_subject_name(subject)
        cond = {k: v for k, v in (("cleansed", cleansed), ("makeup", makeup)) if v in ("yes", "no")}

        def add():
            # The kept result is this photo's analysis at full resolution (reduced ones are refused above),
            # with the mode and scale it was asked for: the store keeps it as it is, nothing is analyzed again.
            return st.add_visit(res.photo, name, analysis=res.analysis, condition=cond, lighting=clean_text(lighting) or None,
                                device=clean_text(device) or None)

        visit = await run_in_threadpool(add)
    except PorescopeError as exc:
        return web.error_page(request, 400, "Could not save", str(exc), back=f"/result/{rid}")
    noise_later(web, st, visit.id)
    slider_pictures_later(web, st, name, visit.id)
    return RedirectResponse(f"/history?subject={quote_all(name)}&notice=saved&visit={visit.id}", status_code=303)
