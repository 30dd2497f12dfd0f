"""A TestClient that talks to the local web app the way its own pages do."""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's httpx deprecation note
    from fastapi.testclient import TestClient

ORIGIN = "http://127.0.0.1"


class PageClient(TestClient):
    """A TestClient that acts like the app's own pages: it talks to 127.0.0.1
    (an allowed host), opened a page first (session cookie), and sends its
    origin and the session's CSRF token with every request."""

    def __init__(self, app, **kw):
        super().__init__(app, base_url=ORIGIN, **kw)

    def __enter__(self):
        super().__enter__()
        r = self.get("/about")
        token = re.search(r'<meta name="csrf-token" content="([0-9a-f]{64})">', r.text).group(1)
        self.headers.update({"origin": ORIGIN, "x-csrf-token": token})
        return self
