"""Compare two visits of a subject: the slider page, its aligned picture, and the verdicts (API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from porescope.errors import PorescopeError
from porescope.web.forms import visits_or_raise
from porescope.web.pictures import COMPARE_MAX_SIDE_PX, aligned_picture, safe, visit_picture
from porescope.web.routes.history import MAX_ID, store_or_page
from porescope.web.state import Web, WebState
from porescope.web.views import api_error, quote_all

router = APIRouter()

#: Comparisons (their JSON, a few kB each) kept so the compare page answers at once the second time.
COMPARISONS_KEPT = 16
OptionalVisit = Annotated[int | None, Query(ge=1, le=MAX_ID)]
RequiredVisit = Annotated[int, Query(ge=1, le=MAX_ID)]


def compare_pair(store, subject: str, a: int | None, b: int | None):
    """A subject's visits and the two to compare (default: first and last).

    Parameters
    ----------
    store : porescope.track.Store
        The history store.
    subject : str
        The subject's name.
    a, b : int or None
        Visit ids from the request.

    Raises
    ------
    PorescopeError
        No such subject, or fewer than two visits.
    LookupError
        The visits are not two different visits of this subject.
    """
    visits = visits_or_raise(store, subject)
    if len(visits) < 2:
        raise PorescopeError(f"{subject!r} has {len(visits)} visit(s); a comparison needs two.")
    ids = {v.id: v for v in visits}
    va = ids.get(a) if a is not None else visits[0]
    vb = ids.get(b) if b is not None else visits[-1]
    if va is None or vb is None or va.id == vb.id:
        raise LookupError("choose two different visits of this subject to compare.")
    return visits, va, vb


@router.get("/history/compare", response_class=HTMLResponse)
def compare_page(request: Request, web: Web, subject: str, a: OptionalVisit = None, b: OptionalVisit = None):
    """The compare page: before/after slider; its verdicts come from the API."""
    st, err = store_or_page(web, request)
    if err:
        return err
    back = f"/history?subject={quote_all(subject)}"
    try:
        visits, va, vb = compare_pair(st, subject, a, b)
    except LookupError as exc:
        return web.error_page(request, 400, "Pick two visits", str(exc), active="history", back=back)
    except PorescopeError as exc:
        if "a comparison needs two" in str(exc):
            return web.error_page(request, 400, "Nothing to compare", str(exc), active="history", back=back)
        return web.error_page(request, 404, "No such subject", str(exc), active="history", back="/history")
    # Start the slider's pictures now: they are ready or on their way when the browser asks.
    for job in (lambda: visit_picture(web, st, va.id, COMPARE_MAX_SIDE_PX), lambda: aligned_picture(web, st, va.id, vb.id)):
        web.background.submit(safe, job)
    return web.page(request, "compare.html", active="history", subject=subject, va=va, vb=vb, visits=visits)


@router.get("/history/compare/aligned.jpg")
def compare_aligned(web: Web, subject: str, a: RequiredVisit, b: RequiredVisit):
    """Visit b's photo registered onto visit a's frame, for the slider."""
    st = web.open_store()
    if st is None:
        return Response("history not available", status_code=503, media_type="text/plain")
    try:
        ids = {v.id for v in visits_or_raise(st, subject)}
        if a not in ids or b not in ids:
            raise PorescopeError("both visits must belong to the subject.")
        body, headers = aligned_picture(web, st, a, b)
    except PorescopeError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    return Response(body, media_type="image/jpeg", headers=headers)


def _comparison(web: WebState, store, subject: str, va, vb) -> dict:
    key = (subject, va.id, vb.id, va.captures, vb.captures)
    got = web.comparisons.get(key)
    if got is None:
        with web.analyze_lock:  # the comparison re-analyzes both photos: one heavy job at a time
            got = web.comparisons.get(key)
            if got is None:
                from porescope.track import compact

                c = store.compare(subject, va.id, vb.id)
                # The comparison as stored, plus its compact rows already formatted (porescope.track.compact:
                # the same rows, rounding and words as the terminal and the reports).
                got = c.model_dump(mode="json") | {"display": compact.display(c, compact.density_units(va, vb))}
                web.comparisons[key] = got
                while len(web.comparisons) > COMPARISONS_KEPT:
                    web.comparisons.popitem(last=False)
    return got


@router.get("/api/history/compare")
def compare_api(web: Web, subject: str, a: OptionalVisit = None, b: OptionalVisit = None):
    """The comparison of two visits (default: first and last): per region and metric, a verdict beyond noise;
    ``display`` holds the compact rows the compare page shows."""
    st = web.open_store()
    if st is None:
        return api_error(web.store_error, 503)
    try:
        _, va, vb = compare_pair(st, subject, a, b)
        return _comparison(web, st, subject, va, vb)
    except (PorescopeError, LookupError) as exc:
        return api_error(str(exc), 400)
