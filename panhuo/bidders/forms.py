"""Forms of the bidders' pages. They only collect input: every rule (check digits, uniqueness,
the password's strength, who may do what) is the services' (services.py), whose refusals the
pages put under the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.bidders.models import BidderKind, BidderStatus, RelationKind
from panhuo.core.forms import FieldsetsMixin, choice_filter, line_field, search_field
from panhuo.organisation.models import Jurisdiction, Unit


def _places():
    return Jurisdiction.objects.order_by("path")


class DetailsForm(FieldsetsMixin, forms.Form):
    """Who the bidder is and how to reach and pay them."""

    kind = forms.ChoiceField(label=_("I register as"), choices=BidderKind.choices)
    name = line_field(
        _("Name"), 200, _("A person's name as on the identity card; a company's registered name.")
    )
    id_number = line_field(
        _("Resident ID number"),
        30,
        _("A person: the 18 characters of the identity card (the last may be X)."),
        required=False,
    )
    credit_code = line_field(
        _("Unified social credit code"),
        30,
        _("A company: the 18 characters on its business licence."),
        required=False,
    )
    phone = line_field(_("Phone"), 32)
    address = line_field(_("Address"), 300)
    bank_name = line_field(_("Bank"), 100, required=False)
    bank_account = line_field(
        _("Bank account"), 40, _("Where a deposit is refunded to."), required=False
    )

    fieldsets = [
        (_("Who you are"), ["kind", "name", "id_number", "credit_code"]),
        (_("How to reach and pay you"), ["phone", "address", "bank_name", "bank_account"]),
    ]


class PlaceForm(DetailsForm):
    """A signed-in user's registration: their details and the place that verifies them."""

    jurisdiction = forms.ModelChoiceField(
        label=_("Register with"),
        queryset=Jurisdiction.objects.none(),
        help_text=_(
            "The place whose task-force office checks your registration. Once verified you "
            "may bid on lots anywhere."
        ),
    )

    fieldsets = [
        (_("Who you are"), ["jurisdiction", "kind", "name", "id_number", "credit_code"]),
        DetailsForm.fieldsets[1],
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _places()


class SignUpForm(PlaceForm):
    """An anonymous visitor's registration: their account and place, then their details."""

    username = line_field(_("User name"), 150)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not a common password, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)

    fieldsets = [
        (_("Your account"), ["username", "password", "password2", "email", "jurisdiction"]),
        *DetailsForm.fieldsets,
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") != data.get("password"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    who = line_field(
        _("Of whom"),
        300,
        _("The official's name and post, or the unit (e.g. 李四, deputy director)."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit (if it is one of the listed units)"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("None of them"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("jurisdiction").order_by(
            "jurisdiction__path", "name"
        )


class StepForm(forms.Form):
    """The office's decision: the status to move to and why."""

    to = forms.ChoiceField(choices=BidderStatus.choices, widget=forms.HiddenInput)
    reason = line_field(_("Reason"), 500, required=False)


class BidderFilterForm(forms.Form):
    q = search_field(_("Name, number, phone or user name"))
    status = choice_filter(_("Status"), BidderStatus.choices, _("All statuses"))
    kind = choice_filter(_("Kind"), BidderKind.choices, _("All kinds"))
    related = forms.ChoiceField(
        label=_("Declared relations"),
        required=False,
        choices=[("", _("Either")), ("yes", _("Some declared")), ("no", _("None declared"))],
    )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
