"""The web app's routers, one per page group (see :func:`porescope.web.app.create_app`)."""
