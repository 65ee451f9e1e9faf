"""Monitor pages: a jurisdiction's roll-up with alerts and charts, the list of figures with a
form to set one, thresholds, and the file import. Thin: selectors read, services write."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList, xlsx_response
from panhuo.core.money import format_money, in_display_unit
from panhuo.core.ui import (
    csv_response,
    form_post,
    place_setting_post,
    section_required,
)
from panhuo.monitor import figures
from panhuo.monitor.forms import (
    MonitorFilterForm,
    RevenueFilterForm,
    RevenueImportForm,
    RevenueSetForm,
    ThresholdsForm,
)
from panhuo.monitor.importing import revenue_import
from panhuo.monitor.models import RevenueCategory
from panhuo.monitor.selectors import (
    REVENUE_ORDERINGS,
    alert_text,
    monitor_summary,
    revenue_list,
    thresholds_for,
    years_with_data,
)
from panhuo.monitor.services import revenue_set, thresholds_set
from panhuo.organisation import policy
from panhuo.register.importing.readers import FileRejected

BUDGET_CSS = {figures.TAX: "tax", figures.NON_TAX: "non-tax", figures.FUND: "fund"}


def _point(key: str, label: str, amount: Decimal, css: str) -> dict:
    return {
        "key": key,
        "label": label,
        "value": str(in_display_unit(amount)),
        "display": format_money(amount),
        "css": css,
    }


def _table(summary: figures.Summary) -> tuple[list[str], list[list]]:
    # Each amount column names its period; amounts are exact yuan, percentages two decimals.
    y, m = summary.year, summary.through or 12
    month = _("%(period)s (yuan)")
    to_date = _("%(first)s to %(last)s (yuan)")
    header = [
        _("Category"),
        month % {"period": f"{y}-{m:02d}"},
        month % {"period": f"{y - 1}-{m:02d}"},
        _("Month growth (%)"),
        to_date % {"first": f"{y}-01", "last": f"{y}-{m:02d}"},
        to_date % {"first": f"{y - 1}-01", "last": f"{y - 1}-{m:02d}"},
        _("Year-to-date growth (%)"),
        _("Share of all revenue (%)"),
    ]
    rows = [
        [
            r.label, r.month, r.month_last_year, r.month_growth, r.ytd, r.ytd_last_year,
            r.ytd_growth, r.share,
        ]
        for r in summary.rows
    ]  # fmt: skip
    return header, rows


def _export(summary: figures.Summary, jurisdiction, fmt: str):
    header, rows = _table(summary)
    name = f"revenue-{jurisdiction.code}-{summary.year}-{summary.through:02d}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    return xlsx_response(f"{name}.xlsx", str(summary.year), header, rows)


def _monitor_page(request, thresholds_form=None, status=200):
    user = request.user
    filter_form = MonitorFilterForm(request.GET or None, user=user)
    jurisdiction, year, through = filter_form.chosen()
    if jurisdiction is None:
        raise Http404(_("No jurisdiction is visible to you."))
    years = years_with_data(user, jurisdiction)
    year = year or (years[0] if years else timezone.localdate().year)
    summary = monitor_summary(user, jurisdiction, year, through)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _export(summary, jurisdiction, fmt)
    land, margin, owner = thresholds_for(jurisdiction)
    can_set = policy.allowed(user, "revenue_thresholds", "edit", jurisdiction=jurisdiction)
    if thresholds_form is None and can_set:
        thresholds_form = ThresholdsForm(
            user=user,
            initial={
                "jurisdiction": jurisdiction.pk,
                "land_dependence_pct": land,
                "growth_margin_pct": margin,
            },
        )
    month_labels = [f"{year}-{m:02d}" for m in range(1, 13)]
    labels = {r.code: r.label for r in summary.rows}
    nontax_items = [r for r in summary.rows if r.depth == 3 and r.code in _items(figures.NON_TAX)]
    return render(
        request,
        "monitor/monitor.html",
        {
            "filter_form": filter_form,
            "jurisdiction": jurisdiction,
            "year": year,
            "years": years,
            "summary": summary,
            "alerts": [{"code": a.code, "text": alert_text(a)} for a in summary.alerts],
            # A missing month or budget has no column: the table says "—" (never a 0 bar).
            "monthly_chart": [
                _point(month_labels[i], month_labels[i][5:], amount, "total")
                for i, amount in enumerate(summary.monthly[figures.ALL][: summary.through])
                if amount is not None
            ],
            "composition_chart": [
                _point(code, labels[code], summary.row(code).ytd, BUDGET_CSS[code])
                for code in figures.BUDGETS
                if summary.row(code).ytd is not None
            ],
            "composition": [summary.row(code) for code in figures.BUDGETS],
            "nontax_chart": [
                _point(r.code, r.label, r.ytd, f"non-tax-{i}")
                for i, r in enumerate(nontax_items)
                if r.ytd is not None
            ],
            "nontax_items": nontax_items,
            "land": land,
            "margin": margin,
            "thresholds_owner": owner,
            "thresholds_form": thresholds_form,
        },
        status=status,
    )


def _items(budget: str) -> set[str]:
    return set(RevenueCategory.objects.filter(parent__code=budget).values_list("code", flat=True))


@section_required("revenue")
def monitor_view(request):
    return _monitor_page(request)


@require_POST
@section_required("revenue_thresholds", "edit")
def thresholds_view(request):
    return place_setting_post(
        request, ThresholdsForm, lambda data: thresholds_set(actor=request.user, **data),
        lambda data: _("Thresholds of %(j)s saved.") % {"j": data["jurisdiction"]},
        denied=_("Your roles do not allow setting thresholds for this place."),
        back="monitor", page=lambda form: _monitor_page(request, thresholds_form=form, status=400),
    )  # fmt: skip


# --- figures --------------------------------------------------------------------------------


class RevenueList(ObjectList):
    target, resource, filter_form = "revenue", "revenue", RevenueFilterForm
    rows, orderings = revenue_list, REVENUE_ORDERINGS  # searches q itself
    columns = [
        Column("jurisdiction_code", _l("Jurisdiction code"), "jurisdiction.code", show=False),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("month", _l("Month"), lambda r: f"{r.month:%Y-%m}"),
        Column("category_code", _l("Category code"), "category.code", show=False),
        Column("category", _l("Category"), "category.label"),
        Column("amount", _l("Amount (yuan)"), numeric=True),
        Column("updated_at", _l("Updated"), export=False),
    ]

    def extra_context(self, qs) -> dict:
        return {"can_set": policy.can_any(self.user, "revenue", "edit")}


def _records_page(request, set_form=None, status=200):
    if set_form is None and policy.can_any(request.user, "revenue", "edit"):
        set_form = RevenueSetForm(user=request.user)
    return RevenueList(request).dispatch(status, set_form=set_form)


@section_required("revenue")
def revenue_list_view(request):
    return _records_page(request)


@require_POST
@section_required("revenue", "edit")
def revenue_set_view(request):
    form = RevenueSetForm(request.POST, user=request.user)
    words = {"new": _("recorded"), "updated": _("corrected"), "unchanged": _("unchanged")}

    def write(data):
        category = RevenueCategory.objects.get(code=data["category"])
        return revenue_set(
            actor=request.user,
            jurisdiction=data["jurisdiction"],
            month=data["month"],
            category=category,
            amount=data["amount"],
        )

    def said(made) -> str:
        data = form.cleaned_data
        return _("%(category)s of %(j)s for %(month)s: %(outcome)s.") % {
            "category": made[0].category,
            "j": data["jurisdiction"],
            "month": data["month"],
            "outcome": words[made[1]],
        }

    return form_post(
        request, form, write, said, to="revenue-list",
        denied=("jurisdiction", _("Your roles do not allow entering figures for this place.")),
        page=lambda form: _records_page(request, set_form=form, status=400),
    )  # fmt: skip


# --- import -----------------------------------------------------------------------------------


@section_required("revenue", "edit")
def revenue_import_view(request):
    report = None
    status = 200
    if request.method == "POST":
        form = RevenueImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                report = revenue_import(
                    actor=request.user, stream=upload, filename=upload.name or "",
                    commit=data["mode"] != "dry_run", valid_only=data["mode"] == "valid_only",
                    sheet=data["sheet"] or None, amount_unit=data["amount_unit"],
                )  # fmt: skip
            except FileRejected as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                if report.committed:
                    messages.success(request, _("The figures were written."))
                elif data["mode"] != "dry_run":
                    status = 400
        else:
            status = 400
    else:
        form = RevenueImportForm()
    return render(
        request, "monitor/revenue_import.html", {"form": form, "report": report}, status=status
    )
