"""Pages of the asset register: list (with CSV export), detail with history, create, edit."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict
from panhuo.core.ui import (
    add_service_errors,
    csv_response,
    describe_history,
    fetch_or_404,
    ordering_from,
    paginate,
    section_required,
)
from panhuo.integrity.selectors import history_of
from panhuo.organisation import policy
from panhuo.register.forms import AssetEditForm, AssetFilterForm, AssetForm
from panhuo.register.models import Asset
from panhuo.register.selectors import ASSET_ORDERINGS, asset_list, get_asset_for
from panhuo.register.services import asset_create, asset_update


def _filtered(request):
    form = AssetFilterForm(request.GET or None, user=request.user)
    sort = ordering_from(request, ASSET_ORDERINGS, "code")
    qs = asset_list(request.user, ordering=sort, **(form.filters() if form.is_bound else {}))
    return form, sort, qs


@section_required("asset")
def asset_list_view(request):
    form, sort, qs = _filtered(request)
    return render(
        request,
        "register/asset_list.html",
        {
            "filter_form": form,
            "sort": sort,
            "page": paginate(request, qs),
            "total_book": qs.aggregate(s=Sum("book_value"))["s"],
            "can_create": policy.can_any(request.user, "asset", "create"),
        },
    )


@section_required("asset")
def asset_export(request):
    """The filtered list as CSV, streamed, amounts in yuan exactly as stored."""
    _form, _sort, qs = _filtered(request)
    header = [
        _("Asset code"),
        _("Name"),
        _("Kind"),
        _("Status"),
        _("Criticality"),
        _("Unit code"),
        _("Holding unit"),
        _("Address"),
        _("Latitude"),
        _("Longitude"),
        _("Area (m²)"),
        _("Book value (yuan)"),
        _("Appraised value (yuan)"),
        _("Last changed"),
    ]
    rows = (
        [
            a.code,
            a.name,
            a.get_kind_display(),
            a.get_status_display(),
            a.get_criticality_display(),
            a.unit.code,
            a.unit.name,
            a.address,
            a.latitude,
            a.longitude,
            a.area,
            a.book_value,
            a.appraised_value,
            timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for a in qs.iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return csv_response(f"assets-{stamp}.csv", header, rows)


@section_required("asset")
def asset_detail(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    live_item = asset.package_items.filter(live=True).select_related("package").first()
    income_yield = asset.income_yield
    return render(
        request,
        "register/asset_detail.html",
        {
            "asset": asset,
            "months_idle": asset.months_idle(),
            "yield_percent": None
            if income_yield is None
            else (income_yield * 100).quantize(Decimal("0.1")),
            "encumbrances": asset.encumbrances.all(),
            "live_package": live_item.package if live_item else None,
            "history": describe_history(Asset, history_of(asset)[:200]),
            "can_edit": _may_edit(request.user, asset),
        },
    )


def _may_edit(user, asset: Asset) -> bool:
    return policy.allowed(
        user, "asset", "edit", jurisdiction=asset.unit.jurisdiction, units=[asset.unit_id]
    )


@section_required("asset")
def asset_create_view(request):
    if request.method != "POST" and not policy.can_any(request.user, "asset", "create"):
        raise PermissionDenied(_("Your roles do not allow registering assets."))
    form = AssetForm(request.POST or None, user=request.user, action="create")
    if request.method == "POST" and form.is_valid():
        try:
            asset = asset_create(actor=request.user, data=form.data_for_service())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Asset %(code)s registered.") % {"code": asset.code})
            return redirect(asset)
    return render(request, "register/asset_form.html", {"form": form, "asset": None})


@section_required("asset")
def asset_edit(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    if request.method != "POST":
        if not _may_edit(request.user, asset):
            raise PermissionDenied(_("You may not edit this asset."))
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
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Asset %(code)s saved.") % {"code": asset.code})
            return redirect(asset)
    return render(
        request, "register/asset_form.html", {"form": form, "asset": asset}, status=status
    )
