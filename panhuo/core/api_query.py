"""Unknown query parameters on a GET are refused (422 naming them), for every operation at once.

django-ninja reads the query parameters an operation declares and drops the rest without a
word, so ``/api/v1/debts?jurisdicton=3`` (a typo) answered every debt the caller may see, as if
no filter had been asked for. A newcomer's script then reports the wrong figures and nobody
notices. ``forbid_unknown_query(api)`` puts the check in one place for every GET operation:
the names an operation accepts are those of its query parameters (its filter schema, the
pagination's ``page`` and ``page_size``, any ``Query[...]`` argument), read from ninja's own
parsed signature, so a new list endpoint is covered without doing anything.

Two decorators, because the check belongs after authentication (an anonymous caller is told
401, not which names exist) and needs the operation (which only the "view" decorator sees):
the view decorator notes the operation's accepted names on the request, the operation decorator
(run after authentication and validation, before the view's own code) compares.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import ValidationError

_NAMES = "_panhuo_query_names"


def accepted_query_names(operation: Any) -> frozenset[str]:
    """The query parameter names ``operation`` declares (as the caller spells them)."""
    names: set[str] = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) == "query":
            names.update(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    return frozenset(names)


def unknown_query_errors(request: HttpRequest) -> list[dict[str, Any]]:
    """ninja-style errors, one per query parameter of this GET its operation does not declare
    (located at ``("query", name)``); none when the request is not a checked GET. Also read by
    the API's 422 handler, so a request that fails validation for another reason (a required
    parameter missing) names the unknown ones too."""
    accepted = getattr(request, _NAMES, None)
    if accepted is None or request.method != "GET":
        return []
    allowed = ", ".join(sorted(accepted)) or gettext("none")
    return [
        {
            "type": "extra_forbidden",
            "loc": ("query", name),
            "msg": gettext("Unknown query parameter “%(name)s”; this request accepts: %(allowed)s.")
            % {"name": name, "allowed": allowed},
        }
        for name in sorted(request.GET)
        if name not in accepted
    ]


def _note_names(run: Callable[..., Any]) -> Callable[..., Any]:
    operation = getattr(run, "__self__", None)
    if operation is None or "GET" not in getattr(operation, "methods", ()):
        return run
    names = accepted_query_names(operation)

    @functools.wraps(run)
    def noting(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        setattr(request, _NAMES, names)
        return run(request, *args, **kwargs)

    return noting


def _check_names(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def checking(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        errors = unknown_query_errors(request)
        if errors:
            raise ValidationError(errors)
        return view(request, *args, **kwargs)

    return checking


def forbid_unknown_query(api: NinjaAPI) -> None:
    """Make every GET operation of ``api`` answer 422 to a query parameter it does not declare.
    Call before the API's URLs are built (routers may be added before or after)."""
    api.add_decorator(_note_names, mode="view")
    api.add_decorator(_check_names, mode="operation")
