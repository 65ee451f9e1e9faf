"""One list endpoint: the caller's rows of a resource, filtered, sorted and paged.

Every app's list API is the same four steps (the caller may view the resource somewhere, the
selector gives what they may see, the filters' own ``selector_kwargs`` narrow and sort it, the
one pagination pages it); ``list_endpoint`` writes them once. The endpoint keeps the name and
module of the app that declares it, so its URL name and OpenAPI operation id are the app's.

No ``from __future__ import annotations`` here: django-ninja reads the endpoint's annotations
as objects.
"""

import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.schemas import ERRORS


def list_endpoint(
    router: Router,
    path: str,
    out: type,
    filters: type,
    resource: str,
    rows: Callable[..., Any],
    *,
    name: str = "",
    action: str = "view",
    doc: str = "",
    errors: dict[int, type] | None = None,
    **route: Any,
) -> Callable[..., Any]:
    """Declare ``GET path`` on ``router``, answering pages of ``out``: ``rows(user,
    **filters.selector_kwargs())`` for a caller who may ``action`` the ``resource`` in some
    jurisdiction (403 otherwise). Read as a route: ``list_endpoint(router, "/debts", DebtOut,
    DebtFilters, "debt", debt_list, tags=["debts"])``. The endpoint's name (its operation id)
    is ``<resource>_index`` unless ``name`` says otherwise."""

    def endpoint(request: HttpRequest, filters: Query[filters]):  # type: ignore[valid-type]
        require_any(request, resource, action)
        return rows(actor(request), **filters.selector_kwargs())

    caller = sys._getframe(1).f_globals.get("__name__", __name__)
    endpoint.__name__ = endpoint.__qualname__ = name or f"{resource}_index"
    endpoint.__module__ = caller
    endpoint.__doc__ = doc or None
    endpoint.__annotations__ = {"request": HttpRequest, "filters": Query[filters]}
    router.get(path, response={200: list[out], **(ERRORS if errors is None else errors)}, **route)(
        paginate(PagePagination)(endpoint)
    )
    return endpoint
