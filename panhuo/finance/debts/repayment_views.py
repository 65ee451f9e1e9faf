"""Pages that write a debt's repayment ledger: record a repayment, reverse one, void the debt;
and the one that changes its details (``debts.details``). Each shows the debt page again with
the form's errors when the service refuses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panhuo.core.ui import fetch_allowed, form_post, section_required
from panhuo.finance.debts.details import debt_update
from panhuo.finance.debts.forms import RepaymentForm, VoidForm
from panhuo.finance.debts.repayments import (
    debt_void,
    repayment_create,
    repayment_list,
    repayment_reverse,
)
from panhuo.finance.forms import DebtDetailsForm
from panhuo.finance.selectors import get_debt_for
from panhuo.finance.views import debt_page


def _editable(request, pk, refusal=None):
    refusal = refusal or _("Your roles do not allow recording repayments of this debt.")
    return fetch_allowed(get_debt_for, request.user, pk, "debt", "edit", refusal)


@require_POST
@section_required("debt")
def repayment_create_view(request, pk):
    debt = _editable(request, pk)
    return form_post(
        request, RepaymentForm(request.POST),
        lambda data: repayment_create(actor=request.user, debt=debt, **data),
        _("Repayment recorded."), to=debt,
        page=lambda form: debt_page(request, debt, repayment_form=form),
    )  # fmt: skip


@require_POST
@section_required("debt")
def repayment_reverse_view(request, pk, repayment_pk):
    debt = _editable(request, pk)
    entry = get_object_or_404(repayment_list(request.user, debt=debt.pk), pk=repayment_pk)
    try:
        repayment_reverse(actor=request.user, repayment=entry, reason=request.POST.get("reason"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return debt_page(request, debt, status=400)
    messages.success(request, _("Repayment reversed."))
    return redirect(debt)


@require_POST
@section_required("debt")
def debt_void_view(request, pk):
    debt = _editable(request, pk)
    return form_post(
        request, VoidForm(request.POST),
        lambda data: debt_void(actor=request.user, debt=debt, reason=data["reason"]),
        _("Debt %(code)s voided.") % {"code": debt.code}, to=debt,
        page=lambda form: debt_page(request, debt, void_form=form),
    )  # fmt: skip


@require_POST
@section_required("debt")
def debt_details_view(request, pk):
    debt = _editable(request, pk, _("Your roles do not allow changing this debt."))
    return form_post(
        request, DebtDetailsForm(request.POST),
        lambda data: debt_update(actor=request.user, debt=debt, data=data),
        _("Details of debt %(code)s saved.") % {"code": debt.code}, to=debt,
        page=lambda form: debt_page(request, debt, details_form=form),
    )  # fmt: skip
