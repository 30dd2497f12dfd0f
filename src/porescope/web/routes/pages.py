"""Pages with no stage behind them: about, and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from porescope import __version__
from porescope.web.state import Web

router = APIRouter()


@router.get("/about", response_class=HTMLResponse)
def about_page(request: Request, web: Web):
    """What porescope measures, what it does not, and where the data stays."""
    return web.page(request, "about.html")


@router.get("/healthz")
def healthz():
    """For scripts and monitors: ``{"ok": true, "version": ...}``."""
    return {"ok": True, "version": __version__}
