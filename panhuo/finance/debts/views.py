"""Pages of repayment schedules, reversals, allocation strategies, debt risk and traceability.

Thin, like every view: fetch through selectors (hidden is 404), write through services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from panhuo.core.money import format_money, in_display_unit
from panhuo.core.ui import (
    add_service_errors,
    button_write,
    csv_response,
    fetch_allowed,
    fetch_or_404,
    form_post,
    place_setting_post,
    section_required,
)
from panhuo.finance import services
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.forms import (
    FiscalInputsForm,
    ReverseForm,
    RiskFilterForm,
    RiskSettingsForm,
    ScheduleForm,
    StrategyForm,
)
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.indicators_db import settings_for
from panhuo.finance.debts.repayments import outstanding_as_of
from panhuo.finance.debts.risk_settings import PERCENT_FIELDS, risk_settings_set
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Debt
from panhuo.finance.rollups import outstanding_by_maturity_year
from panhuo.finance.selectors import allocation_list, get_debt_for, get_receipt_for
from panhuo.finance.trace import HEADERS, trail
from panhuo.organisation import policy
from panhuo.register.selectors import get_asset_for


def get_allocation_for(user, pk):
    return allocation_list(user).get(pk=int(pk))


# --- schedules --------------------------------------------------------------------------------


def _row_errors(form, exc: ValidationError) -> None:
    """The service names rows as ``rows[3].due_date``; show them under the rows field."""
    other = {}
    for key, errors in exc.error_dict.items():
        if key.startswith("rows"):
            row = key[len("rows[") : key.index("]")] if key.startswith("rows[") else ""
            for message in (m for e in errors for m in e):
                label = _("Row %(n)s: ") % {"n": row} if row else ""
                form.add_error("rows", f"{label}{message}")
        else:
            other[key] = errors
    if other:
        add_service_errors(form, ValidationError(other))


@require_POST
@section_required("debt")
def debt_schedule_view(request, pk):
    from panhuo.finance.views import debt_page

    debt = fetch_allowed(get_debt_for, request.user, pk, "debt", "edit",
                         _("Your roles do not allow changing this debt's schedule."))  # fmt: skip
    form = ScheduleForm(request.POST)
    if form.is_valid():
        try:
            debt_schedule_set(
                actor=request.user,
                debt=debt,
                method=form.cleaned_data["method"],
                frequency=form.cleaned_data["frequency"],
                rows=form.cleaned_data["parsed_rows"],
            )
        except ValidationError as exc:
            _row_errors(form, exc)
        else:
            messages.success(request, _("Repayment schedule saved."))
            return redirect(debt)
    return debt_page(request, debt, schedule_form=form)


# --- reversals and strategies ---------------------------------------------------------------


@require_POST
@section_required("allocation")
def allocation_reverse_view(request, pk):
    from panhuo.finance.views import debt_page

    allocation = fetch_allowed(
        get_allocation_for, request.user, pk, "allocation", "create",
        _("Your roles do not allow reversing allocations."), place=lambda a: a.debt.jurisdiction,
    )  # fmt: skip
    form = ReverseForm(request.POST)
    if form.is_valid():
        button_write(
            request,
            lambda: services.allocation_reverse(
                actor=request.user, allocation=allocation, reason=form.cleaned_data["reason"]
            ),
            _("Allocation of %(amount)s yuan to debt %(debt)s reversed.")
            % {"amount": f"{allocation.amount:,}", "debt": allocation.debt.code},
        )
        return redirect(allocation.debt)
    return debt_page(request, allocation.debt, reverse_form=form, reverse_pk=allocation.pk)


@require_POST
@section_required("receipt")
def receipt_apply_strategy_view(request, pk):
    from panhuo.finance.views import _receipt_page

    receipt = fetch_allowed(get_receipt_for, request.user, pk, "allocation", "create",
                            _("Your roles do not allow allocating this receipt."))  # fmt: skip
    return form_post(
        request, StrategyForm(request.POST),
        lambda data: services.allocation_apply_strategy(
            actor=request.user, receipt=receipt, strategy=data["strategy"]
        ),
        lambda m: ngettext(
            "%(n)s allocation made by the chosen strategy.",
            "%(n)s allocations made by the chosen strategy.",
            len(m),
        ) % {"n": len(m)},
        to=receipt, page=lambda form: _receipt_page(request, receipt, strategy_form=form),
    )  # fmt: skip


# --- risk indicators and fiscal inputs ------------------------------------------------------

TIER_CSS = {
    "green": "tier-green",
    "yellow": "tier-yellow",
    "orange": "tier-orange",
    "red": "tier-red",
    "none": "tier-green",
    "initial": "tier-yellow",
    "medium": "tier-orange",
    "severe": "tier-red",
}
# Lazy: a module-level gettext would freeze the labels in the language of the import.
TIER_LABELS = {
    "green": gettext_lazy("green"),
    "yellow": gettext_lazy("yellow"),
    "orange": gettext_lazy("orange"),
    "red": gettext_lazy("red"),
    "none": gettext_lazy("none"),
    "initial": gettext_lazy("initial"),
    "medium": gettext_lazy("medium"),
    "severe": gettext_lazy("severe"),
}


def maturity_wall(user, jurisdiction, as_of: dt.date) -> list[dict]:
    """Principal outstanding at the end of ``as_of`` by the year the debts mature (visible debts,
    this jurisdiction and below), as chart points in the reader's unit. Read from the repayment
    ledger as it stood that day, like every indicator beside it: a debt issued later is left out
    and a repayment dated later is ignored."""
    debts = (
        Debt.objects.active()
        .visible_to(user)
        .filter(jurisdiction__path__startswith=jurisdiction.path)
    )
    by_year: dict[int, Decimal] = {}
    if as_of < timezone.localdate():
        maturities = dict(debts.values_list("pk", "maturity_date"))
        for pk, outstanding in outstanding_as_of(debts, as_of).items():
            if outstanding > 0:
                year = maturities[pk].year
                by_year[year] = by_year.get(year, Decimal("0.00")) + outstanding
    else:
        # From today on, today's balances (as the indicators beside it): the debt roll-up,
        # less the debts issued after the date.
        by_year = outstanding_by_maturity_year(user, jurisdiction)
        for maturity, outstanding in debts.filter(issue_date__gt=as_of).values_list(
            "maturity_date", "outstanding"
        ):
            by_year[maturity.year] -= outstanding
        by_year = {y: v for y, v in by_year.items() if v > 0}
    return [
        {
            "key": str(year),
            "label": str(year),
            "value": str(in_display_unit(amount)),
            "display": format_money(amount),
            "css": "outstanding",
        }
        for year, amount in sorted(by_year.items())
    ]


def _risk_page(request, fiscal_form=None, settings_form=None, status=200):
    user = request.user
    filter_form = RiskFilterForm(request.GET or None, user=user)
    jurisdiction, as_of = filter_form.chosen()
    if jurisdiction is None:
        raise Http404(_("No jurisdiction is visible to you."))
    can_edit = policy.allowed(user, "debt", "edit", jurisdiction=jurisdiction)
    if fiscal_form is None and policy.can_any(user, "debt", "edit"):
        fiscal_form = FiscalInputsForm(
            user=user,
            initial={"jurisdiction": jurisdiction.pk if can_edit else None, "year": as_of.year},
        )
    ind = indicators_for(user, jurisdiction, as_of)
    found = settings_for(jurisdiction)
    if settings_form is None and can_edit:
        settings_form = RiskSettingsForm(
            user=user,
            initial={"jurisdiction": jurisdiction.pk,
                     "use_earlier_fiscal_year": bool(found and found.use_earlier_fiscal_year),
                     **ind.thresholds.__dict__},
        )  # fmt: skip
    return render(
        request,
        "finance/risk_indicators.html",
        {
            "filter_form": filter_form,
            "jurisdiction": jurisdiction,
            "as_of": as_of,
            "ind": ind,
            "debt_tier": (TIER_CSS.get(ind.debt_ratio_tier), TIER_LABELS.get(ind.debt_ratio_tier)),
            "overdue_tier": (TIER_CSS.get(ind.overdue_tier), TIER_LABELS.get(ind.overdue_tier)),
            "wall": maturity_wall(user, jurisdiction, as_of),
            "wall_as_of": as_of,
            "fiscal_form": fiscal_form,
            "settings_form": settings_form,
            "settings_from": found.jurisdiction if found else None,
        },
        status=status,
    )


@section_required("debt")
def risk_indicators_view(request):
    return _risk_page(request)


@require_POST
@section_required("debt", "edit")
def fiscal_inputs_view(request):
    return place_setting_post(
        request, FiscalInputsForm, lambda data: fiscal_inputs_set(actor=request.user, **data),
        lambda data: _("Fiscal figures of %(j)s for %(y)s saved.")
        % {"j": data["jurisdiction"], "y": data["year"]},
        denied=_("Your roles do not allow entering figures for this jurisdiction."),
        back="risk-indicators", page=lambda form: _risk_page(request, fiscal_form=form),
    )  # fmt: skip


@require_POST
@section_required("debt", "edit")
def risk_settings_view(request):
    def write(data):
        percents = {f: data[f] for f in PERCENT_FIELDS if data.get(f) is not None}
        return risk_settings_set(
            actor=request.user,
            jurisdiction=data["jurisdiction"],
            use_earlier_fiscal_year=data["use_earlier_fiscal_year"],
            **percents,
        )

    return place_setting_post(
        request, RiskSettingsForm, write,
        lambda data: _("Risk settings of %(j)s saved.") % {"j": data["jurisdiction"]},
        denied=_("Your roles do not allow setting this jurisdiction's thresholds."),
        back="risk-indicators", page=lambda form: _risk_page(request, settings_form=form),
    )  # fmt: skip


# --- traceability ---------------------------------------------------------------------------


def _trace(request, subject, rows, title, back, filename):
    rows = list(rows)
    if request.GET.get("format") == "csv":
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(f"{filename}-{stamp}.csv", HEADERS, (r.as_list() for r in rows))
    return render(
        request,
        "finance/trace.html",
        {
            "subject": subject,
            "rows": rows,
            "title": title,
            "back": back,
            "total": sum((r.amount for r in rows), Decimal("0.00")),
        },
    )


@section_required("allocation")
def trace_asset_view(request, pk):
    asset = fetch_or_404(get_asset_for, request.user, pk)
    rows = trail(request.user, asset=asset)
    title = _("Trail of asset %(code)s to the debts it repaid") % {"code": asset.code}
    return _trace(request, asset, rows, title, asset.get_absolute_url(), f"trace-{asset.code}")


@section_required("allocation")
def trace_debt_view(request, pk):
    debt = fetch_or_404(get_debt_for, request.user, pk)
    rows = trail(request.user, debt=debt)
    title = _("Trail of debt %(code)s back to the assets that repaid it") % {"code": debt.code}
    return _trace(request, debt, rows, title, debt.get_absolute_url(), f"trace-{debt.code}")
