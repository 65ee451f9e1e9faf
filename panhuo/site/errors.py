"""The 403 and 404 pages: the site's layout and menu, without the menu's to-do badges.

A refused or missing page is where a caller lands by mistake or by probing (the
authorization matrix sends thousands of such requests); counting their to-do items (several
statements, see ``todo.py``) for a page that only says no would cost more than the refusal
itself. The dashboard and every other page still show the badges.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.template import loader

#: Overrides the ``todo_context`` processor's lazy values, so they are never computed.
NO_TODO = {"todo": (), "badges": {}}


def forbidden(request, exception):
    """Django's ``permission_denied`` (the refusal's reason shown), without the badges."""
    context = {"exception": str(exception), **NO_TODO}
    return HttpResponseForbidden(loader.render_to_string("403.html", context, request))


def not_found(request, exception):
    """Django's ``page_not_found`` (its context: the path and the reason), without the badges."""
    args = getattr(exception, "args", ())
    reason = args[0] if args and isinstance(args[0], str) else exception.__class__.__name__
    context = {"request_path": quote(request.path), "exception": reason, **NO_TODO}
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))
