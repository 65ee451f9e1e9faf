"""Forms of the auction pages: the office's lot setup and list filters, and the bidder's bid,
registration and deposit declaration."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.auctions.models import DEFAULT_EXTENSION_MINUTES, DEFAULT_WINDOW_MINUTES, LotStatus
from panhuo.core.forms import (
    AmountFormField,
    MoneyFormField,
    PlaceFilterForm,
    choice_filter,
    date_field,
    search_field,
)
from panhuo.disposal.models import Channel, ListingRound, ProjectStatus
from panhuo.organisation import policy


def _when(label):
    return forms.DateTimeField(
        label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class LotFilterForm(PlaceFilterForm):
    places_of = "lot"
    q = search_field(_("Project or package"))
    status = choice_filter(_("Status"), LotStatus.choices, _("All statuses"))


class LotForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Listing round"), queryset=None)
    start_price = AmountFormField(label=_("Starting price"))
    increment = AmountFormField(label=_("Increment"))
    reserve = AmountFormField(
        label=_("Reserve price"), required=False,
        help_text=_("Empty: the round's reserve. Never below it."),
    )  # fmt: skip
    reserve_public = forms.BooleanField(
        label=_("Show the reserve to bidders"), required=False, initial=True
    )
    deposit_amount = AmountFormField(label=_("Deposit"), required=False)
    start_at = _when(_("Bidding opens"))
    end_at = _when(_("Bidding ends"))
    window_minutes = forms.IntegerField(
        label=_("Soft-close window (minutes)"), min_value=0, max_value=1440,
        initial=DEFAULT_WINDOW_MINUTES,
    )  # fmt: skip
    extension_minutes = forms.IntegerField(
        label=_("Extension (minutes)"), min_value=0, max_value=1440,
        initial=DEFAULT_EXTENSION_MINUTES,
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        places = policy.jurisdictions_for(user, "lot", "create").values_list("path", flat=True)
        qs = ListingRound.objects.none()
        for path in places:
            qs = qs | ListingRound.objects.filter(
                project__package__jurisdiction__path__startswith=path
            )
        self.fields["round"].queryset = (
            qs.filter(result="open", project__channel=Channel.AUCTION,
                      project__status=ProjectStatus.LISTED, lot__isnull=True)
            .select_related("project").order_by("project__code")
        )  # fmt: skip
        self.fields["round"].label_from_instance = lambda r: (
            f"{r.project.code} #{r.number} ({r.reserve})"
        )


class BidForm(forms.Form):
    amount = MoneyFormField(
        label=_("Your maximum bid (yuan)"),
        help_text=_("The system bids for you, one increment at a time, up to this amount."),
    )


class RegisterForm(forms.Form):
    accept_conditions = forms.BooleanField(
        label=_("I meet the conditions on buyers the notice sets"), required=False
    )


class DeclarePaidForm(forms.Form):
    voucher = forms.CharField(label=_("Voucher (bank reference)"), max_length=60)
    paid_on = date_field(_("Paid on"))
