"""API: the asset register, its export and its encumbrances."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    page_size_for,
    referenced,
    require_any,
    visible_unit,
)
from panhuo.core.lists import XLSX_TYPE
from panhuo.core.read_cache import cached_json, statement
from panhuo.core.schemas import ERRORS, ErrorOut, Id
from panhuo.core.sql_json import page_json
from panhuo.integrity.schemas import AuditEntryOut
from panhuo.integrity.selectors import history_of
from panhuo.register import exporting, geo
from panhuo.register.api.asset_rows import asset_statement
from panhuo.register.schemas import (
    AssetFilters,
    AssetIn,
    AssetOut,
    AssetPatch,
    AssetPointsOut,
    EncumbranceIn,
    EncumbranceOut,
    ExportFilters,
)
from panhuo.register.selectors import asset_list, get_asset_for
from panhuo.register.services import (
    asset_create,
    asset_update,
    encumbrance_add,
    encumbrance_remove,
)

router = Router(tags=["assets"])


def _with_unit(request: HttpRequest, data: dict) -> dict:
    if data.get("unit") is not None:
        data["unit"] = referenced("unit", "unit", visible_unit, actor(request), data["unit"])
    return data


class PagedAssetOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AssetOut]


@router.get("/assets", response={200: PagedAssetOut, **ERRORS})
def asset_index(
    request: HttpRequest, filters: Query[AssetFilters], pagination: Query[PagePagination.Input]
):
    """The caller's assets: searched, filtered and sorted (``-field`` sorts descending)."""
    require_any(request, "asset", "view")

    def answer() -> HttpResponse:
        size = page_size_for(pagination.page_size)

        def compile_():
            queryset = asset_list(actor(request), **filters.selector_kwargs())
            return asset_statement(queryset, pagination.page, size)

        # Written by the database, field for field as PagedAssetOut would (a test holds them
        # equal), by a statement compiled once per caller, access and query (read_cache).
        body = page_json(statement(request, "asset-list", compile_), pagination.page, size)
        return HttpResponse(body, content_type="application/json; charset=utf-8")

    # The busiest read: the same page asked again before any write is answered from memory.
    return cached_json(request, "asset-list", answer)


@router.post("/assets", response={201: AssetOut, **ERRORS})
def asset_new(request: HttpRequest, payload: AssetIn):
    """Register an asset in a unit the caller may write to."""
    require_any(request, "asset", "create")
    data = _with_unit(request, payload.dict(exclude_unset=True))
    return Status(201, asset_create(actor=actor(request), data=data))


@router.get(
    "/assets/export",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, in the columns the import reads back unchanged.",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def asset_export(request: HttpRequest, filters: Query[ExportFilters]):
    """The filtered list as a file: CSV (streamed) or XLSX, in the import's own columns.

    Registered before ``/assets/{asset_id}`` so that ``export`` is not read as an id.
    """
    require_any(request, "asset", "view")
    params = filters.selector_kwargs()
    fmt = params.pop("format")
    return exporting.export_response(asset_list(actor(request), **params), fmt)


@router.get("/assets/geo", response={200: AssetPointsOut, **ERRORS})
def asset_points(request: HttpRequest, filters: Query[AssetFilters]):
    """The listed assets that have coordinates, as GeoJSON points (longitude, latitude, WGS 84)
    with code, name, status and page; the same filters as the list, at most
    ``limit`` points (``truncated`` says when there were more, ``count`` how many).

    Registered before ``/assets/{asset_id}`` so that ``geo`` is not read as an id.
    """
    require_any(request, "asset", "view")
    return geo.asset_points(asset_list(actor(request), **filters.selector_kwargs()))


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
    return history_of(get_asset_for(actor(request), asset_id))


# --- Encumbrances --------------------------------------------------------------------------------


@router.get(
    "/assets/{asset_id}/encumbrances",
    response={200: list[EncumbranceOut], **ERRORS},
    tags=["assets"],
)
@paginate(PagePagination)
def encumbrance_index(request: HttpRequest, asset_id: Id):
    """The charges on the asset (mortgages, pledges, seizures, lawsuits, leases)."""
    return get_asset_for(actor(request), asset_id).encumbrances.order_by("kind", "pk")


@router.post(
    "/assets/{asset_id}/encumbrances", response={201: EncumbranceOut, **ERRORS}, tags=["assets"]
)
def encumbrance_new(request: HttpRequest, asset_id: Id, payload: EncumbranceIn):
    """Record a charge on an asset (it then fails the scope rule 'unencumbered')."""
    require_any(request, "asset", "edit")
    asset = get_asset_for(actor(request), asset_id)
    item = encumbrance_add(actor=actor(request), asset=asset, data=payload.dict())
    return Status(201, item)


@router.delete(
    "/assets/{asset_id}/encumbrances/{encumbrance_id}",
    response={204: None, **ERRORS},
    tags=["assets"],
)
def encumbrance_delete(request: HttpRequest, asset_id: Id, encumbrance_id: Id):
    """Lift a charge; one that is not on this asset answers 404."""
    require_any(request, "asset", "edit")
    asset = get_asset_for(actor(request), asset_id)
    item = asset.encumbrances.select_related("asset__unit__jurisdiction").get(pk=encumbrance_id)
    encumbrance_remove(actor=actor(request), encumbrance=item)
    return Status(204, None)
