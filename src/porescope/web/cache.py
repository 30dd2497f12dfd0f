"""What the web app keeps in memory: analysis results for the viewer, and encoded pictures.

Nothing here is written to disk; all of it dies with the server.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from porescope.web import layers

log = logging.getLogger(__name__)

#: Analysis results kept in memory for the viewer, at most this many ...
RESULTS_KEPT = 3
#: ... and at most this many bytes (photo bytes, pore and region images, layer
#: files, records). A 12 MP result holds ~75 MB until its layers are drawn,
#: ~25 MB after; 300 MB keeps the 1.5 GB server budget with one analysis
#: running (base ~0.25 GB + analysis peak ~0.5-1 GB).
RESULTS_MAX_BYTES = 300 * 1024 * 1024
#: Pictures the compare view keeps ready (visit photos, aligned photos), bytes.
PICTURES_MAX_BYTES = 64 * 1024 * 1024
#: A result's id: 16 hex digits the server made (never a path).
RESULT_ID = re.compile(r"^[0-9a-f]{16}$")


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
        """A layer file, drawn on first request (and the big array it came from freed).

        Parameters
        ----------
        name : {"photo", "pores", "regions"}
            The layer.

        Returns
        -------
        bytes
            JPEG (photo) or palette PNG (pores, regions).
        """
        with self._lock:
            if name not in self._layers:
                if name == "photo":
                    self._layers[name] = self._photo_bytes()
                    self.rgb = None
                elif name == "pores":
                    faint = np.fromiter((not p.clear for p in self.analysis.pores), bool, len(self.analysis.pores))
                    self._layers[name] = layers.pore_layer_png(self.labels, self.dark, faint if len(faint) == len(self.dark) else None)
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
        """Memory the result holds, bytes (arrays, photo, layer files, ~1 kB per pore record)."""
        arrays = sum(a.nbytes for a in (self.rgb, self.labels, self.dark, self.region_labels) if a is not None)
        # ~1 kB per pore record (pydantic objects), measured on 12 MP results.
        return arrays + len(self.photo) + sum(len(b) for b in self._layers.values()) + 1024 * len(self.analysis.pores)

    def photo_is_upload(self) -> bool:
        """True when the photo layer is the uploaded file itself.

        An upright 8-bit JPEG analyzed at full size is sent as uploaded (no
        re-encode: ~0.2 s saved on 12 MP); anything else is re-encoded from
        the decoded, upright pixels.
        """
        src = self.analysis.source
        return ((src.format or "").upper() in ("JPEG", "MPO") and src.exif_orientation in (None, 1) and src.bit_depth == 8
                and self.reduced_note is None)

    def _photo_bytes(self) -> bytes:
        if self.photo_is_upload():
            return self.photo
        return layers.photo_jpeg(self.rgb)


class ResultCache:
    """The last few results, oldest dropped first, bounded in count and bytes. Thread-safe.

    Parameters
    ----------
    size : int
        Most results kept.
    max_bytes : int
        Most memory they may hold together (the newest result is kept whatever its size).
    """

    def __init__(self, size: int = RESULTS_KEPT, max_bytes: int = RESULTS_MAX_BYTES):
        self.size = size
        self.max_bytes = max_bytes
        self._d: collections.OrderedDict[str, Result] = collections.OrderedDict()
        self._lock = threading.Lock()

    def put(self, r: Result) -> None:
        """Keep a result; drop the oldest while over the count or byte budget (the newest always stays).

        Parameters
        ----------
        r : Result
            The new result.
        """
        with self._lock:
            self._d[r.id] = r
            self._trim()

    def _trim(self) -> None:
        while len(self._d) > self.size or (len(self._d) > 1 and self.nbytes() > self.max_bytes):
            self._d.popitem(last=False)

    def nbytes(self) -> int:
        """Memory the kept results hold, bytes."""
        return sum(r.nbytes() for r in list(self._d.values()))

    def __len__(self) -> int:
        return len(self._d)

    def get(self, rid: str) -> Result | None:
        """A kept result by id, or None (also for anything that is not a result id).

        Parameters
        ----------
        rid : str
            The id from the address.
        """
        if not RESULT_ID.match(rid or ""):
            return None
        with self._lock:
            r = self._d.get(rid)
            if r is not None:
                self._d.move_to_end(rid)
            return r


class BytesCache:
    """Small LRU of encoded pictures, bounded in bytes. Thread-safe.

    Parameters
    ----------
    max_bytes : int
        Most bytes of pictures kept (the newest is kept whatever its size).
    """

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._d: collections.OrderedDict[Any, tuple[bytes, dict]] = collections.OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}

    def keys(self) -> list:
        """The keys of the pictures kept, oldest first."""
        with self._lock:
            return list(self._d)

    def get_or_make(self, key, make):
        """The cached value for ``key``, else ``make()`` (once, even when asked concurrently).

        Parameters
        ----------
        key : hashable
            The cache key.
        make : callable
            Returns ``(bytes, headers)``; its bytes count against the budget.
        """
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
