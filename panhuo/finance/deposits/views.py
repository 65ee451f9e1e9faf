"""Pages of the deposit ledger: the list (filters, search, sort, pages, CSV/XLSX), a deposit
with the steps the caller may take, recording one for a project, and the project page's panel."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    PlaceFilterForm,
    choice_filter,
    date_field,
    search_field,
)
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    fetch_allowed,
    fetch_or_404,
    form_post,
    section_required,
)
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.deposits.models import DepositStatus
from panhuo.finance.deposits.selectors import (
    DEPOSIT_ORDERINGS,
    deposit_list,
    deposit_totals,
    get_deposit_for,
)
from panhuo.finance.deposits.services import (
    OPEN_FOR_DEPOSITS,
    deposit_receive,
    deposit_transition,
    steps_for,
)

STEP_LABELS = {
    "confirm": gettext_lazy("Confirm the money arrived (held)"),
    "refund": gettext_lazy("Refund to the bidder"),
    "forfeit": gettext_lazy("Forfeit"),
    "apply": gettext_lazy("Apply to the winner's price"),
}


class DepositFilterForm(PlaceFilterForm):
    places_of = "deposit"
    q = search_field(gettext_lazy("Bidder, voucher or project"))
    status = choice_filter(
        gettext_lazy("Status"), DepositStatus.choices, gettext_lazy("All statuses")
    )


class DepositForm(forms.Form):
    bidder = forms.CharField(label=gettext_lazy("Bidder"), max_length=200)
    amount = AmountFormField(label=gettext_lazy("Amount"), help_text=AMOUNT_UNIT_HELP)
    received_on = date_field(gettext_lazy("Received on"))
    voucher = forms.CharField(label=gettext_lazy("Voucher number"), max_length=60)
    round = forms.ModelChoiceField(
        label=gettext_lazy("Listing round"), queryset=None, required=False
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = project.rounds.all()


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=list(STEP_LABELS.items()), widget=forms.HiddenInput)
    on = date_field(gettext_lazy("On"), required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)


class DepositList(ObjectList):
    target, resource, filter_form = "deposits", "deposit", DepositFilterForm
    rows, orderings = deposit_list, DEPOSIT_ORDERINGS  # searches q itself
    columns = [
        Column("voucher", gettext_lazy("Voucher")),
        Column("project", gettext_lazy("Project"), "project.code"),
        Column(
            "jurisdiction",
            gettext_lazy("Jurisdiction"),
            "project.package.jurisdiction.name",
            show=False,
        ),
        Column("bidder", gettext_lazy("Bidder")),
        Column("received_on", gettext_lazy("Received on")),
        Column("amount", gettext_lazy("Amount (yuan)"), numeric=True),
        Column("status", gettext_lazy("Status"), "get_status_display"),
        Column("closed_on", gettext_lazy("Closed on")),
        Column("receipt", gettext_lazy("Receipt"), "receipt.voucher", show=False),
        Column("reason", gettext_lazy("Reason"), show=False),
    ]

    def extra_context(self, qs) -> dict:
        return {"totals": deposit_totals(qs), "total": qs.aggregate(s=Sum("amount"))["s"]}


deposit_list_view = DepositList.as_view()


def _deposit_page(request, deposit, form=None, status: int = 200):
    steps = steps_for(request.user, deposit)
    return render(
        request,
        "finance/deposit_detail.html",
        {
            "deposit": deposit,
            "steps": [(s, STEP_LABELS[s]) for s in steps],
            "form": form,
            "today": timezone.localdate(),
        },
        status=status,
    )


@section_required("deposit")
def deposit_detail(request, pk):
    return _deposit_page(request, fetch_or_404(get_deposit_for, request.user, pk))


@require_POST
@section_required("deposit")
def deposit_step_view(request, pk):
    deposit = fetch_or_404(get_deposit_for, request.user, pk)

    def step(data):
        action = data["action"]
        if action not in steps_for(request.user, deposit) and deposit.status == DepositStatus.HELD:
            raise PermissionDenied(_("You may not take this step."))
        return deposit_transition(
            actor=request.user, deposit=deposit, action=action, on=data["on"], reason=data["reason"]
        )

    return form_post(
        request, StepForm(request.POST), step,
        lambda d: _("Deposit %(voucher)s: %(status)s.")
        % {"voucher": d.voucher, "status": d.get_status_display()},
        to=lambda d: d, page=lambda form: _deposit_page(request, deposit, form=form, status=400),
    )  # fmt: skip


@section_required("deposit")
def deposit_create_view(request, project_pk):
    project = fetch_allowed(get_project_for, request.user, project_pk, "deposit", "receive",
                            _("Your roles do not allow recording deposits here."))  # fmt: skip
    if request.method != "POST" and project.status not in OPEN_FOR_DEPOSITS:
        messages.error(request, _("This project takes no deposits now."))
        return redirect(project)
    initial = {"received_on": timezone.localdate()}
    return form_post(
        request, DepositForm(request.POST or None, project=project, initial=initial),
        lambda data: deposit_receive(actor=request.user, project=project, **data),
        lambda d: _("Deposit %(voucher)s recorded.") % {"voucher": d.voucher}, to=lambda d: d,
        page=lambda form: render(
            request, "finance/deposit_form.html", {"form": form, "project": project}),
    )  # fmt: skip
