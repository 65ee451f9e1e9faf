"""Forms of the money pages: debts, receipts, allocations. The services decide and write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    choice_filter,
    date_field,
    line_field,
    search_field,
)
from panhuo.core.lists import ListFilterForm
from panhuo.finance.debts.system import (
    BondPurpose,
    LiabilityClass,
    ProjectSector,
    RepaymentFunds,
    validate_credit_code,
)
from panhuo.finance.models import BudgetClass, DebtType
from panhuo.finance.selectors import debt_list
from panhuo.organisation import policy


class DebtFilterForm(ListFilterForm):
    q = search_field(_("Code, creditor, bond code, borrower or project"))
    debt_type = choice_filter(_("Type"), DebtType.choices, _("All types"))
    liability_class = choice_filter(_("Liability class"), LiabilityClass.choices, _("All classes"))
    bond_purpose = choice_filter(_("Bond purpose"), BondPurpose.choices, _("All purposes"))
    project_sector = choice_filter(_("Project sector"), ProjectSector.choices, _("All sectors"))
    repayment_source = choice_filter(
        _("Repayment source"), RepaymentFunds.choices, _("All sources")
    )
    open_only = forms.BooleanField(label=_("Outstanding only"), required=False)
    voided = forms.ChoiceField(
        label=_("Voided debts"),
        required=False,
        choices=[("", _("All but voided")), ("include", _("Include")), ("only", _("Only voided"))],
    )


class AllocationFilterForm(ListFilterForm):
    q = search_field(_("Voucher, project, debt or creditor"))
    entries = forms.ChoiceField(
        label=_("Entries"),
        required=False,
        choices=[
            ("", _("Allocations and reversals")),
            ("allocations", _("Allocations only")),
            ("reversals", _("Reversals only")),
        ],
    )
    allocated_from = date_field(_("Allocated from"), required=False)
    allocated_to = date_field(_("Allocated until"), required=False)


def _optional(label, choices, help_text=""):
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Not given")), *choices],
        help_text=help_text,
    )


class DebtDetailsForm(forms.Form):
    """A debt's details as the debt management system records them (``debts.details``)."""

    liability_class = _optional(
        _("Liability class"),
        LiabilityClass.choices,
        _("Not given: a bond is government debt, hidden debt implicit, the rest contingent."),
    )
    borrower = line_field(_("Borrowing unit"), 200, required=False)
    borrower_credit_code = forms.CharField(
        label=_("Credit code"),
        max_length=40,
        required=False,
        validators=[validate_credit_code],
        help_text=_("The borrowing unit's unified social credit code (18 characters)."),
    )
    bond_code = line_field(_("Bond code"), 32, required=False)
    bond_purpose = _optional(_("Bond purpose"), BondPurpose.choices)
    project_name = line_field(_("Project name"), 200, required=False)
    project_sector = _optional(_("Project sector"), ProjectSector.choices)
    repayment_source = _optional(_("Repayment source"), RepaymentFunds.choices)


class DebtForm(DebtDetailsForm):
    field_order = [
        "jurisdiction", "code", "creditor", "debt_type", "principal", "rate", "issue_date",
        "maturity_date", "outstanding",
    ]  # fmt: skip
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    code = line_field(_("Code"), 32, _("Leave empty to number it automatically."), required=False)
    creditor = line_field(_("Creditor"), 200)
    debt_type = forms.ChoiceField(label=_("Type"), choices=DebtType.choices)
    principal = AmountFormField(label=_("Principal"), help_text=AMOUNT_UNIT_HELP)
    rate = forms.DecimalField(
        label=_("Interest rate (%)"),
        max_digits=6,
        decimal_places=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input-num"}),
    )
    issue_date = date_field(_("Issue date"))
    maturity_date = date_field(_("Maturity date"))
    outstanding = AmountFormField(
        label=_("Outstanding"),
        required=False,
        help_text=_("Leave empty if nothing has been repaid yet (outstanding = principal)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A submitted form accepts any jurisdiction the user can see; the service decides.
        action = "view" if self.is_bound else "create"
        qs = policy.jurisdictions_for(user, "debt", action)
        self.fields["jurisdiction"].queryset = qs
        if not self.is_bound and len(qs) == 1:
            self.fields["jurisdiction"].initial = qs[0].pk

    def data_for_service(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "jurisdiction"}
        if not data.get("code"):
            data.pop("code", None)
        return data


class ReceiptFilterForm(ListFilterForm):
    q = search_field(_("Voucher or project"))
    budget_class = choice_filter(_("Budget class"), BudgetClass.choices)
    unallocated_only = forms.BooleanField(label=_("Not fully allocated"), required=False)


class ReceiptForm(forms.Form):
    amount = AmountFormField(label=_("Amount"), help_text=AMOUNT_UNIT_HELP)
    received_on = date_field(_("Received on"))
    voucher = line_field(_("Voucher number"), 64)
    budget_class = forms.ChoiceField(label=_("Budget classification"), choices=BudgetClass.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate


class AllocationForm(forms.Form):
    debt = forms.ModelChoiceField(label=_("Debt"), queryset=None)
    amount = AmountFormField(label=_("Amount"), help_text=AMOUNT_UNIT_HELP)
    allocated_on = date_field(_("Allocated on"), required=False)

    def __init__(self, *args, user, receipt, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Any debt the user can see; the service checks permission and jurisdiction.
            qs = debt_list(user)
        else:
            qs = debt_list(
                user, jurisdiction=receipt.project.package.jurisdiction_id, open_only=True
            )
            self.fields["allocated_on"].initial = timezone.localdate
        self.fields["debt"].queryset = qs
        self.fields["debt"].label_from_instance = self._debt_label

    @staticmethod
    def _debt_label(debt) -> str:
        return f"{debt.code} · {debt.creditor} · {debt.get_debt_type_display()} · " + str(
            _("outstanding %(amount)s") % {"amount": f"{debt.outstanding:,}"}
        )
