"""The web app's shared state, kept on ``app.state.web`` and handed to routes by FastAPI dependencies.

>>> from porescope.web.state import Web     # a route's parameter: ``web: Web``
"""

from __future__ import annotations

import collections
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from porescope.errors import PorescopeError
from porescope.track import Store
from porescope.web.cache import PICTURES_MAX_BYTES, BytesCache, ResultCache

#: Photos decoded at once outside the analysis (quick checks, history views):
#: each holds at most one web-budget frame (24 MP = 72 MB RGB).
DECODE_SLOTS = 2


@dataclass
class Limits:
    """The sizes a :func:`porescope.web.create_app` call chose.

    Attributes
    ----------
    max_upload_bytes : int
        Upload size limit (413 above it).
    web_max_pixels : int
        Largest frame analyzed at full size.
    """

    max_upload_bytes: int
    web_max_pixels: int


@dataclass
class WebState:
    """Everything the routes share: caches, locks, worker threads and the history store.

    Parameters
    ----------
    templates : Jinja2Templates
        The page templates.
    limits : Limits
        Upload and pixel limits.
    results : ResultCache
        Analyses the viewer can show.
    store : porescope.track.Store, optional
        The history store; None: opened on first use with ``db_url`` and ``data_dir``.
    db_url, data_dir : optional
        Passed to :class:`porescope.track.Store` when ``store`` is None.
    """

    templates: Jinja2Templates
    limits: Limits
    results: ResultCache
    store: Store | None = None
    db_url: str | None = None
    data_dir: str | Path | None = None
    store_error: str | None = None
    pictures: BytesCache = field(default_factory=lambda: BytesCache(PICTURES_MAX_BYTES))
    #: Comparisons (their JSON) kept so the compare page answers at once the second time.
    comparisons: collections.OrderedDict[tuple, dict] = field(default_factory=collections.OrderedDict)
    #: One full decode + analysis at a time: memory, and 2-core machines.
    analyze_lock: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(1))
    #: Quick checks and history pictures.
    decode_slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(DECODE_SLOTS))
    #: Layer files, slider pictures (quick jobs).
    background: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="porescope-web-bg"))
    #: Noise of new visits (seconds each).
    slow_jobs: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="porescope-web-noise"))
    #: When the last photo arrived (``time.monotonic``), so background analyses wait for a quiet moment.
    last_upload: float = 0.0
    _store_lock: threading.Lock = field(default_factory=threading.Lock)

    def open_store(self) -> Store | None:
        """The history store, opened on first use.

        Returns
        -------
        porescope.track.Store or None
            None when it cannot be opened; :attr:`store_error` then says why.
        """
        if self.store is not None:
            return self.store
        with self._store_lock:
            if self.store is None:
                try:
                    self.store = Store(self.db_url, data_dir=self.data_dir)
                    self.store_error = None
                except PorescopeError as exc:
                    self.store_error = str(exc)
        return self.store

    def mark_upload(self) -> None:
        """Note that a photo just arrived."""
        self.last_upload = time.monotonic()

    def stop(self) -> None:
        """Drop queued background work (at server shutdown)."""
        for ex in (self.background, self.slow_jobs):
            ex.shutdown(wait=False, cancel_futures=True)

    def page(self, request: Request, name: str, status: int = 200, **ctx: Any):
        """A rendered page.

        Parameters
        ----------
        request : fastapi.Request
            The request (its CSRF token goes into the page's forms).
        name : str
            Template file name; its stem is the active menu entry unless ``active`` is given.
        status : int
            HTTP status.
        **ctx
            Template variables.
        """
        ctx.setdefault("active", name.split(".")[0])
        ctx.setdefault("csrf_token", getattr(request.state, "csrf_token", ""))
        return self.templates.TemplateResponse(request, name, ctx, status_code=status)

    def error_page(self, request: Request, status: int, title: str, message: str, **ctx: Any):
        """The error page.

        Parameters
        ----------
        request : fastapi.Request
            The request.
        status : int
            HTTP status.
        title, message : str
            What went wrong, and what to do.
        **ctx
            More template variables (``back``, ``active``).
        """
        return self.page(request, "error.html", status, title=title, message=message, **ctx)


def get_web(request: Request) -> WebState:
    """FastAPI dependency: the app's :class:`WebState`.

    Parameters
    ----------
    request : fastapi.Request
        The request.
    """
    return request.app.state.web


#: A route parameter that receives the app's :class:`WebState`.
Web = Annotated[WebState, Depends(get_web)]
