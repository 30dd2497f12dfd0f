"""The local web app: analyze, routine, label checker and history pages.

Everything runs on this machine: pages, scripts, styles and fonts are served
from the package (no CDN), photos stay in memory or in the history store.

Security rules the routes follow:

- nothing from a request becomes a file-system path: results are looked up by
  a server-made random id (checked against a pattern), visits by integer id
  through the store, subjects by name through the store;
- upload bodies are capped (:data:`MAX_UPLOAD_BYTES`) before they are parsed,
  and photos are checked from their header before a pixel is decoded
  (:mod:`porescope.web.uploads`); decoding and analysis run a few at a time;
- the ``Host`` header must be exactly one of the allowed names (guards against
  DNS rebinding); every state-changing request (any method but GET/HEAD/
  OPTIONS) must come from this server's own origin (``Origin``, else
  ``Referer``; ``Origin: null`` and neither are refused) and carry the
  session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``),
  which is an HMAC of a random session id kept in a ``SameSite=Strict``,
  ``HttpOnly`` cookie. Another port of the same host is another origin.
- notices after a redirect are chosen by code (``?notice=deleted``), never
  text copied from the query string.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import logging
import math
import re
import secrets
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import numpy as np
from fastapi import Depends, FastAPI, File, Form, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from porescope import __version__
from porescope.errors import PorescopeError
from porescope.web import layers, uploads

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: Largest upload accepted, bytes. A 200 MP phone RAW-to-JPEG is ~30 MB; 40 MB
#: leaves room while keeping a stray video file out.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024
#: What the upload form accepts (decoded formats, checked from the header, not
#: by file name or the browser's content type).
ACCEPTED_FORMATS = uploads.ACCEPTED_FORMATS
ACCEPT_ATTR = ".jpg,.jpeg,.png,.tif,.tiff,.webp,.heic,.heif,image/jpeg,image/png,image/tiff,image/webp,image/heic,image/heif"
#: Analysis results kept in memory for the viewer, at most this many ...
RESULTS_KEPT = 3
#: ... and at most this many bytes (photo bytes, pore and region images, layer
#: files, records). A 12 MP result holds ~75 MB until its layers are drawn,
#: ~25 MB after; 300 MB keeps the 1.5 GB server budget with one analysis
#: running (base ~0.25 GB + analysis peak ~0.5-1 GB).
RESULTS_MAX_BYTES = 300 * 1024 * 1024
#: Photos decoded at once outside the analysis (quick checks, history views):
#: each holds at most one web-budget frame (24 MP = 72 MB RGB).
DECODE_SLOTS = 2
#: Longest side of history photos in the compare view (the slider compares
#: looks; the numbers come from the full-resolution analyses).
COMPARE_MAX_SIDE_PX = 2000
#: Pictures the compare view keeps ready (visit photos, aligned photos), bytes.
PICTURES_MAX_BYTES = 64 * 1024 * 1024
#: Comparisons (their JSON, a few kB each) kept so the compare page answers at once the second time.
COMPARISONS_KEPT = 16
#: A new visit's measurement noise (three re-analyses of its photo, for the
#: comparison's intervals) is measured in the background once no photo has
#: been sent for this long.
NOISE_AFTER_IDLE_S = 3.0
#: Host names a loopback-bound server answers to (exact names; the port may be any).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: Room for multipart boundaries and the small form fields beside the photo.
FORM_OVERHEAD_BYTES = 256 * 1024
RESULT_ID = re.compile(r"^[0-9a-f]{16}$")
#: Subject names made on the web: letters, digits, space and . _ - @ (the store
#: takes any text; the web keeps names easy to type and to read in a URL).
SUBJECT_NAME = re.compile(r"^[\w .@-]{1,64}$")
#: Database ids are signed 64-bit integers; anything outside is not an id.
MAX_ID = 2**63 - 1
VisitId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
#: The session cookie (a random id) and where the CSRF token derived from it travels.
SESSION_COOKIE = "porescope_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
#: A Host header: a name or bracketed IPv6 address, an optional port; nothing else.
_HOST = re.compile(r"^(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::(?P<port>[0-9]{1,5}))?$")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
#: Notices a redirect may ask a page to show (``?notice=<code>``).
NOTICES = {
    "deleted": "The subject was deleted, with all their visits, photos, profile and routine.",
}

HEALTH_NOTE = (
    "Cosmetic guidance, not a diagnosis. porescope measures how visible pores look in a photo; pore size is "
    "largely inherited and care changes how visible pores look, not their anatomy. See a dermatologist for a spot "
    "that is new, changing, bleeding, itching, painful or not healing, for inflamed or cystic acne, or before "
    "combining prescription treatments."
)


class UploadTooLarge(Exception):
    pass


class CsrfRefused(Exception):
    """A state-changing request without this session's token."""


# ---------------------------------------------------------------------------
# in-memory results


@dataclass
class Result:
    """One analysis the viewer can show (kept in memory, never on disk).

    The full-size pore labels (int32) and the decoded photo are held only
    until their layer files are drawn (:meth:`prerender`); the region map is
    kept at the region layer's reduced size.
    """

    id: str
    analysis: Any
    rgb: np.ndarray | None  # upright RGB, only while the photo layer still needs encoding
    labels: np.ndarray | None  # pore labels, only until the pore layer is drawn
    dark: np.ndarray
    region_labels: np.ndarray  # reduced to at most layers.REGION_LAYER_MAX_SIDE_PX
    region_names: dict[int, str]
    mode: str
    px_per_mm: float | None
    photo: bytes  # the uploaded bytes, for "save to history"
    display_name: str
    reduced_note: str | None = None  # set when a large JPEG was analyzed reduced
    created: float = field(default_factory=time.time)
    _layers: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def layer(self, name: str) -> bytes:
        with self._lock:
            if name not in self._layers:
                if name == "photo":
                    self._layers[name] = self._photo_bytes()
                    self.rgb = None
                elif name == "pores":
                    self._layers[name] = layers.pore_layer_png(self.labels, self.dark)
                    self.labels = None
                elif name == "regions":
                    self._layers[name] = layers.region_layer_png(self.region_labels)
                else:  # pragma: no cover - routes only ask for the three above
                    raise KeyError(name)
            return self._layers[name]

    def prerender(self) -> None:
        """Draw the layer files ahead of the browser's request (and free the big arrays)."""
        for name in ("pores", "photo", "regions"):
            try:
                self.layer(name)
            except Exception:  # noqa: BLE001 - the request for the layer reports it
                log.exception("could not draw the %s layer", name)

    def nbytes(self) -> int:
        arrays = sum(a.nbytes for a in (self.rgb, self.labels, self.dark, self.region_labels) if a is not None)
        # ~1 kB per pore record (pydantic objects), measured on 12 MP results.
        return arrays + len(self.photo) + sum(len(b) for b in self._layers.values()) + 1024 * len(self.analysis.pores)

    def _photo_bytes(self) -> bytes:
        # An upright 8-bit JPEG analyzed at full size is sent as uploaded (no
        # re-encode: ~0.2 s saved on 12 MP); anything else is re-encoded from
        # the decoded, upright pixels.
        src = self.analysis.source
        if (src.format or "").upper() in ("JPEG", "MPO") and src.exif_orientation in (None, 1) and src.bit_depth == 8 and self.reduced_note is None:
            return self.photo
        return layers.photo_jpeg(self.rgb)


class ResultCache:
    """The last few results, oldest dropped first, bounded in count and bytes. Thread-safe."""

    def __init__(self, size: int = RESULTS_KEPT, max_bytes: int = RESULTS_MAX_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self._d: collections.OrderedDict[str, Result] = collections.OrderedDict()
        self._lock = threading.Lock()

    def put(self, r: Result) -> None:
        with self._lock:
            self._d[r.id] = r
            self._trim()

    def _trim(self) -> None:
        while len(self._d) > self.size or (len(self._d) > 1 and self.nbytes() > self.max_bytes):
            self._d.popitem(last=False)

    def nbytes(self) -> int:
        return sum(r.nbytes() for r in list(self._d.values()))

    def get(self, rid: str) -> Result | None:
        if not RESULT_ID.match(rid or ""):
            return None
        with self._lock:
            r = self._d.get(rid)
            if r is not None:
                self._d.move_to_end(rid)
            return r


class BytesCache:
    """Small LRU of encoded pictures, bounded in bytes. Thread-safe."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._d: collections.OrderedDict[Any, tuple[bytes, dict]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}

    def get_or_make(self, key, make):
        """The cached value for ``key``, else ``make()`` (once, even when asked concurrently)."""
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
            klock = self._key_locks.setdefault(key, threading.Lock())
        with klock:
            with self._lock:
                if key in self._d:
                    return self._d[key]
            value = make()
            with self._lock:
                self._d[key] = value
                while len(self._d) > 1 and sum(len(v[0]) for v in self._d.values()) > self.max_bytes:
                    self._d.popitem(last=False)
                self._key_locks.pop(key, None)
            return value


# ---------------------------------------------------------------------------
# middleware (pure ASGI, so the body cap acts before multipart parsing)


class BodyLimit:
    """Refuse request bodies above ``limit`` bytes with 413, by Content-Length
    up front and by counting while streaming (chunked uploads)."""

    def __init__(self, app, limit: int, render_too_large=None):
        self.app = app
        self.limit = limit
        self.render_too_large = render_too_large

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        cl = headers.get(b"content-length")
        if cl is not None and cl.isdigit() and int(cl) > self.limit:
            return await self._too_large(scope, send)
        seen = 0
        exceeded = False
        started = False

        async def counted_receive():
            nonlocal seen, exceeded
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise UploadTooLarge()
            return msg

        async def tracked_send(msg):
            # The app may turn our exception into its own error (FastAPI answers
            # 400 "error parsing the body"); replace that with the 413 it is.
            nonlocal started
            if exceeded:
                if msg["type"] == "http.response.start" and not started:
                    started = True
                    await self._too_large(scope, send)
                return
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except UploadTooLarge:
            if not started:
                started = True
                await self._too_large(scope, send)

    async def _too_large(self, scope, send) -> None:
        msg = _too_large_message(self.limit - FORM_OVERHEAD_BYTES)
        if scope.get("path", "").startswith("/api/"):
            body, ctype = json.dumps({"error": msg}).encode(), b"application/json"
        elif self.render_too_large is not None:
            body, ctype = self.render_too_large(scope, msg).encode(), b"text/html; charset=utf-8"
        else:
            body, ctype = f"error: {msg}".encode(), b"text/plain; charset=utf-8"
        await _send(send, 413, body, ctype)


def _too_large_message(limit: int) -> str:
    return f"the upload is larger than the {max(1, round(limit / (1024 * 1024)))} MB limit; export a smaller JPEG or crop the skin area."


async def _send(send, status: int, body: bytes, ctype: bytes, extra=()) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


def host_name(host: str) -> str | None:
    """The name part of a ``Host`` header (lower case, IPv6 without brackets),
    or None when the header is not a plain ``name[:port]`` (userinfo, paths,
    spaces and the like are refused, not parsed around)."""
    m = _HOST.match(host or "")
    if not m or (m["port"] is not None and not 0 < int(m["port"]) < 65536):
        return None
    return m["name"].strip("[]").lower().rstrip(".")


def csrf_token(secret: bytes, session_id: str) -> str:
    """The CSRF token of a session: HMAC-SHA256 of its id under the server's secret
    (a cookie planted by another page cannot come with a matching token)."""
    return hmac.new(secret, session_id.encode(), hashlib.sha256).hexdigest()


def _same_token(sent: str, expected: str) -> bool:
    """Constant-time comparison that takes any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), expected.encode())


def _cookie(headers: dict[str, str], name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


def _origin_of(url: str) -> str | None:
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    if not u.scheme or not u.netloc:
        return None
    return f"{u.scheme}://{u.netloc}".lower()


class LocalGuard:
    """Exact Host check against DNS rebinding, same-origin check and session
    cookie against cross-site requests, and the security headers every
    response carries."""

    CSP = (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; "
        "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, app, allowed_hosts: tuple[str, ...] | None, secret: bytes, render_error=None):
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.strip("[]").lower() for h in allowed_hosts}
        self.secret = secret
        self.render_error = render_error

    async def _refuse(self, scope, send, status: int, title: str, msg: str) -> None:
        if scope.get("path", "").startswith("/api/"):
            return await _send(send, status, json.dumps({"error": msg}).encode(), b"application/json")
        if self.render_error is not None:
            return await _send(send, status, self.render_error(title, msg).encode(), b"text/html; charset=utf-8")
        return await _send(send, status, f"error: {msg}".encode(), b"text/plain; charset=utf-8")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = headers.get("host", "")
        name = host_name(host)
        if name is None or (self.allowed is not None and name not in self.allowed):
            body = b"error: this porescope server only answers to localhost / 127.0.0.1."
            return await _send(send, 400, body, b"text/plain; charset=utf-8")
        sid = _cookie(headers, SESSION_COOKIE)
        new_sid = None
        if sid is None or not _SESSION_ID.match(sid):
            sid = new_sid = secrets.token_urlsafe(32)
        token = csrf_token(self.secret, sid)
        state = scope.setdefault("state", {})
        state["csrf_token"] = token
        state["csrf_header_ok"] = False
        if scope["method"] not in SAFE_METHODS:
            own = f"{scope.get('scheme', 'http')}://{host}".lower()
            origin = headers.get("origin")
            came_from = origin if origin is not None else _origin_of(headers.get("referer", ""))
            if came_from != own:
                log.info("refused %s %s from origin %r", scope["method"], scope.get("path"), came_from)
                return await self._refuse(scope, send, 403, "Request refused",
                                          "this request did not come from a porescope page on this server, so it was refused; "
                                          "open porescope yourself and try again.")
            sent = headers.get(CSRF_HEADER)
            state["csrf_header_ok"] = sent is not None and new_sid is None and _same_token(sent, token)

        async def send_with_headers(msg):
            if msg["type"] == "http.response.start":
                extra = [
                    (b"content-security-policy", self.CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    # same-origin: our own form posts keep their real Origin (no-referrer
                    # would make them 'Origin: null'); other sites still get no Referer.
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
                ]
                if new_sid is not None:
                    extra.append((b"set-cookie", f"{SESSION_COOKIE}={new_sid}; Path=/; HttpOnly; SameSite=Strict".encode()))
                msg = dict(msg)
                msg["headers"] = list(msg.get("headers") or []) + extra
            await send(msg)

        await self.app(scope, receive, send_with_headers)


# ---------------------------------------------------------------------------
# helpers


def safe_label(filename: str | None) -> str:
    """A display label for an uploaded file: its base name, printable, short.
    Used in messages only, never as a path."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ").strip()
    return (name[:80] or "uploaded image")


def _float_or_none(text: str | None, what: str) -> float | None:
    if text is None or not str(text).strip():
        return None
    try:
        v = float(str(text).strip().replace(",", "."))
    except ValueError:
        raise PorescopeError(f"{what} must be a number, got {text!r}.") from None
    if not math.isfinite(v) or v <= 0:
        raise PorescopeError(f"{what} must be a positive number, got {text!r}.")
    return v


def _status_for(exc: PorescopeError) -> int:
    return 413 if isinstance(exc, uploads.TooManyPixels) or "MP limit" in str(exc) else 400


def _visit_pore_total(regions) -> str:
    """A visit's pore count for the history list: the whole face's own total
    ('face') when present, else the sum of its regions; never both (the face
    total already holds its regions' pores). 'n/a' when counts are not meaningful."""
    if not regions or not regions[0].counts_meaningful:
        return "n/a"
    whole = next((g for g in regions if g.name == "face"), None)
    if whole is not None:
        return "n/a" if whole.pore_count is None else str(whole.pore_count)
    return str(sum(g.pore_count or 0 for g in regions))


def _fmt_num(v, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and not math.isfinite(v):
        return "–"
    return f"{v:,.{digits}f}"


def _quote_all(text: str) -> str:
    """URL-quote a name for a query string (every reserved character, '/' too)."""
    return quote(str(text), safe="")


def _check_subject_name(name: str) -> str:
    name = (name or "").strip()
    if not SUBJECT_NAME.match(name):
        raise PorescopeError("a subject name is 1-64 letters, digits, spaces or . _ - @ (e.g. 'me' or 'P-017').")
    return name


# ---------------------------------------------------------------------------
# the app


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
    store : porescope.history.Store, optional
        The history store to use. None: opened on first use from ``db_url``,
        else ``$PORESCOPE_DB_URL``, else the default SQLite file.
    db_url, data_dir : optional
        Passed to :class:`porescope.history.Store` when ``store`` is None.
    max_upload_bytes : int
        Upload size limit (413 above it).
    results_kept, results_max_bytes : int
        How many analysis results the viewer keeps in memory, and their total size.
    web_max_pixels : int
        Largest frame analyzed at full size; larger JPEGs are decoded reduced, other formats refused.
    allowed_hosts : tuple of str, or None
        Exact host names the server answers to (any port); None = any
        well-formed name (only for a server deliberately opened to the network).
    """
    app = FastAPI(title="porescope", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(
        version=__version__, health_note=HEALTH_NOTE, max_upload_mb=max_upload_bytes // (1024 * 1024),
        max_web_mp=web_max_pixels // 1_000_000, accepted_formats="JPEG, PNG, TIFF, WebP, HEIC", accept_attr=ACCEPT_ATTR,
        fmt=_fmt_num, quote=_quote_all, csrf_field_name=CSRF_FIELD,
    )
    from porescope.causes import CAUSE_NAMES, likelihood
    from porescope.glossary import find as _term

    # Words for the numbers (porescope.glossary: one sentence per metric) and for the causes.
    templates.env.globals.update(
        term=_term, likelihood=likelihood, cause_name=lambda c: CAUSE_NAMES.get(c, c.replace("_", " "))
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    results = ResultCache(results_kept, results_max_bytes)
    pictures = BytesCache(PICTURES_MAX_BYTES)
    comparisons: collections.OrderedDict[tuple, dict] = collections.OrderedDict()
    analyze_lock = threading.Semaphore(1)  # one full decode + analysis at a time: memory, and 2-core machines
    decode_slots = threading.BoundedSemaphore(DECODE_SLOTS)  # quick checks and history pictures
    background = ThreadPoolExecutor(1, thread_name_prefix="porescope-web-bg")  # layer files, slider pictures (quick jobs)
    slow_jobs = ThreadPoolExecutor(1, thread_name_prefix="porescope-web-noise")  # noise of new visits (seconds each)
    secret = secrets.token_bytes(32)  # per server run: tokens die with it
    state: dict[str, Any] = {"store": store, "store_error": None, "last_upload": 0.0}
    store_lock = threading.Lock()
    app.state.results = results
    app.state.background = background
    app.state.slow_jobs = slow_jobs
    app.state.pictures = pictures

    def _stop_background() -> None:  # queued background work is dropped with the server
        for ex in (background, slow_jobs):
            ex.shutdown(wait=False, cancel_futures=True)

    app.router.on_shutdown.append(_stop_background)

    def get_store():
        """The history store, or None with a reason in state['store_error']."""
        if state["store"] is not None:
            return state["store"]
        with store_lock:
            if state["store"] is None:
                try:
                    from porescope.history import Store
                except ImportError:
                    state["store_error"] = "History is not available in this build."
                    return None
                try:
                    state["store"] = Store(db_url, data_dir=data_dir)
                    state["store_error"] = None
                except PorescopeError as exc:
                    state["store_error"] = str(exc)
        return state["store"]

    app.state.get_store = get_store

    def page(request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("active", name.split(".")[0])
        ctx.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def api_error(msg: str, status: int = 400) -> JSONResponse:
        return JSONResponse({"error": msg}, status_code=status)

    def render_error(title: str, message: str, back: str = "/") -> str:
        """A styled error page outside a route (middleware refusals)."""
        return templates.get_template("error.html").render(title=title, message=message, back=back, active="", csrf_token="")

    def render_too_large(scope, message: str) -> str:
        token = (scope.get("state") or {}).get("csrf_token", "")
        if scope.get("path") == "/analyze":
            return templates.get_template("analyze.html").render(error=message, active="analyze", csrf_token=token)
        return render_error("Upload too large", message)

    async def csrf_guard(request: Request) -> None:
        """Every state-changing request carries this session's token (the
        origin was checked by LocalGuard before the body was read)."""
        if request.method in SAFE_METHODS or getattr(request.state, "csrf_header_ok", False):
            return
        expected = getattr(request.state, "csrf_token", None)
        form = await request.form()
        sent = form.get(CSRF_FIELD)
        has_session = _cookie({"cookie": request.headers.get("cookie", "")}, SESSION_COOKIE) is not None
        if not (expected and has_session and isinstance(sent, str) and _same_token(sent, expected)):
            raise CsrfRefused()

    @app.exception_handler(CsrfRefused)
    async def _csrf_refused(request: Request, exc: CsrfRefused):
        msg = "this form has expired or did not come from a porescope page (missing security token); reload the page and try again."
        if request.url.path.startswith("/api/"):
            return api_error(msg, 403)
        return page(request, "error.html", 403, title="Request refused", message=msg, active="")

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors()[:3]:
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        msg = "bad request (" + "; ".join(parts) + "); check the address or the form."
        if request.url.path.startswith("/api/"):
            return api_error(msg, 400)
        return page(request, "error.html", 400, title="Bad request", message=msg, active="")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        words = {404: ("Not found", "there is no page at this address."), 405: ("Not allowed", "this address does not take that kind of request.")}
        title, msg = words.get(exc.status_code, ("Error", str(exc.detail)))
        headers = getattr(exc, "headers", None)
        if request.url.path.startswith("/api/") or request.url.path.startswith("/static/") or request.method not in ("GET", "POST"):
            return JSONResponse({"error": msg}, status_code=exc.status_code, headers=headers)
        return page(request, "error.html", exc.status_code, title=title, message=msg, active="")

    # ----------------------------------------------------------------- analyze
    async def _read_upload(photo: UploadFile | None) -> tuple[bytes, str]:
        state["last_upload"] = time.monotonic()
        if photo is None or isinstance(photo, str):
            raise PorescopeError("no photo was sent; choose a file or capture one with the camera.")
        data = await photo.read(max_upload_bytes + 1)
        if len(data) > max_upload_bytes:
            raise UploadTooLarge()
        if not data and not photo.filename:
            raise PorescopeError("no photo was sent; choose a file or capture one with the camera.")
        return data, safe_label(photo.filename)

    def _analyze(data: bytes, label: str, mode: str, px_per_mm: float | None) -> Result:
        from porescope.pipeline import run

        if mode not in ("auto", "face", "closeup"):
            raise PorescopeError(f"mode must be auto, face or closeup, not {mode!r}.")
        head = uploads.inspect(data, label, max_pixels=web_max_pixels)  # before any pixel is decoded
        note = None
        if head.reduce_by > 1:
            dw, dh = head.decoded_size
            note = (f"This {head.width_px}×{head.height_px} photo ({uploads.megapixels(head.pixels)} MP) is above the web app's "
                    f"{uploads.megapixels(web_max_pixels)} MP limit, so it was decoded and analyzed at 1/{head.reduce_by} size "
                    f"({dw}×{dh} px). Use 'porescope measure' on the command line for full resolution.")
        with analyze_lock:  # decode inside: queued uploads hold bytes, not decoded frames
            img = uploads.decode_full(data, label, head)
            r = run(img, px_per_mm=px_per_mm / head.reduce_by if px_per_mm else None, mode=mode)
        rl = layers.shrink_labels(r.regions.label_image(), layers.REGION_LAYER_MAX_SIDE_PX)
        names = {reg.label: reg.name for reg in r.regions.regions if not reg.outline_only}
        res = Result(
            id=secrets.token_hex(8), analysis=r.analysis, rgb=r.image.rgb, labels=r.labels, dark=r.pore_kind_dark,
            region_labels=rl, region_names=names, mode=mode, px_per_mm=px_per_mm, photo=data, display_name=label,
            reduced_note=note,
        )
        del r, img
        if not res.reduced_note and (res.analysis.source.format or "").upper() in ("JPEG", "MPO") \
                and res.analysis.source.exif_orientation in (None, 1) and res.analysis.source.bit_depth == 8:
            res.rgb = None  # the photo layer is the upload itself
        results.put(res)
        background.submit(res.prerender)
        return res

    @app.get("/", response_class=HTMLResponse)
    def analyze_page(request: Request):
        return page(request, "analyze.html")

    @app.post("/analyze", dependencies=[Depends(csrf_guard)])
    async def analyze_form(
        request: Request,
        photo: UploadFile | None = File(None),
        mode: str = Form("auto"),
        px_per_mm: str = Form(""),
    ):
        from starlette.concurrency import run_in_threadpool

        try:
            data, label = await _read_upload(photo)
            scale = _float_or_none(px_per_mm, "pixels per mm")
            res = await run_in_threadpool(_analyze, data, label, mode, scale)
        except UploadTooLarge:
            return page(request, "analyze.html", 413, error=_too_large_message(max_upload_bytes))
        except PorescopeError as exc:
            return page(request, "analyze.html", _status_for(exc), error=str(exc))
        return RedirectResponse(f"/result/{res.id}", status_code=303)

    @app.post("/api/analyze", dependencies=[Depends(csrf_guard)])
    async def analyze_api(photo: UploadFile | None = File(None), mode: str = Form("auto"), px_per_mm: str = Form("")):
        from starlette.concurrency import run_in_threadpool

        try:
            data, label = await _read_upload(photo)
            scale = _float_or_none(px_per_mm, "pixels per mm")
            res = await run_in_threadpool(_analyze, data, label, mode, scale)
        except UploadTooLarge:
            return api_error(_too_large_message(max_upload_bytes), 413)
        except PorescopeError as exc:
            return api_error(str(exc), _status_for(exc))
        base = f"/result/{res.id}"
        return {
            "id": res.id, "page": base,
            "layers": {"photo": f"{base}/photo.jpg", "pores": f"{base}/pores.png", "regions": f"{base}/regions.png"},
            "note": res.reduced_note,
            "analysis": res.analysis.model_dump(mode="json"),
        }

    def _quick(data: bytes, label: str, px_per_mm: float | None):
        head = uploads.inspect(data, label, max_pixels=web_max_pixels)  # the analysis's own checks and words
        with decode_slots:
            rgb = uploads.decode_quick(data, label, head, layers.QUICK_MAX_SIDE_PX)
        return layers.quick_quality_rgb(rgb, (head.width_px, head.height_px), px_per_mm=px_per_mm)

    @app.post("/api/quality", dependencies=[Depends(csrf_guard)])
    async def quality_api(photo: UploadFile | None = File(None), px_per_mm: str = Form("")):
        """The capture gate on a downscaled copy: fast feedback before scoring."""
        from starlette.concurrency import run_in_threadpool

        try:
            data, label = await _read_upload(photo)
            scale = _float_or_none(px_per_mm, "pixels per mm")
            t0 = time.perf_counter()
            q, info = await run_in_threadpool(_quick, data, label, scale)
        except UploadTooLarge:
            return api_error(_too_large_message(max_upload_bytes), 413)
        except PorescopeError as exc:
            return api_error(str(exc), _status_for(exc))
        blocking = [p for p in q.problems if p.severity == "blocking"]
        verdict = "retake" if blocking else ("ok_with_warnings" if q.problems else "ok")
        return {
            "verdict": verdict, "quality": q.model_dump(mode="json"), **info,
            "elapsed_ms": round((time.perf_counter() - t0) * 1000, 1),
            "note": "Quick check on a reduced copy; the full analysis checks the photo again at full resolution.",
        }

    def _result_or_404(request: Request, rid: str):
        res = results.get(rid)
        if res is None:
            return None, page(request, "error.html", 404, title="Result not found",
                              message="This result is no longer in memory (only the last few are kept, and none survive a restart). Analyze the photo again.")
        return res, None

    @app.get("/result/{rid}", response_class=HTMLResponse)
    def result_page(request: Request, rid: str):
        res, err = _result_or_404(request, rid)
        if err:
            return err
        a = res.analysis
        causes_available = _module_available("porescope.causes")
        summary = []
        if _module_available("porescope.explain"):
            from porescope.explain import summary_lines

            summary = summary_lines(a, with_causes=False)
        return page(
            request, "result.html", active="analyze", r=res, a=a,
            labels=layers.region_centroids(res.region_labels, res.region_names) if a.settings.mode == "face" else [],
            causes_available=causes_available, history_available=_module_available("porescope.history"),
            advice_available=_module_available("porescope.routine"),
            n_dark=sum(1 for p in a.pores if p.kind == "dark"), summary=summary,
        )

    def _layer_response(request: Request, rid: str, name: str, media: str) -> Response:
        res = results.get(rid)
        if res is None:
            return Response("result not found", status_code=404, media_type="text/plain")
        return Response(res.layer(name), media_type=media, headers={"Cache-Control": "private, max-age=86400, immutable"})

    @app.get("/result/{rid}/photo.jpg")
    def result_photo(request: Request, rid: str):
        return _layer_response(request, rid, "photo", "image/jpeg")

    @app.get("/result/{rid}/pores.png")
    def result_pores(request: Request, rid: str):
        return _layer_response(request, rid, "pores", "image/png")

    @app.get("/result/{rid}/regions.png")
    def result_regions(request: Request, rid: str):
        return _layer_response(request, rid, "regions", "image/png")

    @app.get("/result/{rid}/analysis.json")
    def result_json(rid: str):
        res = results.get(rid)
        if res is None:
            return api_error("result not found", 404)
        return Response(res.analysis.model_dump_json(indent=1), media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="porescope-{rid}.json"'})

    @app.get("/result/{rid}/pores.csv")
    def result_csv(rid: str):
        from porescope.render import pores_csv

        res = results.get(rid)
        if res is None:
            return api_error("result not found", 404)
        return Response(pores_csv(res.analysis), media_type="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="porescope-{rid}-pores.csv"'})

    def _noise_later(st, visit_id: int) -> None:
        """Measure a new visit's noise in the background (under the analysis
        lock), so its first comparison does not wait for it."""
        def job():
            try:
                # Start when no photo has been sent for a while, so a person's next
                # upload does not queue behind seconds of background analyses.
                while time.monotonic() - state["last_upload"] < NOISE_AFTER_IDLE_S:
                    time.sleep(0.5)
                with analyze_lock:
                    st.noise(visit_id)
            except Exception:  # noqa: BLE001 - the comparison computes it again if this failed
                log.info("background noise for visit %s failed", visit_id, exc_info=True)
        slow_jobs.submit(job)

    def _slider_pictures_later(st, subject: str, visit_id: int) -> None:
        """Prepare the compare view's pictures for the pairs a person opens
        next (first and previous visit vs. this one): ~0.5 s each, in the
        background, so the compare page shows its photos at once."""
        def job():
            visits = _safe(lambda: _visits_or_raise(st, subject)) or []
            others = {v.id for v in (visits[:1] + visits[-2:-1]) if v.id != visit_id}
            if not others:
                return
            _safe(lambda: _visit_picture(st, visit_id, COMPARE_MAX_SIDE_PX))
            for a in sorted(others):
                _safe(lambda a=a: _visit_picture(st, a, COMPARE_MAX_SIDE_PX))
                _safe(lambda a=a: _aligned_picture(st, a, visit_id))
        background.submit(job)

    @app.post("/result/{rid}/save", dependencies=[Depends(csrf_guard)])
    async def result_save(
        request: Request, rid: str, subject: str = Form(""), cleansed: str = Form(""), makeup: str = Form(""),
        lighting: str = Form(""), device: str = Form(""),
    ):
        from starlette.concurrency import run_in_threadpool

        res, err = _result_or_404(request, rid)
        if err:
            return err
        if res.reduced_note:
            return page(request, "error.html", 413, title="Could not save", back=f"/result/{rid}",
                        message=f"this photo is above the web app's {uploads.megapixels(web_max_pixels)} MP limit; save it with "
                                "'porescope history add' on the command line, which analyzes it at full resolution.")
        st = get_store()
        if st is None:
            return page(request, "error.html", 503, title="History not available", message=state["store_error"] or "History is not available in this build.")
        try:
            name = _check_subject_name(subject)
            cond = {k: v for k, v in (("cleansed", cleansed), ("makeup", makeup)) if v in ("yes", "no")}

            def add():
                with analyze_lock:  # add_visit analyzes the photo again: one heavy job at a time
                    return st.add_visit(res.photo, name, condition=cond, lighting=_clean_text(lighting) or None,
                                        device=_clean_text(device) or None, px_per_mm=res.px_per_mm, mode=res.mode)

            visit = await run_in_threadpool(add)
        except PorescopeError as exc:
            return page(request, "error.html", 400, title="Could not save", message=str(exc), back=f"/result/{rid}")
        _noise_later(st, visit.id)
        _slider_pictures_later(st, name, visit.id)
        return RedirectResponse(f"/history?subject={_quote_all(name)}&notice=saved&visit={visit.id}", status_code=303)

    # ----------------------------------------------------------------- routine
    @app.get("/routine", response_class=HTMLResponse)
    def routine_page(request: Request, result: str = "", subject: str = ""):
        if not _module_available("porescope.routine"):
            return page(request, "unavailable.html", active="routine", what="Profile and routine")
        from porescope.profile import Profile

        res = results.get(result) if result else None
        return page(request, "routine.html", profile=Profile(), result_id=res.id if res else "", subject=subject,
                    has_result=res is not None, form={}, concerns=_concern_choices())

    @app.post("/routine", response_class=HTMLResponse, dependencies=[Depends(csrf_guard)])
    async def routine_submit(request: Request):
        if not _module_available("porescope.routine"):
            return page(request, "unavailable.html", active="routine", what="Profile and routine")
        from porescope.profile import load_profile
        from porescope.routine import build_routine

        form = await request.form()
        result_id = str(form.get("result") or "")
        res = results.get(result_id) if result_id else None
        subject = str(form.get("subject") or "").strip()
        try:
            prof = load_profile(_profile_from_form(form))
            analysis, analysis_from = (res.analysis, "the photo you just analyzed") if res else (None, None)
            st = None
            if subject:
                subject = _check_subject_name(subject)
                st = get_store()
                if st is None:
                    raise PorescopeError(state["store_error"] or "History is not available in this build.")
                if analysis is None:
                    visits = [v for v in _subject_visits(st, subject) if v.measurable]
                    if visits:
                        analysis = st.analysis(visits[-1].id)
                        analysis_from = f"{subject}'s visit of {visits[-1].taken_at:%Y-%m-%d}"
            catalog = _example_catalog() if form.get("catalog") else None
            routine = build_routine(prof, analysis, catalog)
            saved = False
            if st is not None and form.get("save"):
                st.save_profile(subject, prof.model_dump(mode="json"))
                st.save_routine(subject, routine.model_dump(mode="json"))
                saved = True
        except PorescopeError as exc:
            return page(request, "routine.html", 400, error=str(exc), profile=None, form=_form_dict(form),
                        result_id=result_id, subject=subject, has_result=res is not None, concerns=_concern_choices())
        return page(request, "routine.html", profile=prof, routine=routine, form=_form_dict(form), result_id=result_id,
                    subject=subject, has_result=res is not None, analysis_from=analysis_from, saved=saved,
                    concerns=_concern_choices())

    # ----------------------------------------------------------------- label checker
    @app.get("/label", response_class=HTMLResponse)
    def label_page(request: Request):
        if not _module_available("porescope.ingredients"):
            return page(request, "unavailable.html", active="label", what="The label checker")
        return page(request, "label.html", text="")

    @app.post("/label", response_class=HTMLResponse, dependencies=[Depends(csrf_guard)])
    async def label_submit(request: Request, text: str = Form("")):
        if not _module_available("porescope.ingredients"):
            return page(request, "unavailable.html", active="label", what="The label checker")
        from porescope.ingredients import analyze_label

        if not text.strip():
            return page(request, "label.html", 400, text=text, error="paste or type the ingredient list from the label first.")
        if len(text) > 50_000:
            return page(request, "label.html", 400, text=text[:50_000], error="that label is over 50,000 characters; paste the ingredient list only.")
        report = analyze_label(text)
        return page(request, "label.html", text=text, report=report)

    @app.post("/api/label", dependencies=[Depends(csrf_guard)])
    async def label_api(text: str = Form("")):
        if not _module_available("porescope.ingredients"):
            return api_error("the label checker is not available in this build.", 501)
        from porescope.ingredients import analyze_label

        if len(text) > 50_000:
            return api_error("label text is over 50,000 characters.")
        return analyze_label(text).model_dump(mode="json")

    # ----------------------------------------------------------------- history
    def _history_store_or_page(request: Request):
        st = get_store()
        if st is None:
            if state["store_error"] and "not available" not in state["store_error"]:
                return None, page(request, "error.html", 503, active="history", title="History store cannot be opened", message=state["store_error"])
            return None, page(request, "unavailable.html", active="history", what="History")
        return st, None

    @app.get("/history", response_class=HTMLResponse)
    def history_page(request: Request, subject: str = "", notice: str = "", visit: str = ""):
        st, err = _history_store_or_page(request)
        if err:
            return err
        if not subject:
            return page(request, "history.html", subjects=st.subjects(), notice=NOTICES.get(notice))
        try:
            visits = _visits_or_raise(st, subject)
        except PorescopeError as exc:
            return page(request, "error.html", 404, active="history", title="No such subject", message=str(exc), back="/history")
        saved = None
        if notice == "saved" and visit.isdigit():  # said from the store, not from the address
            v = next((v for v in visits if str(v.id) == visit), None)
            if v is not None:
                saved = f"Saved the visit of {v.taken_at:%Y-%m-%d %H:%M} to {subject}'s history."
        prof = _safe(lambda: st.profile(subject))
        rout = _safe(lambda: st.routine(subject))
        return page(request, "subject.html", active="history", subject=subject, visits=visits, saved=saved,
                    trends=_trend_svgs(visits), profile=prof, routine=rout, visit_rows=_visit_rows(visits))

    def _visit_picture(st, visit_id: int, max_side: int) -> bytes:
        path = st.photo_path(int(visit_id))  # a path the store made (named by the photo's hash), never one from the request

        def make():
            with decode_slots:
                rgb = uploads.decode_display(path, max_side)
            return layers.photo_jpeg(rgb), {}

        return pictures.get_or_make(("visit", str(path), max_side), make)[0]

    @app.get("/history/visit/{visit_id}/photo.jpg")
    def visit_photo(visit_id: VisitId, max_side: int = COMPARE_MAX_SIDE_PX):
        st = get_store()
        if st is None:
            return Response("history not available", status_code=503, media_type="text/plain")
        try:
            body = _visit_picture(st, visit_id, max(200, min(max_side, 8000)))
        except PorescopeError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        return Response(body, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/history/visit/{visit_id}/pores.png")
    def visit_pores(visit_id: VisitId):
        st = get_store()
        if st is None:
            return Response("history not available", status_code=503, media_type="text/plain")
        try:
            a = st.analysis(visit_id)
        except PorescopeError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        with decode_slots:  # a full-frame index image: as big as a decoded photo
            body = layers.pore_circles_png((a.source.height_px, a.source.width_px), a.pores)
        return Response(body, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    def _aligned_picture(st, a: int, b: int) -> tuple[bytes, dict]:
        """Visit b's photo registered onto visit a's frame at the slider's size
        (decoded reduced, aligned on a 1000 px texture, cached)."""
        pa, pb = st.photo_path(a), st.photo_path(b)  # named by the photos' hashes: the cache key follows the pixels

        def make():
            import cv2

            with decode_slots:
                ra = uploads.decode_display(pa, COMPARE_MAX_SIDE_PX)
                rb = uploads.decode_display(pb, COMPARE_MAX_SIDE_PX)
            headers = {"Cache-Control": "private, max-age=3600"}
            try:
                from porescope import change

                al = change.align(rb, ra)
                if al.ok:
                    warped, _ = change.warp_to(rb, al, ra.shape[:2])
                    headers["X-Porescope-Alignment"] = al.method
                    return layers.photo_jpeg(warped), headers
                headers["X-Porescope-Alignment"] = al.method[:200]
            except Exception as exc:  # noqa: BLE001 - alignment is a nicety here; show the photo as taken
                log.info("alignment for the slider failed: %s", exc)
                headers["X-Porescope-Alignment"] = "none"
            resized = cv2.resize(rb, (ra.shape[1], ra.shape[0]), interpolation=cv2.INTER_AREA)
            return layers.photo_jpeg(resized), headers

        return pictures.get_or_make(("aligned", str(pa), str(pb)), make)

    def _compare_pair(st, subject: str, a: int | None, b: int | None):
        visits = _visits_or_raise(st, subject)
        if len(visits) < 2:
            raise PorescopeError(f"{subject!r} has {len(visits)} visit(s); a comparison needs two.")
        ids = {v.id: v for v in visits}
        va = ids.get(a) if a is not None else visits[0]
        vb = ids.get(b) if b is not None else visits[-1]
        if va is None or vb is None or va.id == vb.id:
            raise LookupError("choose two different visits of this subject to compare.")
        return visits, va, vb

    @app.get("/history/compare", response_class=HTMLResponse)
    def compare_page(request: Request, subject: str, a: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                     b: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
        st, err = _history_store_or_page(request)
        if err:
            return err
        back = f"/history?subject={_quote_all(subject)}"
        try:
            visits, va, vb = _compare_pair(st, subject, a, b)
        except LookupError as exc:
            return page(request, "error.html", 400, active="history", title="Pick two visits", message=str(exc), back=back)
        except PorescopeError as exc:
            if "a comparison needs two" in str(exc):
                return page(request, "error.html", 400, active="history", title="Nothing to compare", message=str(exc), back=back)
            return page(request, "error.html", 404, active="history", title="No such subject", message=str(exc), back="/history")
        # Start the slider's pictures now: they are ready or on their way when the browser asks.
        for job in (lambda: _visit_picture(st, va.id, COMPARE_MAX_SIDE_PX), lambda: _aligned_picture(st, va.id, vb.id)):
            background.submit(_safe, job)
        return page(request, "compare.html", active="history", subject=subject, va=va, vb=vb, visits=visits)

    @app.get("/history/compare/aligned.jpg")
    def compare_aligned(subject: str, a: Annotated[int, Query(ge=1, le=MAX_ID)], b: Annotated[int, Query(ge=1, le=MAX_ID)]):
        """Visit b's photo registered onto visit a's frame, for the slider."""
        st = get_store()
        if st is None:
            return Response("history not available", status_code=503, media_type="text/plain")
        try:
            ids = {v.id for v in _visits_or_raise(st, subject)}
            if a not in ids or b not in ids:
                raise PorescopeError("both visits must belong to the subject.")
            body, headers = _aligned_picture(st, a, b)
        except PorescopeError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        return Response(body, media_type="image/jpeg", headers=headers)

    @app.get("/api/history/compare")
    def compare_api(subject: str, a: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                    b: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None):
        st = get_store()
        if st is None:
            return api_error(state["store_error"] or "history is not available in this build.", 503)
        try:
            _, va, vb = _compare_pair(st, subject, a, b)
            key = (subject, va.id, vb.id, va.captures, vb.captures)
            got = comparisons.get(key)
            if got is None:
                with analyze_lock:  # the comparison re-analyzes both photos: one heavy job at a time
                    got = comparisons.get(key)
                    if got is None:
                        got = comparisons[key] = st.compare(subject, va.id, vb.id).model_dump(mode="json")
                        while len(comparisons) > COMPARISONS_KEPT:
                            comparisons.popitem(last=False)
            return got
        except (PorescopeError, LookupError) as exc:
            return api_error(str(exc), 400)

    @app.get("/api/history/visits")
    def visits_api(subject: str):
        st = get_store()
        if st is None:
            return api_error(state["store_error"] or "history is not available in this build.", 503)
        try:
            return [v.model_dump(mode="json") for v in _visits_or_raise(st, subject)]
        except PorescopeError as exc:
            return api_error(str(exc), 404)

    @app.get("/history/export.csv")
    def export_csv(subject: str = ""):
        st = get_store()
        if st is None:
            return Response("history not available", status_code=503, media_type="text/plain")
        try:
            if subject:
                _visits_or_raise(st, subject)
            text = st.export_csv(subject or None)
        except PorescopeError as exc:
            return Response(str(exc), status_code=404, media_type="text/plain")
        fname = "porescope-history.csv" if not subject else f"porescope-{re.sub(r'[^A-Za-z0-9_.-]+', '_', subject)[:40]}.csv"
        return Response(text, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{fname}"'})

    @app.post("/history/delete", dependencies=[Depends(csrf_guard)])
    async def delete_subject(request: Request, subject: str = Form(""), confirm: str = Form("")):
        st, err = _history_store_or_page(request)
        if err:
            return err
        if confirm.strip() != subject or not subject:
            return page(request, "error.html", 400, active="history", title="Not deleted",
                        message="to delete, type the subject's name exactly into the confirmation box.", back=f"/history?subject={_quote_all(subject)}")
        try:
            n = st.delete_subject(subject)
        except PorescopeError as exc:
            return page(request, "error.html", 404, active="history", title="Not deleted", message=str(exc), back="/history")
        log.info("deleted subject with %d visit(s)", n)
        return RedirectResponse("/history?notice=deleted", status_code=303)

    @app.get("/about", response_class=HTMLResponse)
    def about_page(request: Request):
        return page(request, "about.html")

    @app.get("/healthz")
    def healthz():
        return {"ok": True, "version": __version__}

    # Added last = outermost: the host/origin guard, then the body cap. The cap
    # leaves room for the multipart framing and form fields around the file.
    app.add_middleware(_Wrap, inner=BodyLimit, limit=max_upload_bytes + FORM_OVERHEAD_BYTES, render_too_large=render_too_large)
    app.add_middleware(_Wrap, inner=LocalGuard, allowed_hosts=allowed_hosts, secret=secret, render_error=render_error)
    return app


class _Wrap:
    """Adapter so pure-ASGI middlewares with keyword options fit add_middleware."""

    def __init__(self, app, inner, **kw):
        self.mw = inner(app, **kw)

    async def __call__(self, scope, receive, send):
        await self.mw(scope, receive, send)


# ---------------------------------------------------------------------------
# page helpers


def _module_available(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _safe(fn):
    try:
        return fn()
    except Exception:  # noqa: BLE001 - optional panels never break a page
        return None


def _clean_text(text: str, limit: int = 100) -> str:
    """Free text from a form, printable and short (condition notes)."""
    text = "".join(ch for ch in str(text or "") if unicodedata.category(ch)[0] != "C")
    return text.strip()[:limit]


def _visits_or_raise(st, subject: str):
    """A subject's visits; names no store could hold (control characters, over
    200 characters) are 'no such subject', not a database error."""
    if not subject or len(subject) > 200 or any(unicodedata.category(ch) == "Cc" for ch in subject):
        raise PorescopeError(f"no subject named {subject[:80]!r}; see the History page for the names.")
    return st.visits(subject)


def _subject_visits(st, subject: str):
    try:
        return st.visits(subject)
    except PorescopeError:
        return []


def _concern_choices() -> list[tuple[str, str]]:
    return [
        ("visible_pores", "Visible pores"), ("blackheads", "Blackheads"), ("oiliness", "Oiliness / shine"),
        ("texture", "Uneven texture"), ("firmness", "Loss of firmness"), ("sun_damage", "Sun damage"),
    ]


def _form_dict(form) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in form.keys():
        vals = form.getlist(k)
        out[k] = vals if len(vals) > 1 or k == "concerns" else vals[0]
    return out


def _split_list(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;\n]", text or "") if t.strip()]


def _profile_from_form(form) -> dict[str, Any]:
    """The profile dict the advice stage validates (its errors are one line)."""
    d: dict[str, Any] = {}
    age = str(form.get("age") or "").strip()
    if age:
        try:
            d["age"] = int(age)
        except ValueError:
            raise PorescopeError(f"age must be a whole number of years, got {age!r}.") from None
    for key in ("skin_type", "sun_exposure"):
        v = str(form.get(key) or "").strip()
        if v:
            d[key] = v
    sens = str(form.get("sensitive") or "")
    if sens in ("yes", "no"):
        d["sensitive"] = sens == "yes"
    d["concerns"] = [str(c) for c in form.getlist("concerns")] or ["visible_pores"]
    d["pregnant_or_breastfeeding"] = bool(form.get("pregnant"))
    d["allergies"] = _split_list(str(form.get("allergies") or ""))
    d["prescriptions"] = _split_list(str(form.get("prescriptions") or ""))
    products = []
    for i in range(1, 4):
        name = str(form.get(f"product{i}_name") or "").strip()
        ingr = str(form.get(f"product{i}_ingredients") or "").strip()
        if name or ingr:
            products.append({"name": name or f"product {i}", "ingredients": ingr})
    d["current_products"] = products
    return d


def _example_catalog():
    from importlib import resources

    from porescope.routine import load_catalog

    text = (resources.files("porescope") / "data" / "example_catalog.json").read_text(encoding="utf-8")
    return load_catalog(text, fmt="json")


def _visit_rows(visits):
    """The subject page's visit table rows. Built here rather than in Jinja:
    a 1,000-visit history renders in ~15 ms instead of ~60 ms."""
    from html import escape

    from markupsafe import Markup

    out = []
    last = len(visits) - 1
    for i, v in enumerate(visits):
        vid = int(v.id)
        when = v.taken_at.strftime("%Y-%m-%d %H:%M")
        if not v.measurable:
            when += ' <span class="pill blocking">not measurable</span>'
        if v.captures > 1:
            when += f' <span class="pill">{int(v.captures)} captures</span>'
        regions = " · ".join(f"{escape(g.name.replace('_', ' '))} <b>{_fmt_num(g.visibility_score, 0)}</b>" for g in v.regions)
        pores = _visit_pore_total(v.regions)
        cond = ", ".join(f"{escape(str(k))}: {escape(str(val))}" for k, val in v.condition.items())
        if v.lighting:
            cond += f" · {escape(v.lighting)}"
        out.append(
            f'<tr><td><input type="radio" name="a" value="{vid}"{" checked" if i == 0 else ""} aria-label="compare from visit {vid}"></td>'
            f'<td><input type="radio" name="b" value="{vid}"{" checked" if i == last else ""} aria-label="compare to visit {vid}"></td>'
            f'<td>{when}</td><td>{regions}</td><td class="num">{pores}</td><td class="small">{cond}</td>'
            f'<td><a href="/history/visit/{vid}/photo.jpg" target="_blank" rel="noopener">view</a></td></tr>'
        )
    return Markup("\n".join(out))


#: Metrics the subject page plots over time (all: lower = less visible pores).
TREND_METRICS = (("visibility_score", "Visibility score (0-100)"), ("density", "Pore density"), ("coverage_pct", "Coverage (%)"))
_TREND_COLOURS = ("#d9480f", "#1971c2", "#2b8a3e", "#862e9c", "#e67700", "#495057")


def _trend_svgs(visits) -> list[dict]:
    """Small inline SVG line plots, one per metric, one line per region (no JS library)."""
    if len(visits) < 2:
        return []
    times = [v.taken_at.timestamp() for v in visits]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1.0
    regions: list[str] = []
    for v in visits:
        for r in v.regions:
            if r.name not in regions:
                regions.append(r.name)
    w, h, pad = 520, 170, 34
    out = []
    for key, title in TREND_METRICS:
        series = {}
        for name in regions:
            pts = []
            for v, t in zip(visits, times):
                r = v.region(name)
                val = getattr(r, key, None) if r is not None else None
                if val is not None and math.isfinite(val) and (key == "visibility_score" or r.counts_meaningful):
                    pts.append((t, float(val)))
            if pts:
                series[name] = pts
        if not series:
            continue
        vals = [y for pts in series.values() for _, y in pts]
        lo, hi = min(vals), max(vals)
        if hi - lo < 1e-9:
            lo, hi = lo - 1, hi + 1
        unit = ""
        if key == "density":
            units = {r.density_unit for v in visits for r in v.regions}
            unit = " per cm²" if units == {"per_cm2"} else " per MP" if units == {"per_mpx"} else " (mixed units)"
        lines = []
        for i, (name, pts) in enumerate(series.items()):
            coords = [(pad + (t - t0) / span * (w - 2 * pad), h - pad - (y - lo) / (hi - lo) * (h - 2 * pad)) for t, y in pts]
            lines.append({"name": name, "colour": _TREND_COLOURS[i % len(_TREND_COLOURS)],
                          "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                          "dots": [{"x": round(x, 1), "y": round(y, 1), "v": v} for (x, y), (_, v) in zip(coords, pts)] if len(pts) <= 120 else []})
        out.append({"key": key, "title": title + unit, "w": w, "h": h, "pad": pad, "lo": lo, "hi": hi, "lines": lines,
                    "first": datetime.fromtimestamp(t0).strftime("%Y-%m-%d"), "last": datetime.fromtimestamp(t1).strftime("%Y-%m-%d")})
    return out
