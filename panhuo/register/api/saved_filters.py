"""API: a user's saved list filters, one per list and name (the lists are core/lists.py's)."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.lists import registry
from panhuo.core.models import SavedFilter
from panhuo.core.schemas import ERRORS, Id
from panhuo.core.services import saved_filter_delete, saved_filter_save
from panhuo.register.schemas import (
    SavedFilterFilters,
    SavedFilterIn,
    SavedFilterOut,
)

router = Router()


# --- Saved filters -------------------------------------------------------------------------------


def _own_filters(request: HttpRequest):
    return SavedFilter.objects.filter(owner=actor(request))


@router.get(
    "/saved-filters", response={200: list[SavedFilterOut], **ERRORS}, tags=["saved filters"]
)
@paginate(PagePagination)
def saved_filter_index(request: HttpRequest, filters: Query[SavedFilterFilters]):
    """Your saved filters, by list and name."""
    qs = _own_filters(request)
    if filters.target:
        qs = qs.filter(target=filters.target)
    return qs.order_by("target", "name", "pk")


@router.post(
    "/saved-filters",
    response={200: SavedFilterOut, 201: SavedFilterOut, **ERRORS},
    tags=["saved filters"],
)
def saved_filter_new(request: HttpRequest, payload: SavedFilterIn):
    """Keep a list's query under a name: 201 when new, 200 when it replaces yours of that name.
    Paging is dropped, so the filter opens on the first page."""
    declared = registry()[payload.target]
    require_any(request, declared.resource, declared.action)
    existed = (
        _own_filters(request).filter(target=payload.target, name=payload.name.strip()).exists()
    )
    item = saved_filter_save(
        actor=actor(request), target=payload.target, name=payload.name, query=payload.query
    )
    return Status(200 if existed else 201, item)


@router.delete("/saved-filters/{filter_id}", response={204: None, **ERRORS}, tags=["saved filters"])
def saved_filter_remove(request: HttpRequest, filter_id: Id):
    """Delete one of your saved filters; anyone else's answers 404."""
    saved_filter_delete(actor=actor(request), saved_filter=_own_filters(request).get(pk=filter_id))
    return Status(204, None)
