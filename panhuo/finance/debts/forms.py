"""Forms of the schedule, reversal, strategy, risk and fiscal-input pages. Services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.bounds import validate_date
from panhuo.core.forms import (
    AmountFormField,
    MoneyFormField,
    ViewablePlaces,
    date_field,
    line_field,
    offer_jurisdictions,
)
from panhuo.finance.debts.schedules import Row
from panhuo.finance.models import ScheduleFrequency, ScheduleKind
from panhuo.finance.services import STRATEGIES

STRATEGY_CHOICES = [
    ("earliest_maturity", _("Earliest maturity first")),
    ("highest_rate", _("Highest rate first")),
    ("most_interest_saved", _("Most interest saved")),
]
assert {k for k, _label in STRATEGY_CHOICES} == set(STRATEGIES)


def parse_rows(text: str) -> tuple[list[Row], list[str]]:
    """``YYYY-MM-DD, principal, interest`` per line; the errors name the line."""
    rows: list[Row] = []
    errors: list[str] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for n, line in enumerate((line for line in lines if line), start=1):
        parts = [p.strip() for p in line.replace("\t", ",").split(",")]
        if len(parts) == 2:
            parts.append("0")
        if len(parts) != 3:
            errors.append(
                str(_("Row %(n)s: expected “date, principal, interest”, got “%(line)s”."))
                % {"n": n, "line": line}
            )
            continue
        try:
            due = dt.date.fromisoformat(parts[0])
        except ValueError:
            errors.append(
                str(_("Row %(n)s: “%(value)s” is not a date (YYYY-MM-DD)."))
                % {"n": n, "value": parts[0]}
            )
            continue
        try:
            principal, interest = (Decimal(p.replace(" ", "")) for p in parts[1:])
            if not (principal.is_finite() and interest.is_finite()):
                raise InvalidOperation
            if principal != principal.quantize(Decimal("0.01")) or interest != interest.quantize(
                Decimal("0.01")
            ):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(
                str(_("Row %(n)s: amounts must be numbers with at most two decimals.")) % {"n": n}
            )
            continue
        rows.append(Row(due, principal, interest))
    return rows, errors


class ScheduleForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=ScheduleKind.choices)
    frequency = forms.ChoiceField(
        label=_("Frequency"), choices=ScheduleFrequency.choices, initial="annual"
    )
    rows = forms.CharField(
        label=_("Custom rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2027-01-01, 1000000.00, 42500.00"}),
        help_text=_("Only for the custom method: one “YYYY-MM-DD, principal, interest” a line."),
    )

    def clean(self):
        data = super().clean()
        data["parsed_rows"] = []
        if data.get("method") == "custom":
            if not (data.get("rows") or "").strip():
                self.add_error("rows", _("Enter at least one row for a custom schedule."))
            else:
                rows, errors = parse_rows(data["rows"])
                for message in errors:
                    self.add_error("rows", message)
                data["parsed_rows"] = rows
        return data


class ReverseForm(forms.Form):
    reason = line_field(_("Reason"), 300)


class StrategyForm(forms.Form):
    strategy = forms.ChoiceField(label=_("Strategy"), choices=STRATEGY_CHOICES)


class RiskFilterForm(ViewablePlaces, forms.Form):
    places_of = "debt"
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None, required=False)
    as_of = date_field(_("As of"), required=False, validators=[validate_date])

    def chosen(self):
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        jurisdiction = data.get("jurisdiction") or self.fields["jurisdiction"].queryset.first()
        return jurisdiction, data.get("as_of") or timezone.localdate()


def _figure(label, help_text="") -> AmountFormField:
    """A figure of the year, typed in 元, 万元 or 亿元; left empty when it is not known."""
    return AmountFormField(label=label, required=False, help_text=help_text)


class FiscalInputsForm(forms.Form):
    """A year's figures; every one may be left empty (missing, never zero). Capacity left
    empty is derived from its five parts when all are given."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    comprehensive_fiscal_capacity = _figure(
        _("Comprehensive fiscal capacity"), _("Leave empty to derive it from the five parts below.")
    )
    general_budget_revenue = _figure(_("General budget revenue"))
    fund_revenue = _figure(_("Government-fund revenue"))
    state_capital_revenue = _figure(_("State capital operation revenue"))
    transfers_in = _figure(_("Transfers from above"))
    remittances_up = _figure(_("Remittances to above (subtracted)"))
    budget_expenditure = _figure(_("Budget expenditure"))
    fund_expenditure = _figure(
        _("Government-fund expenditure"),
        _("Leave empty if not known: the special-debt interest burden is then missing."),
    )
    gdp = _figure(_("GDP"))
    general_debt_limit = _figure(_("General debt limit"))
    special_debt_limit = _figure(_("Special debt limit"))
    general_debt_balance = _figure(
        _("General debt balance, reported"),
        _("At 31 December, as published; used only where no debt register exists."),
    )
    special_debt_balance = _figure(_("Special debt balance, reported"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_jurisdictions(self, user, "debt")
        if not self.is_bound:
            self.fields["year"].initial = timezone.localdate().year


class RepaymentForm(forms.Form):
    """A repayment recorded by hand: from the budget, refinancing bonds, or a write-off."""

    source = forms.ChoiceField(
        label=_("Source"),
        choices=[
            ("budget", _("Budget funds")),
            ("refinancing", _("Refinancing bond proceeds")),
            ("write_off", _("Write-off by agreement")),
        ],
    )
    amount = MoneyFormField(label=_("Amount (yuan)"))
    repaid_on = date_field(_("Repaid on"))
    document = forms.CharField(
        label=_("Document"), max_length=200, help_text=_("The voucher or agreement number.")
    )
    note = line_field(_("Note"), 300, required=False)


class VoidForm(forms.Form):
    reason = line_field(_("Reason for voiding"), 300)


def _percent_field(label):
    return forms.DecimalField(label=label, min_value=Decimal("0.01"), max_value=Decimal("999.99"),
                              decimal_places=2, required=False)  # fmt: skip


class RiskSettingsForm(forms.Form):
    """A jurisdiction's own tier thresholds; an empty percentage keeps the MoF default."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    use_earlier_fiscal_year = forms.BooleanField(
        label=_("Use the latest earlier year's fiscal figures when a year has none"),
        required=False,
    )
    debt_yellow = _percent_field(_("Debt ratio: yellow from (%)"))
    debt_orange = _percent_field(_("Debt ratio: orange from (%)"))
    debt_red = _percent_field(_("Debt ratio: red from (%)"))
    overdue_initial = _percent_field(_("Overdue ratio: initial from (%)"))
    overdue_medium = _percent_field(_("Overdue ratio: medium from (%)"))
    overdue_severe = _percent_field(_("Overdue ratio: severe above (%)"))
    interest_trigger = _percent_field(_("Interest burden: triggered above (%)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_jurisdictions(self, user, "debt")
