"""Pages of the asset register: list (filters, saved filters, CSV and XLSX export), detail with
derived figures, encumbrances and history, create, edit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.errors import Conflict
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    fetch_or_404,
    form_post,
    section_required,
)
from panhuo.organisation import policy
from panhuo.register import exporting, geo, hooks
from panhuo.register.forms import (
    AssetEditForm,
    AssetFilterForm,
    AssetForm,
    EncumbranceForm,
    attribute_label,
)
from panhuo.register.models import Asset, AssetKind, AssetStatus
from panhuo.register.selectors import ASSET_ORDERINGS, asset_list, get_asset_for
from panhuo.register.services import (
    asset_create,
    asset_update,
    encumbrance_add,
    encumbrance_remove,
)


class AssetList(ObjectList):
    """The register: exports in the import's own columns, so an export reads back as is."""

    target, resource, filter_form = "assets", "asset", AssetFilterForm
    rows, orderings = asset_list, ASSET_ORDERINGS  # searches q itself (code, name, address)
    columns = [
        Column("code", _l("Code")),
        Column("name", _l("Name")),
        Column("kind", _l("Kind")),
        Column("status", _l("Status")),
        Column("criticality", _l("Criticality")),
        Column("unit", _l("Holding unit")),
        Column("area", _l("Area (m²)"), numeric=True),
        Column("book_value", _l("Book value"), numeric=True, money=True),
        Column("appraised_value", _l("Appraised"), numeric=True, money=True),
        Column("updated_at", _l("Last changed")),
    ]

    def extra_context(self, qs) -> dict:
        may_create = policy.can_any(self.user, "asset", "create")
        return {
            "total_book": qs.aggregate(s=Sum("book_value"))["s"],
            "can_create": may_create,
            "can_import": may_create,
        }

    def export_header(self) -> list[str]:
        return exporting.HEADERS

    def export(self, fmt: str):
        return exporting.export_response(self.query()[2], fmt)


asset_list_view = AssetList.as_view()
asset_export = AssetList.as_view(export="csv")
asset_export_xlsx = AssetList.as_view(export="xlsx")


def map_background() -> dict:
    """What the maps draw under the points: the deployment's tile server, or nothing (a plain
    background with a graticule)."""
    return {
        "map_tiles": settings.PANHUO.get("MAP_TILES", ""),
        "map_attribution": settings.PANHUO.get("MAP_ATTRIBUTION", ""),
    }


@section_required("asset")
def asset_map(request):
    """The asset list's filters, the located assets on a map (at most MAP_MAX_POINTS)."""
    form, _sort, qs = AssetList(request).query()
    points = geo.asset_points(qs)
    return render(
        request,
        "register/asset_map.html",
        {
            "filter_form": form,
            "list_url": reverse("asset-map"),
            "points": points,
            "shown": len(points["features"]),
            "unlocated": qs.count() - points["count"],
            "statuses": AssetStatus.choices,
            "list_query": request.GET.urlencode(),
            **map_background(),
        },
    )


def _asset_page(request, asset: Asset, *, encumbrance_form=None, status: int = 200):
    live_item = asset.package_items.filter(live=True).select_related("package").first()
    income_yield = asset.income_yield
    can_edit = _may_edit(request.user, asset)
    labels = dict(AssetKind.choices)
    return render(
        request,
        "register/asset_detail.html",
        {
            "asset": asset,
            "kind_label": labels.get(asset.kind, asset.kind),
            "attributes": [
                (attribute_label(key), value) for key, value in (asset.attributes or {}).items()
            ],
            "months_idle": asset.months_idle(),
            "yield_percent": None
            if income_yield is None
            else (income_yield * 100).quantize(Decimal("0.1")),
            "encumbrances": asset.encumbrances.all(),
            "debt_securities": _debt_securities(request.user, asset),
            "live_package": live_item.package if live_item else None,
            "can_edit": can_edit,
            "encumbrance_form": encumbrance_form or (EncumbranceForm() if can_edit else None),
            **map_background(),
        },
        status=status,
    )


def _debt_securities(user, asset: Asset) -> list[tuple]:
    """The debts this asset secures, each with whether the reader may open the debt (from
    finance, through ``register.hooks.asset_securities``)."""
    return [row for rows in hooks.asset_securities.call(user=user, asset=asset) for row in rows]


@section_required("asset")
def asset_detail(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    return _asset_page(request, asset)


def _may_edit(user, asset: Asset) -> bool:
    return policy.allowed(
        user, "asset", "edit", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )


@require_POST
@section_required("asset")
def encumbrance_add_view(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    form = EncumbranceForm(request.POST)
    if not form.is_valid() and not _may_edit(request.user, asset):
        # Bad input from someone who may not write at all is refused as such.
        raise PermissionDenied(_("You may not edit this asset."))
    return form_post(
        request, form,
        lambda _data: encumbrance_add(actor=request.user, asset=asset,
                                      data=form.data_for_service()),
        lambda i: _("Encumbrance recorded: %(what)s.") % {"what": str(i)}, to=asset,
        page=lambda form: _asset_page(request, asset, encumbrance_form=form),
    )  # fmt: skip


@require_POST
@section_required("asset")
def encumbrance_remove_view(request, pk, encumbrance_pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    item = asset.encumbrances.filter(pk=encumbrance_pk).first()
    if item is None:
        raise Http404(_("No such encumbrance on this asset."))
    encumbrance_remove(actor=request.user, encumbrance=item)
    messages.success(request, _("Encumbrance lifted: %(what)s.") % {"what": str(item)})
    return redirect(asset)


@section_required("asset")
def asset_create_view(request):
    # Refused before the form, whatever the method: a POST from a role that may not register
    # assets is a 403 like the GET, not a form with errors (authorization matrix).
    if not policy.can_any(request.user, "asset", "create"):
        raise PermissionDenied(_("Your roles do not allow registering assets."))
    form = AssetForm(request.POST or None, user=request.user, action="create")
    if request.method == "POST" and form.is_valid():
        try:
            asset = asset_create(actor=request.user, data=form.data_for_service())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Asset %(code)s registered.") % {"code": asset.code})
            return redirect(asset)
    return render(request, "register/asset_form.html", {"form": form, "asset": None})


@section_required("asset")
def asset_edit(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    # Refused before the form, whatever the method (a POST is not a form with errors).
    if not _may_edit(request.user, asset):
        raise PermissionDenied(_("You may not edit this asset."))
    if request.method != "POST":
        form = AssetEditForm(
            initial=AssetEditForm.initial_for(asset), user=request.user, action="edit"
        )
        return render(request, "register/asset_form.html", {"form": form, "asset": asset})
    form = AssetEditForm(request.POST, user=request.user, action="edit")
    status = 200
    if form.is_valid():
        try:
            asset = asset_update(
                actor=request.user,
                asset=asset,
                data=form.data_for_service(),
                version=form.cleaned_data["version"],
            )
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Asset %(code)s saved.") % {"code": asset.code})
            return redirect(asset)
    return render(
        request, "register/asset_form.html", {"form": form, "asset": asset}, status=status
    )
