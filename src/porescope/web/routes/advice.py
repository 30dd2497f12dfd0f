"""Advice pages: the profile-and-routine builder and the label checker."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from porescope.advise.catalog import example_catalog
from porescope.advise.ingredients import analyze_label
from porescope.advise.profile import Profile, load_profile
from porescope.advise.routine import build_routine
from porescope.errors import PorescopeError
from porescope.web.forms import (
    CONCERNS,
    MAX_LABEL_CHARS,
    check_subject_name,
    form_dict,
    profile_from_form,
    subject_visits,
)
from porescope.web.security import csrf_guard
from porescope.web.state import Web, WebState
from porescope.web.views import api_error

router = APIRouter()


@router.get("/routine", response_class=HTMLResponse)
def routine_page(request: Request, web: Web, result: str = "", subject: str = ""):
    """The profile form, optionally tied to a result in memory or a subject in the history."""
    res = web.results.get(result) if result else None
    return web.page(request, "routine.html", profile=Profile(), result_id=res.id if res else "", subject=subject,
                    has_result=res is not None, form={}, concerns=list(CONCERNS))


def _analysis_for(web: WebState, res, subject: str):
    """The analysis the routine uses, where it came from, and the store (when a subject is named)."""
    analysis, analysis_from = (res.analysis, "the photo you just analyzed") if res else (None, None)
    st = None
    if subject:
        st = web.open_store()
        if st is None:
            raise PorescopeError(web.store_error)
        if analysis is None:
            visits = [v for v in subject_visits(st, subject) if v.measurable]
            if visits:
                analysis = st.analysis(visits[-1].id)
                analysis_from = f"{subject}'s visit of {visits[-1].taken_at:%Y-%m-%d}"
    return analysis, analysis_from, st


@router.post("/routine", response_class=HTMLResponse, dependencies=[Depends(csrf_guard)])
async def routine_submit(request: Request, web: Web):
    """Build a routine from the profile (and the photo's analysis), optionally saving both for a subject."""
    form = await request.form()
    result_id = str(form.get("result") or "")
    res = web.results.get(result_id) if result_id else None
    subject = str(form.get("subject") or "").strip()
    ctx = {"form": form_dict(form), "result_id": result_id, "has_result": res is not None, "concerns": list(CONCERNS)}
    try:
        prof = load_profile(profile_from_form(form))
        if subject:
            subject = check_subject_name(subject)
        analysis, analysis_from, st = _analysis_for(web, res, subject)
        catalog = example_catalog() if form.get("catalog") else None
        routine = build_routine(prof, analysis, catalog)
        saved = False
        if st is not None and form.get("save"):
            st.save_profile(subject, prof.model_dump(mode="json"))
            st.save_routine(subject, routine.model_dump(mode="json"))
            saved = True
    except PorescopeError as exc:
        return web.page(request, "routine.html", 400, error=str(exc), profile=None, subject=subject, **ctx)
    return web.page(request, "routine.html", profile=prof, routine=routine, subject=subject, analysis_from=analysis_from,
                    saved=saved, **ctx)


@router.get("/label", response_class=HTMLResponse)
def label_page(request: Request, web: Web):
    """The label checker's form."""
    return web.page(request, "label.html", text="")


@router.post("/label", response_class=HTMLResponse, dependencies=[Depends(csrf_guard)])
async def label_submit(request: Request, web: Web, text: str = Form("")):
    """Check a pasted ingredient list: actives, conflicts and cautions."""
    if not text.strip():
        return web.page(request, "label.html", 400, text=text, error="paste or type the ingredient list from the label first.")
    if len(text) > MAX_LABEL_CHARS:
        return web.page(request, "label.html", 400, text=text[:MAX_LABEL_CHARS],
                        error="that label is over 50,000 characters; paste the ingredient list only.")
    return web.page(request, "label.html", text=text, report=analyze_label(text))


@router.post("/api/label", dependencies=[Depends(csrf_guard)])
async def label_api(text: str = Form("")):
    """The label check as JSON."""
    if len(text) > MAX_LABEL_CHARS:
        return api_error("label text is over 50,000 characters.")
    return analyze_label(text).model_dump(mode="json")
