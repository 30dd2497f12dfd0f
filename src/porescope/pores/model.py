"""The learned pore-evidence model, when one ships in ``porescope/models``.

``load_default_model()`` returns None when no model file is present: the
detector then uses the classical darkness-in-noise-units evidence.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def load_default_model():
    """The shipped model, or None (classical detector)."""
    return None
