"""porescope: find, measure and track visible skin pores on your own machine."""

from porescope.results import SCHEMA_VERSION, Analysis

__version__ = "0.1.0"

__all__ = ["Analysis", "SCHEMA_VERSION", "__version__", "analyze"]


def analyze(image_or_path, *, roi=None, px_per_mm=None, mode="auto"):
    """Analyze one photo and return its :class:`Analysis` (see porescope.pipeline)."""
    from porescope.pipeline import analyze as _analyze

    return _analyze(image_or_path, roi=roi, px_per_mm=px_per_mm, mode=mode)
