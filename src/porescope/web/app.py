"""The local web app: analyze, routine, label checker and history pages.

Everything runs on this machine: pages, scripts, styles and fonts are served
from the package (no CDN), photos stay in memory or in the history store.

:func:`create_app` builds the app from routers, one per page group
(:mod:`porescope.web.routes`); they share one :class:`~porescope.web.state.WebState`
on ``app.state.web``, handed to each route by a FastAPI dependency.

Security rules the routes follow:

- nothing from a request becomes a file-system path: results are looked up by
  a server-made random id (checked against a pattern), visits by integer id
  through the store, subjects by name through the store;
- upload bodies are capped (:data:`MAX_UPLOAD_BYTES`) before they are parsed,
  and photos are checked from their header before a pixel is decoded
  (:mod:`porescope.web.uploads`); decoding and analysis run a few at a time;
- host allow-list, same-origin check and CSRF token: :mod:`porescope.web.security`;
- notices after a redirect are chosen by code (``?notice=deleted``), never
  text copied from the query string.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from porescope import __version__
from porescope.advise.routine_models import same_as_morning
from porescope.glossary import find as find_term
from porescope.labels import METRICS, REGION_NAMES, region_name
from porescope.measure.causes import CAUSE_NAMES, cause_word, likelihood, strength_text
from porescope.web import uploads
from porescope.web.asgi import Wrap
from porescope.web.cache import RESULTS_KEPT, RESULTS_MAX_BYTES, ResultCache
from porescope.web.pictures import COMPARE_MAX_SIDE_PX
from porescope.web.routes import advice, analyze, compare, history, pages, report, result
from porescope.web.security import CSRF_FIELD, CSRF_REFUSED, LOOPBACK_HOSTS, CsrfRefused, LocalGuard
from porescope.web.state import Limits, WebState
from porescope.web.uploads import FORM_OVERHEAD_BYTES, MAX_UPLOAD_BYTES, BodyLimit, safe_label
from porescope.web.views import HEALTH_NOTE, api_error, fmt_num, quote_all, visit_pore_total

HERE = Path(__file__).resolve().parent
#: Upload formats as the page names them (decoded formats are checked from the header, not by file name).
ACCEPTED_TEXT = "JPEG, PNG, TIFF, WebP, HEIC"
ROUTERS = (analyze.router, result.router, advice.router, history.router, compare.router, report.router, pages.router)

# Names other modules and tests import from here.
__all__ = ["create_app", "COMPARE_MAX_SIDE_PX", "HEALTH_NOTE", "LOOPBACK_HOSTS", "MAX_UPLOAD_BYTES", "safe_label",
           "visit_pore_total"]


def _templates(max_upload_bytes: int, web_max_pixels: int) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        version=__version__, health_note=HEALTH_NOTE, max_upload_mb=max_upload_bytes // (1024 * 1024),
        max_web_mp=web_max_pixels // 1_000_000, accepted_formats=ACCEPTED_TEXT, accept_attr=uploads.ACCEPT_ATTR,
        fmt=fmt_num, quote=quote_all, csrf_field_name=CSRF_FIELD,
        # Words for the numbers (porescope.glossary: one sentence per metric) and for the causes.
        same_as_morning=same_as_morning,
        term=find_term, likelihood=likelihood, cause_word=cause_word, strength_text=strength_text, cause_name=lambda c: CAUSE_NAMES.get(c, c.replace("_", " ")),
        # Metric and region names for scripts that build tables (porescope.labels: one table for every shell).
        metric_words={m.key: m.words for m in METRICS}, region_names=REGION_NAMES,
    )
    templates.env.filters["region"] = region_name  # 'frame' -> 'photo', 'left_cheek' -> 'left cheek'
    return templates


def _add_error_handlers(app: FastAPI, web: WebState) -> None:
    """Errors as one line: JSON for the API (and static files), the styled error page for pages."""

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused):
        if request.url.path.startswith("/api/"):
            return api_error(CSRF_REFUSED, 403)
        return web.error_page(request, 403, "Request refused", CSRF_REFUSED, active="")

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:3]:
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        msg = "bad request (" + "; ".join(parts) + "); check the address or the form."
        if request.url.path.startswith("/api/"):
            return api_error(msg, 400)
        return web.error_page(request, 400, "Bad request", msg, active="")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        words = {404: ("Not found", "there is no page at this address."),
                 405: ("Not allowed", "this address does not take that kind of request.")}
        title, msg = words.get(exc.status_code, ("Error", str(exc.detail)))
        headers = getattr(exc, "headers", None)
        path = request.url.path
        if path.startswith("/api/") or path.startswith("/static/") or request.method not in ("GET", "POST"):
            return JSONResponse({"error": msg}, status_code=exc.status_code, headers=headers)
        return web.error_page(request, exc.status_code, title, msg, active="")


def _add_guards(app: FastAPI, templates: Jinja2Templates, allowed_hosts, max_upload_bytes: int) -> None:
    """The body cap and the host/origin guard, as pure-ASGI middleware (they act before a body is parsed)."""

    def render_error(title: str, message: str, back: str = "/") -> str:
        """A styled error page outside a route (middleware refusals)."""
        return templates.get_template("error.html").render(title=title, message=message, back=back, active="", csrf_token="")

    def render_too_large(scope, message: str) -> str:
        token = (scope.get("state") or {}).get("csrf_token", "")
        if scope.get("path") == "/analyze":
            return templates.get_template("analyze.html").render(error=message, active="analyze", csrf_token=token)
        return render_error("Upload too large", message)

    secret = secrets.token_bytes(32)  # per server run: tokens die with it
    # Added last = outermost: the host/origin guard, then the body cap. The cap
    # leaves room for the multipart framing and form fields around the file.
    app.add_middleware(Wrap, inner=BodyLimit, limit=max_upload_bytes + FORM_OVERHEAD_BYTES, render_too_large=render_too_large)
    app.add_middleware(Wrap, inner=LocalGuard, allowed_hosts=allowed_hosts, secret=secret, render_error=render_error)


def create_app(
    store=None,
    *,
    db_url: str | None = None,
    data_dir: str | Path | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    results_kept: int = RESULTS_KEPT,
    results_max_bytes: int = RESULTS_MAX_BYTES,
    web_max_pixels: int = uploads.WEB_MAX_PIXELS,
    allowed_hosts: tuple[str, ...] | None = LOOPBACK_HOSTS,
) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    store : porescope.track.Store, optional
        The history store to use. None: opened on first use from ``db_url``,
        else ``$PORESCOPE_DB_URL``, else the default SQLite file.
    db_url, data_dir : optional
        Passed to :class:`porescope.track.Store` when ``store`` is None.
    max_upload_bytes : int
        Upload size limit (413 above it).
    results_kept, results_max_bytes : int
        How many analysis results the viewer keeps in memory, and their total size.
    web_max_pixels : int
        Largest frame analyzed at full size; larger JPEGs are decoded reduced, other formats refused.
    allowed_hosts : tuple of str, or None
        Exact host names the server answers to (any port); None = any
        well-formed name (only for a server deliberately opened to the network).

    Returns
    -------
    fastapi.FastAPI
        The app; its shared state (:class:`~porescope.web.state.WebState`) is ``app.state.web``.
    """
    app = FastAPI(title="porescope", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    templates = _templates(max_upload_bytes, web_max_pixels)
    web = WebState(templates=templates, limits=Limits(max_upload_bytes, web_max_pixels),
                   results=ResultCache(results_kept, results_max_bytes), store=store, db_url=db_url, data_dir=data_dir)
    app.state.web = web
    app.router.on_shutdown.append(web.stop)  # queued background work is dropped with the server
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_handlers(app, web)
    _add_guards(app, templates, allowed_hosts, max_upload_bytes)
    return app
