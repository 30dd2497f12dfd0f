"""Small pieces for the pure-ASGI middlewares (:mod:`porescope.web.security`, :mod:`porescope.web.uploads`)."""

from __future__ import annotations

#: Methods that change nothing: no origin check, no token, no body cap.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


async def send_response(send, status: int, body: bytes, ctype: bytes, extra=()) -> None:
    """Send a whole response from a middleware, before the app has answered.

    Parameters
    ----------
    send : callable
        The ASGI ``send`` channel.
    status : int
        HTTP status code.
    body : bytes
        The response body.
    ctype : bytes
        The ``Content-Type`` header value.
    extra : iterable of (bytes, bytes)
        More headers.
    """
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *extra]})
    await send({"type": "http.response.body", "body": body})


class Wrap:
    """Adapter so pure-ASGI middlewares with keyword options fit ``add_middleware``.

    Parameters
    ----------
    app : ASGI app
        The app inside.
    inner : type
        The middleware class, called as ``inner(app, **kw)``.
    **kw
        Its options.
    """

    def __init__(self, app, inner, **kw):
        self.mw = inner(app, **kw)

    async def __call__(self, scope, receive, send):
        await self.mw(scope, receive, send)
