"""One list endpoint (the caller's rows of a resource, filtered, sorted and paged) and one
detail endpoint (one row the caller may see).

Every app's list API is the same four steps (the caller may view the resource somewhere, the
selector gives what they may see, the filters' own ``selector_kwargs`` narrow and sort it, the
one pagination pages it); ``list_endpoint`` writes them once, and ``detail_endpoint`` the two
of reading one row. The endpoint keeps the name and module of the app that declares it, so its
URL name and OpenAPI operation id are the app's.

No ``from __future__ import annotations`` here: django-ninja reads the endpoint's annotations
as objects.
"""

import inspect
import re
import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.schemas import ERRORS, Id


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

    _as_declared(endpoint, name or f"{resource}_index", doc)
    endpoint.__annotations__ = {"request": HttpRequest, "filters": Query[filters]}
    router.get(path, response={200: list[out], **(ERRORS if errors is None else errors)}, **route)(
        paginate(PagePagination)(endpoint)
    )
    return endpoint


def detail_endpoint(
    router: Router,
    path: str,
    out: type,
    resource: str,
    read: Callable[[Any, int], Any],
    *,
    name: str = "",
    action: str = "view",
    doc: str = "",
    errors: dict[int, type] | None = None,
    **route: Any,
) -> Callable[..., Any]:
    """Declare ``GET path`` (ending in the row's id, ``/flags/{flag_id}``) on ``router``,
    answering ``out``: ``read(user, id)`` for a caller who may ``action`` the ``resource`` in
    some jurisdiction (403 otherwise); a row they may not see is read's 404. The endpoint's
    name (its operation id) is ``<resource>_detail`` unless ``name`` says otherwise."""
    key = re.fullmatch(r".*/\{(\w+)\}", path)
    if key is None:
        raise ValueError(f"{path} does not end in the row's id")

    def endpoint(request: HttpRequest, **ids: int):
        require_any(request, resource, action)
        return read(actor(request), ids[key[1]])

    _as_declared(endpoint, name or f"{resource}_detail", doc)
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    endpoint.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", kind, annotation=HttpRequest),
        inspect.Parameter(key[1], kind, annotation=Id),
    ])  # fmt: skip
    router.get(path, response={200: out, **(ERRORS if errors is None else errors)}, **route)(
        endpoint
    )
    return endpoint


def _as_declared(endpoint: Callable[..., Any], name: str, doc: str) -> None:
    """Give ``endpoint`` the name, docstring and module of the app module that declares it
    (two frames up: the declaring module called ``list_endpoint`` or ``detail_endpoint``)."""
    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__module__ = sys._getframe(2).f_globals.get("__name__", __name__)
    endpoint.__doc__ = doc or None
