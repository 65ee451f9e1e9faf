"""Tools every app's API router shares: the one pagination, the permission gate, references.

The routers themselves live in each app's ``api.py``; ``panhuo/api.py`` assembles them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Schema
from ninja.pagination import PaginationBase
from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from panhuo.core.schemas import MAX_ID
from panhuo.organisation import policy


class PagePagination(PaginationBase):
    """``page`` / ``page_size`` in, ``{count, page, page_size, results}`` out.

    The page size defaults to ``PANHUO["PAGE_SIZE"]`` and is clamped to
    ``PANHUO["MAX_PAGE_SIZE"]``; the answer says which size was used. A page past the end is
    an empty page, whatever its number, and is never sent to the database as an offset.
    """

    class Input(Schema):
        page: int = Field(1, ge=1, description="Page number, from 1.")
        page_size: int | None = Field(
            None,
            ge=1,
            description="Rows per page (default 50, at most the configured maximum, 500).",
        )

    class Output(Schema):
        count: int
        page: int
        page_size: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count, size, window = page_window(queryset, pagination.page, pagination.page_size)
        results = list(window) if window is not None else []
        return {"count": count, "page": pagination.page, "page_size": size, "results": results}


def page_size_for(asked: int | None) -> int:
    """The page size used: the one asked for, else the default, at most the maximum."""
    conf = settings.PANHUO
    return min(asked or conf["PAGE_SIZE"], conf["MAX_PAGE_SIZE"])


def page_window(
    queryset: QuerySet | list, page: int, page_size: int | None
) -> tuple[int, int, QuerySet | list | None]:
    """The count, the page size used and the page's slice of ``queryset`` (None past the end).

    ``queryset`` may also be a list (lists computed in Python, such as a scope proposal).

    Shared by :class:`PagePagination` and the list endpoints that serialise rows themselves,
    so that both page the same way.
    """
    size = page_size_for(page_size)
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    offset = (page - 1) * size
    return count, size, (queryset[offset : offset + size] if offset < count else None)


def actor(request: HttpRequest):
    """The authenticated caller (from the session or from an API token)."""
    return request.auth


def require_any(request: HttpRequest, resource: str, action: str) -> None:
    """Refuse (403) callers who hold no role for the action anywhere.

    Scope is checked afterwards, per object, by the selectors (404) and services (403).
    """
    if not policy.can_any(actor(request), resource, action):
        raise policy.NotPermitted(policy.refusal(resource, action, one=False))


class ReferenceMissing(ObjectDoesNotExist):
    """A referenced id in the request body that the caller cannot see; names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def referenced[T](field: str, label: str, getter: Callable[[Any, Any], T], user, pk) -> T:
    """Fetch a record named in the body with a ``get_*_for`` helper, or raise naming the field.

    Unknown and invisible look the same, as everywhere: 404, with the field named.
    """
    try:
        return getter(user, pk)
    except ObjectDoesNotExist:
        # The label is an English noun of the catalogue ("asset", "debt" …): translated too.
        message = gettext("Unknown %(what)s %(id)s.") % {"what": gettext(label), "id": pk}
        raise ReferenceMissing(field, message) from None


def visible_jurisdiction(user, pk):
    """A jurisdiction the caller may see (for ids named in a request body)."""
    return policy.jurisdictions_for(user, "organisation", "view").get(pk=pk)


def referenced_jurisdiction(user, pk, getter: Callable[[Any, Any], Any] = visible_jurisdiction):
    """The jurisdiction a request names in its ``jurisdiction`` field (one the caller may see,
    or that ``getter`` finds for them), or the 404 naming the field."""
    return referenced("jurisdiction", "jurisdiction", getter, user, pk)


def selector_filters(user, filters, *, texts: tuple[str, ...] = ()) -> dict:
    """A list endpoint's query filters as its selector takes them: a jurisdiction named is
    resolved (one the caller may see, else the 404 naming the field), and the ``texts`` given
    as None become blank."""
    data = filters.selector_kwargs()
    if data.get("jurisdiction") is not None:
        data["jurisdiction"] = referenced_jurisdiction(user, data["jurisdiction"])
    for key in texts:
        data[key] = data[key] or ""
    return data


def visible_unit(user, pk):
    """A holding unit the caller may see (for ids named in a request body)."""
    return policy.units_for(user, "organisation", "view").get(pk=pk)


#: The longest unit code (organisation.Unit.code).
UNIT_CODE_MAX = 32


def unit_id_from_key(user, key: str, resource: str = "asset") -> int:
    """The id a unit filter's code names, among the units where ``user`` may view ``resource``
    (an unknown code and the code of a unit they may not see are the same error, so codes do
    not leak). Raises ValueError naming the code."""
    text = key.strip()
    found = []
    # A code is at most 32 characters and never holds NUL (PostgreSQL refuses the query).
    if len(text) <= UNIT_CODE_MAX and "\x00" not in text:
        visible = policy.units_for(user, resource, "view")
        found = list(visible.filter(code=text).values_list("pk", flat=True)[:1])
    if not found:
        raise ValueError(
            gettext("No holding unit you may see has the code “%(code)s”.") % {"code": text}
        )
    return found[0]


def _unit_filter(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str) or value.strip().isdigit():
        return value  # an id: the int validation (1..MAX_ID) follows
    request = (info.context or {}).get("request")
    return unit_id_from_key(getattr(request, "auth", None), value)


#: A ``unit`` query filter: the unit's id or its code (``?unit=U1`` like ``?unit=7``); the
#: selectors receive the id. A code no unit the caller may see carries is a 422 naming it; a
#: code made of digits only is read as an id.
UnitFilter = Annotated[
    int,
    BeforeValidator(_unit_filter),
    Field(ge=1, le=MAX_ID),
    WithJsonSchema(
        {
            "anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "maxLength": 32}],
            "description": "The holding unit: its id, or its code (digits only are an id).",
        }
    ),
]
