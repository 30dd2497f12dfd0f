"""History pages: subjects, a subject's visits and trends, visit pictures, export and delete."""

from __future__ import annotations

import logging
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from porescope.errors import PorescopeError
from porescope.web import layers
from porescope.web.forms import visits_or_raise
from porescope.web.pictures import COMPARE_MAX_SIDE_PX, PICTURE_MAX_AGE_S, visit_picture
from porescope.web.security import csrf_guard
from porescope.web.state import Web, WebState
from porescope.web.trends import trend_svgs
from porescope.web.views import NOTICES, api_error, quote_all, visit_rows

log = logging.getLogger(__name__)
router = APIRouter()

#: Database ids are signed 64-bit integers; anything outside is not an id.
MAX_ID = 2**63 - 1
VisitId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
#: Sizes a visit photo may be asked for, px (longest side).
MIN_PICTURE_SIDE_PX, MAX_PICTURE_SIDE_PX = 200, 8000
NOT_AVAILABLE = "history not available"


def store_or_page(web: WebState, request: Request):
    """The history store and None, or None and the 503 page saying why it cannot be opened.

    Parameters
    ----------
    web : WebState
        The app's state.
    request : fastapi.Request
        The request.
    """
    st = web.open_store()
    if st is None:
        return None, web.error_page(request, 503, "History store cannot be opened", web.store_error, active="history")
    return st, None


def _latest(get, subject: str):
    """The subject's latest profile or routine, or None (a subject may have none yet)."""
    try:
        return get(subject)
    except PorescopeError:
        return None


def _plain(text: str, status: int) -> Response:
    return Response(text, status_code=status, media_type="text/plain")


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request, web: Web, subject: str = "", notice: str = "", visit: str = ""):
    """The list of subjects, or one subject's trends, visits, profile and routine."""
    st, err = store_or_page(web, request)
    if err:
        return err
    if not subject:
        return web.page(request, "history.html", subjects=st.subjects(), notice=NOTICES.get(notice))
    try:
        visits = visits_or_raise(st, subject)
    except PorescopeError as exc:
        return web.error_page(request, 404, "No such subject", str(exc), active="history", back="/history")
    saved = None
    if notice == "saved" and visit.isdigit():  # said from the store, not from the address
        v = next((v for v in visits if str(v.id) == visit), None)
        if v is not None:
            saved = f"Saved the visit of {v.taken_at:%Y-%m-%d %H:%M} to {subject}'s history."
    prof, rout = _latest(st.profile, subject), _latest(st.routine, subject)
    return web.page(request, "subject.html", active="history", subject=subject, visits=visits, saved=saved,
                    trends=trend_svgs(visits), profile=prof, routine=rout, visit_rows=visit_rows(visits))


@router.get("/history/visit/{visit_id}/photo.jpg")
def visit_photo(web: Web, visit_id: VisitId, max_side: int = COMPARE_MAX_SIDE_PX):
    """A visit's photo as JPEG, at up to ``max_side`` px."""
    st = web.open_store()
    if st is None:
        return _plain(NOT_AVAILABLE, 503)
    try:
        body = visit_picture(web, st, visit_id, max(MIN_PICTURE_SIDE_PX, min(max_side, MAX_PICTURE_SIDE_PX)))
    except PorescopeError as exc:
        return _plain(str(exc), 404)
    return Response(body, media_type="image/jpeg", headers={"Cache-Control": f"private, max-age={PICTURE_MAX_AGE_S}"})


@router.get("/history/visit/{visit_id}/pores.png")
def visit_pores(web: Web, visit_id: VisitId):
    """A visit's pores drawn as circles on a transparent PNG the size of its photo."""
    st = web.open_store()
    if st is None:
        return _plain(NOT_AVAILABLE, 503)
    try:
        a = st.analysis(visit_id)
    except PorescopeError as exc:
        return _plain(str(exc), 404)
    with web.decode_slots:  # a full-frame index image: as big as a decoded photo
        body = layers.pore_circles_png((a.source.height_px, a.source.width_px), a.pores)
    return Response(body, media_type="image/png", headers={"Cache-Control": f"private, max-age={PICTURE_MAX_AGE_S}"})


@router.get("/api/history/visits")
def visits_api(web: Web, subject: str):
    """A subject's visits as JSON."""
    st = web.open_store()
    if st is None:
        return api_error(web.store_error, 503)
    try:
        return [v.model_dump(mode="json") for v in visits_or_raise(st, subject)]
    except PorescopeError as exc:
        return api_error(str(exc), 404)


@router.get("/history/export.csv")
def export_csv(web: Web, subject: str = ""):
    """The history (one subject's, or everyone's) as a CSV download."""
    st = web.open_store()
    if st is None:
        return _plain(NOT_AVAILABLE, 503)
    try:
        if subject:
            visits_or_raise(st, subject)
        text = st.export_csv(subject or None)
    except PorescopeError as exc:
        return _plain(str(exc), 404)
    fname = "porescope-history.csv" if not subject else f"porescope-{re.sub(r'[^A-Za-z0-9_.-]+', '_', subject)[:40]}.csv"
    return Response(text, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{fname}"'})


@router.post("/history/delete", dependencies=[Depends(csrf_guard)])
async def delete_subject(request: Request, web: Web, subject: str = Form(""), confirm: str = Form("")):
    """Delete a subject with all their visits, photos, profile and routine (the name must be typed again)."""
    st, err = store_or_page(web, request)
    if err:
        return err
    if confirm.strip() != subject or not subject:
        return web.error_page(request, 400, "Not deleted", "to delete, type the subject's name exactly into the confirmation box.",
                              active="history", back=f"/history?subject={quote_all(subject)}")
    try:
        n = st.delete_subject(subject)
    except PorescopeError as exc:
        return web.error_page(request, 404, "Not deleted", str(exc), active="history", back="/history")
    log.info("deleted subject with %d visit(s)", n)
    return RedirectResponse("/history?notice=deleted", status_code=303)
