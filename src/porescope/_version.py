"""porescope's version, in a module of its own: any part (``measure/`` included) reads it without
importing the top-level package; pyproject.toml's dynamic version points here."""

__version__ = "0.1.0"
