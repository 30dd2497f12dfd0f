"""porescope: find, measure and track visible skin pores on your own machine."""

from porescope._version import __version__

__all__ = ["Analysis", "SCHEMA_VERSION", "__version__", "analyze"]


def __getattr__(name: str):
    # The result schema (pydantic) costs ~0.2 s to import: load it only when asked for,
    # so `porescope --help` and the advice commands start fast.
    if name in ("Analysis", "SCHEMA_VERSION"):
        from porescope import results

        return getattr(results, name)
    raise AttributeError(f"module 'porescope' has no attribute {name!r}")


def analyze(image_or_path, *, roi=None, px_per_mm=None, mode="auto"):
    """Analyze one photo and return its :class:`Analysis` (see porescope.measure.pipeline)."""
    from porescope.measure.pipeline import analyze as _analyze

    return _analyze(image_or_path, roi=roi, px_per_mm=px_per_mm, mode=mode)
