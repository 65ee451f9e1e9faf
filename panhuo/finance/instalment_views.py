"""The payment plan of a concluded sale: its rows with what covers each, and the form that sets
it (down payment, number of instalments spread evenly up to the last due date, interest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panhuo.core.forms import AmountFormField, date_field
from panhuo.core.money import CENT
from panhuo.core.ui import fetch_allowed, form_write, section_required
from panhuo.disposal.models import ProjectStatus
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.expected_models import DeferredSecurityKind
from panhuo.finance.instalments import SALE_CHANNELS, instalment_plan_set, plan_lines
from panhuo.organisation import policy
from panhuo.pricing import rules


class InstalmentPlanForm(forms.Form):
    down_payment = AmountFormField(
        label=gettext_lazy("Down payment"),
        required=False,
        help_text=gettext_lazy(
            "Empty or the whole price: paid in full. 元, 万元 or 亿元 beside it."
        ),
    )
    down_due = date_field(gettext_lazy("Down payment due on"))
    instalments = forms.IntegerField(
        label=gettext_lazy("Instalments after the down payment"),
        min_value=0,
        max_value=23,
        initial=0,
    )
    last_due = date_field(gettext_lazy("Last instalment due on"), required=False)
    interest_rate = forms.DecimalField(
        label=gettext_lazy("Interest rate (% a year)"),
        required=False,
        max_digits=6,
        decimal_places=3,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-num"}),
        help_text=gettext_lazy("Not below the reference rate of the price rules (1-year LPR)."),
    )
    security_kind = forms.ChoiceField(
        label=gettext_lazy("Security for the deferred part"),
        required=False,
        choices=[("", "—"), *DeferredSecurityKind.choices],
    )
    security_reference = forms.CharField(
        label=gettext_lazy("Security document (number or reference)"),
        required=False,
        max_length=200,
    )

    def __init__(self, *args, price: Decimal, **kwargs):
        super().__init__(*args, **kwargs)
        self.price = price

    def clean(self):
        data = super().clean()
        n = data.get("instalments") or 0
        down = data.get("down_payment")
        if n and not data.get("last_due"):
            self.add_error("last_due", _("Instalments need the last due date."))
        if n and (down is None or down >= self.price):
            self.add_error(
                "down_payment", _("With instalments the down payment is part of the price.")
            )
        if n == 0 and down not in (None, self.price):
            self.add_error("instalments", _("Part of the price is left: add instalments."))
        return data

    def rows(self) -> list[dict]:
        """The down payment, then ``n`` instalments of equal size (the cents left over on the
        last) on dates spread evenly up to the last due date."""
        d = self.cleaned_data
        n = d.get("instalments") or 0
        if n == 0:
            return [{"due_date": d["down_due"], "amount": self.price}]
        down, first, last = d["down_payment"], d["down_due"], d["last_due"]
        rest = self.price - down
        each = (rest / n).quantize(CENT, rounding="ROUND_DOWN")
        span = (last - first).days
        rows = [{"due_date": first, "amount": down}]
        for k in range(1, n + 1):
            day = first + dt.timedelta(days=round(span * k / n))
            amount = each if k < n else rest - each * (n - 1)
            rows.append({"due_date": day, "amount": amount})
        return rows


def _can_set(user, project) -> bool:
    return (
        project.channel in SALE_CHANNELS
        and project.status == ProjectStatus.CONCLUDED
        and policy.allowed(user, "receipt", "create", jurisdiction=project.jurisdiction)
    )


@section_required("receipt")
def instalment_plan_view(request, project_pk):
    """The plan's rows (overdue ones flagged, lateness in working days) and, for finance
    officers while the sale awaits payment, the form that sets it."""
    project = fetch_allowed(get_project_for, request.user, project_pk, "receipt", "view",
                            _("Your roles do not allow reading this project's money."))  # fmt: skip
    can_set = _can_set(request.user, project)
    if request.method == "POST" and not can_set:
        raise PermissionDenied(_("You may not set this project's payment plan."))
    form = None
    if can_set:
        due = rules.payment_due(project, project.state_since or timezone.localdate())
        form = InstalmentPlanForm(
            request.POST or None,
            price=project.deal_price,
            initial={"down_due": due.down_by, "last_due": due.rest_by, "instalments": 0},
        )
        if request.method == "POST" and form.is_valid():
            done = form_write(
                request, form,
                lambda: instalment_plan_set(
                    actor=request.user, project=project, rows=form.rows(),
                    interest_rate=form.cleaned_data.get("interest_rate"),
                    security_kind=form.cleaned_data.get("security_kind") or "",
                    security_reference=form.cleaned_data.get("security_reference") or "",
                ),
                _("Payment plan of %(code)s recorded.") % {"code": project.code},
            )  # fmt: skip
            if done is not None:
                return redirect("instalment-plan", project_pk=project.pk)
    today = timezone.localdate()
    return render(
        request,
        "finance/instalment_plan.html",
        {
            "project": project,
            "lines": plan_lines(project, today=today),
            "form": form,
            "today": today,
        },
    )
