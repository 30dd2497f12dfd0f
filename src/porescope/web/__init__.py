"""porescope's local web app (``porescope serve``).

>>> from porescope.web import create_app
>>> app = create_app()          # history store from $PORESCOPE_DB_URL or the default SQLite file

Layout: :mod:`~porescope.web.app` (the factory), :mod:`~porescope.web.routes`
(one router per page group), :mod:`~porescope.web.state` (shared state and its
dependency), :mod:`~porescope.web.security` (host, origin, CSRF),
:mod:`~porescope.web.uploads` (upload limits, header checks, decoding).
"""

from porescope.web.app import HEALTH_NOTE, MAX_UPLOAD_BYTES, create_app

__all__ = ["create_app", "MAX_UPLOAD_BYTES", "HEALTH_NOTE"]
