"""API: the asset register."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    require_any,
    visible_unit,
)
from panhuo.core.schemas import ErrorOut, Id
from panhuo.integrity.schemas import AuditEntryOut
from panhuo.integrity.selectors import history_of
from panhuo.register.schemas import AssetFilters, AssetIn, AssetOut, AssetPatch
from panhuo.register.selectors import asset_list, get_asset_for
from panhuo.register.services import asset_create, asset_update

router = Router(tags=["assets"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _with_unit(request: HttpRequest, data: dict) -> dict:
    if data.get("unit") is not None:
        data["unit"] = referenced("unit", "unit", visible_unit, actor(request), data["unit"])
    return data


@router.get("/assets", response={200: list[AssetOut], **ERRORS})
@paginate(PagePagination)
def asset_index(request: HttpRequest, filters: Query[AssetFilters]):
    """The caller's assets: searched, filtered and sorted (``-field`` sorts descending)."""
    require_any(request, "asset", "view")
    return asset_list(actor(request), **filters.dict()).select_related("classification")


@router.post("/assets", response={201: AssetOut, **ERRORS})
def asset_new(request: HttpRequest, payload: AssetIn):
    """Register an asset in a unit the caller may write to."""
    require_any(request, "asset", "create")
    data = _with_unit(request, payload.dict(exclude_unset=True))
    return Status(201, asset_create(actor=actor(request), data=data))


@router.get("/assets/{asset_id}", response={200: AssetOut, **ERRORS})
def asset_detail(request: HttpRequest, asset_id: Id):
    return get_asset_for(actor(request), asset_id)


@router.patch("/assets/{asset_id}", response={200: AssetOut, 409: ErrorOut, **ERRORS})
def asset_change(request: HttpRequest, asset_id: Id, payload: AssetPatch):
    """Change the fields sent. With ``version``, a change made meanwhile answers 409."""
    require_any(request, "asset", "edit")
    asset = get_asset_for(actor(request), asset_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    data = _with_unit(request, data)
    return asset_update(actor=actor(request), asset=asset, data=data, version=version)


@router.get("/assets/{asset_id}/history", response={200: list[AuditEntryOut], **ERRORS})
@paginate(PagePagination)
def asset_history(request: HttpRequest, asset_id: Id):
    """Every recorded change to the asset, newest first."""
    return history_of(get_asset_for(actor(request), asset_id)).order_by("-seq")
