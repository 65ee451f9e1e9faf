"""WSGI entry point for production servers (waitress, gunicorn). Token-authenticated API calls
go through the middleware that does something for them (``site/token_calls.py``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panhuo.settings")
application = get_wsgi_application()

from panhuo.site.token_calls import dispatching  # noqa: E402 (after Django is set up)

application = dispatching(application)
