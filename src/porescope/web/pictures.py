"""History pictures for the compare view, and the background jobs that prepare them.

Every path here is one the history store made (photos are named by their
hash), never one from a request.
"""

from __future__ import annotations

import logging
import time

import cv2

from porescope.measure.register import align, warp_to
from porescope.web import layers, uploads
from porescope.web.forms import visits_or_raise
from porescope.web.state import WebState

log = logging.getLogger(__name__)

#: Longest side of history photos in the compare view (the slider compares
#: looks; the numbers come from the full-resolution analyses).
COMPARE_MAX_SIDE_PX = 2000
#: A new visit's measurement noise (three re-analyses of its photo, for the
#: comparison's intervals) is measured in the background once no photo has
#: been sent for this long.
NOISE_AFTER_IDLE_S = 3.0
#: How often the noise job looks whether the server is quiet, seconds.
IDLE_POLL_S = 0.5
#: Browser cache lifetime of history pictures, seconds.
PICTURE_MAX_AGE_S = 3600


def safe(fn):
    """``fn()``, or None when it raises: for background work that prepares pictures ahead of a request
    (the request itself does the work again and reports its error).

    Parameters
    ----------
    fn : callable
        Takes no arguments.
    """
    try:
        return fn()
    except Exception:  # noqa: BLE001 - the request that needs the picture makes it again and says what failed
        log.info("preparing a picture in the background failed", exc_info=True)
        return None


def visit_picture(web: WebState, store, visit_id: int, max_side: int) -> bytes:
    """A visit's photo as JPEG at up to ``max_side`` px (cached).

    Parameters
    ----------
    web : WebState
        The app's state (picture cache, decode slots).
    store : porescope.track.Store
        The history store.
    visit_id : int
        The visit.
    max_side : int
        Longest side, px.

    Raises
    ------
    PorescopeError
        No such visit, or its photo cannot be read.
    """
    path = store.photo_path(int(visit_id))

    def make():
        with web.decode_slots:
            rgb = uploads.decode_display(path, max_side)
        return layers.photo_jpeg(rgb), {}

    return web.pictures.get_or_make(("visit", str(path), max_side), make)[0]


def _aligned(web: WebState, pa, pb) -> tuple[bytes, dict]:
    with web.decode_slots:
        ra = uploads.decode_display(pa, COMPARE_MAX_SIDE_PX)
        rb = uploads.decode_display(pb, COMPARE_MAX_SIDE_PX)
    headers = {"Cache-Control": f"private, max-age={PICTURE_MAX_AGE_S}"}
    try:
        al = align(rb, ra)
        if al.ok:
            warped, _ = warp_to(rb, al, ra.shape[:2])
            headers["X-Porescope-Alignment"] = al.method
            return layers.photo_jpeg(warped), headers
        headers["X-Porescope-Alignment"] = al.method[:200]
    except Exception as exc:  # noqa: BLE001 - alignment is a nicety here; show the photo as taken
        log.info("alignment for the slider failed: %s", exc)
        headers["X-Porescope-Alignment"] = "none"
    resized = cv2.resize(rb, (ra.shape[1], ra.shape[0]), interpolation=cv2.INTER_AREA)
    return layers.photo_jpeg(resized), headers


def aligned_picture(web: WebState, store, a: int, b: int) -> tuple[bytes, dict]:
    """Visit b's photo registered onto visit a's frame at the slider's size (cached).

    Decoded reduced and aligned on a reduced texture; when alignment fails the
    photo is shown as taken, resized to a's frame.

    Parameters
    ----------
    web : WebState
        The app's state.
    store : porescope.track.Store
        The history store.
    a, b : int
        The visits (a: the frame; b: the photo moved onto it).

    Returns
    -------
    (bytes, dict)
        The JPEG, and response headers (``X-Porescope-Alignment`` says how it was aligned).
    """
    pa, pb = store.photo_path(a), store.photo_path(b)  # named by the photos' hashes: the cache key follows the pixels
    return web.pictures.get_or_make(("aligned", str(pa), str(pb)), lambda: _aligned(web, pa, pb))


def noise_later(web: WebState, store, visit_id: int) -> None:
    """Measure a new visit's noise in the background (under the analysis lock),
    so its first comparison does not wait for it.

    Parameters
    ----------
    web : WebState
        The app's state.
    store : porescope.track.Store
        The history store.
    visit_id : int
        The new visit.
    """
    def job():
        try:
            # Start when no photo has been sent for a while, so a person's next
            # upload does not queue behind seconds of background analyses.
            while time.monotonic() - web.last_upload < NOISE_AFTER_IDLE_S:
                time.sleep(IDLE_POLL_S)
            with web.analyze_lock:
                store.noise(visit_id)
        except Exception:  # noqa: BLE001 - the comparison computes it again if this failed
            log.info("background noise for visit %s failed", visit_id, exc_info=True)
    web.slow_jobs.submit(job)


def slider_pictures_later(web: WebState, store, subject: str, visit_id: int) -> None:
    """Prepare the compare view's pictures for the pairs a person opens next.

    First and previous visit vs. this one: ~0.5 s each, in the background, so
    the compare page shows its photos at once.

    Parameters
    ----------
    web : WebState
        The app's state.
    store : porescope.track.Store
        The history store.
    subject : str
        The visit's subject.
    visit_id : int
        The new visit.
    """
    def job():
        visits = safe(lambda: visits_or_raise(store, subject)) or []
        others = {v.id for v in (visits[:1] + visits[-2:-1]) if v.id != visit_id}
        if not others:
            return
        safe(lambda: visit_picture(web, store, visit_id, COMPARE_MAX_SIDE_PX))
        for a in sorted(others):
            safe(lambda a=a: visit_picture(web, store, a, COMPARE_MAX_SIDE_PX))
            safe(lambda a=a: aligned_picture(web, store, a, visit_id))
    web.background.submit(job)
