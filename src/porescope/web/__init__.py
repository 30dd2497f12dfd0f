"""porescope's local web app (``porescope serve``).

>>> from porescope.web import create_app
>>> app = create_app()          # history store from $PORESCOPE_DB_URL or the default SQLite file
"""

from porescope.web.app import HEALTH_NOTE, MAX_UPLOAD_BYTES, create_app

__all__ = ["create_app", "MAX_UPLOAD_BYTES", "HEALTH_NOTE"]
