"""A subject's history report, downloaded from the subject page: self-contained HTML or PDF
(the same report as ``porescope report``, :mod:`porescope.track.report`)."""

from __future__ import annotations

import re

from fastapi import APIRouter
from fastapi.responses import Response

from porescope.errors import PorescopeError
from porescope.web.forms import visits_or_raise
from porescope.web.state import Web

router = APIRouter()

#: Formats the report downloads in -> media type.
REPORT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _filename(subject: str, ext: str) -> str:
    return f"porescope-report-{re.sub(r'[^A-Za-z0-9_.-]+', '_', subject)[:40]}.{ext}"


@router.get("/history/report.{ext}")
def report_download(web: Web, ext: str, subject: str, inline: bool = False):
    """The report of ``subject`` as a download (``inline=1``: shown in the browser instead)."""
    if ext not in REPORT_TYPES:
        return Response("no such report format; use report.html or report.pdf", status_code=404, media_type="text/plain")
    st = web.open_store()
    if st is None:
        return Response(web.store_error or "history not available", status_code=503, media_type="text/plain")
    from porescope.track.report import build_report, pdf_bytes, render_html

    try:
        visits_or_raise(st, subject)
        with web.analyze_lock:  # the comparison inside may re-analyze both photos: one heavy job at a time
            rep = build_report(st, subject)
        body = render_html(rep).encode("utf-8") if ext == "html" else pdf_bytes(rep)
    except PorescopeError as exc:
        return Response(str(exc), status_code=404, media_type="text/plain")
    how = "inline" if inline else "attachment"
    return Response(body, media_type=REPORT_TYPES[ext],
                    headers={"Content-Disposition": f'{how}; filename="{_filename(subject, ext)}"'})
