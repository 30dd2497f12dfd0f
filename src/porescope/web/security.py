"""The web app's guards: host allow-list, same-origin check, session cookie and CSRF token.

- the ``Host`` header must be exactly one of the allowed names (guards against
  DNS rebinding);
- every state-changing request (any method but GET/HEAD/OPTIONS) must come
  from this server's own origin (``Origin``, else ``Referer``; ``Origin: null``
  and neither are refused). Another port of the same host is another origin;
- and it must carry the session's CSRF token (form field ``csrf_token`` or
  header ``X-CSRF-Token``), an HMAC of a random session id kept in a
  ``SameSite=Strict``, ``HttpOnly`` cookie (:func:`csrf_guard`).

:class:`LocalGuard` also adds the security headers every response carries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from porescope.web.asgi import SAFE_METHODS, send_response

log = logging.getLogger(__name__)

#: Host names a loopback-bound server answers to (exact names; the port may be any).
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: The session cookie (a random id) and where the CSRF token derived from it travels.
SESSION_COOKIE = "porescope_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
#: A Host header: a name or bracketed IPv6 address, an optional port; nothing else.
HOST = re.compile(r"^(?P<name>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::(?P<port>[0-9]{1,5}))?$")
#: What a refused cross-site request is told.
ORIGIN_REFUSED = ("this request did not come from a porescope page on this server, so it was refused; "
                  "open porescope yourself and try again.")
CSRF_REFUSED = ("this form has expired or did not come from a porescope page (missing security token); "
                "reload the page and try again.")


class CsrfRefused(Exception):
    """A state-changing request without this session's token."""


def host_name(host: str) -> str | None:
    """The name part of a ``Host`` header.

    Parameters
    ----------
    host : str
        The header as sent.

    Returns
    -------
    str or None
        Lower case, IPv6 without brackets; None when the header is not a plain
        ``name[:port]`` (userinfo, paths, spaces and the like are refused, not parsed around).
    """
    m = HOST.match(host or "")
    if not m or (m["port"] is not None and not 0 < int(m["port"]) < 65536):
        return None
    return m["name"].strip("[]").lower().rstrip(".")


def csrf_token(secret: bytes, session_id: str) -> str:
    """The CSRF token of a session.

    Parameters
    ----------
    secret : bytes
        The server's secret (new each run).
    session_id : str
        The session cookie's value.

    Returns
    -------
    str
        HMAC-SHA256 of the id under the secret, hex: a cookie planted by
        another page cannot come with a matching token.
    """
    return hmac.new(secret, session_id.encode(), hashlib.sha256).hexdigest()


def same_token(sent: str, expected: str) -> bool:
    """Constant-time comparison that takes any text (``compare_digest`` refuses non-ASCII str).

    Parameters
    ----------
    sent, expected : str
        The token the request carried and the session's token.

    Returns
    -------
    bool
        True when they are equal.
    """
    return hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), expected.encode())


def cookie(header: str, name: str) -> str | None:
    """One cookie's value from a ``Cookie`` header, or None when absent.

    Parameters
    ----------
    header : str
        The ``Cookie`` header's text.
    name : str
        The cookie's name.
    """
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return None


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL in lower case, or None when it has no scheme or host.

    Parameters
    ----------
    url : str
        A ``Referer`` header, for example.
    """
    try:
        u = urlsplit(url)
    except ValueError:
        return None
    if not u.scheme or not u.netloc:
        return None
    return f"{u.scheme}://{u.netloc}".lower()


async def csrf_guard(request: Request) -> None:
    """FastAPI dependency: every state-changing request carries this session's token.

    The origin was already checked by :class:`LocalGuard` before the body was
    read; this reads the form only when the token did not come as a header.

    Parameters
    ----------
    request : fastapi.Request
        The request.

    Raises
    ------
    CsrfRefused
        The token is missing or wrong (answered 403 by the app).
    """
    if request.method in SAFE_METHODS or getattr(request.state, "csrf_header_ok", False):
        return
    expected = getattr(request.state, "csrf_token", None)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    has_session = cookie(request.headers.get("cookie", ""), SESSION_COOKIE) is not None
    if not (expected and has_session and isinstance(sent, str) and same_token(sent, expected)):
        raise CsrfRefused()


class LocalGuard:
    """Pure-ASGI middleware: exact Host check against DNS rebinding, same-origin
    check and session cookie against cross-site requests, and the security
    headers every response carries.

    Parameters
    ----------
    app : ASGI app
        The app it guards.
    allowed_hosts : tuple of str, or None
        Exact host names allowed (any port); None = any well-formed name.
    secret : bytes
        The server's secret for CSRF tokens.
    render_error : callable, optional
        ``render_error(title, message) -> str``: the HTML page for a refusal.
    """

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
            return await send_response(send, status, json.dumps({"error": msg}).encode(), b"application/json")
        if self.render_error is not None:
            return await send_response(send, status, self.render_error(title, msg).encode(), b"text/html; charset=utf-8")
        return await send_response(send, status, f"error: {msg}".encode(), b"text/plain; charset=utf-8")

    def _headers(self, new_sid: str | None) -> list[tuple[bytes, bytes]]:
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
        return extra

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        host = headers.get("host", "")
        name = host_name(host)
        if name is None or (self.allowed is not None and name not in self.allowed):
            body = b"error: this porescope server only answers to localhost / 127.0.0.1."
            return await send_response(send, 400, body, b"text/plain; charset=utf-8")
        sid = cookie(headers.get("cookie", ""), SESSION_COOKIE)
        new_sid = None
        if sid is None or not SESSION_ID.match(sid):
            sid = new_sid = secrets.token_urlsafe(32)
        token = csrf_token(self.secret, sid)
        state = scope.setdefault("state", {})
        state["csrf_token"] = token
        state["csrf_header_ok"] = False
        if scope["method"] not in SAFE_METHODS:
            own = f"{scope.get('scheme', 'http')}://{host}".lower()
            origin = headers.get("origin")
            came_from = origin if origin is not None else origin_of(headers.get("referer", ""))
            if came_from != own:
                log.info("refused %s %s from origin %r", scope["method"], scope.get("path"), came_from)
                return await self._refuse(scope, send, 403, "Request refused", ORIGIN_REFUSED)
            sent = headers.get(CSRF_HEADER)
            state["csrf_header_ok"] = sent is not None and new_sid is None and same_token(sent, token)
        extra = self._headers(new_sid)

        async def send_with_headers(msg):
            if msg["type"] == "http.response.start":
                msg = dict(msg)
                msg["headers"] = list(msg.get("headers") or []) + extra
            await send(msg)

        await self.app(scope, receive, send_with_headers)
