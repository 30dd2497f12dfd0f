"""Errors a user can act on. Shells print ``str(err)`` as one line and exit 2."""


class PorescopeError(Exception):
    """Bad input or a request porescope cannot honour; the message says what to do."""

    exit_code = 2


class ImageError(PorescopeError):
    """The photo cannot be read or is unsuitable."""
