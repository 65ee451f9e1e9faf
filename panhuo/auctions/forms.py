"""Forms of the auction pages: the office's lot setup and list filters, and the bidder's bid,
registration and deposit declaration."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.auctions.models import (
    DEFAULT_EXTENSION_MINUTES,
    DEFAULT_WINDOW_MINUTES,
    KINDS_OFFERED,
    LotKind,
    LotStatus,
    TieRule,
)
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
    kind = forms.ChoiceField(
        label=_("Kind of auction"), initial=LotKind.ENGLISH, required=False,
        choices=[(k.value, k.label) for k in LotKind if k in KINDS_OFFERED],
    )  # fmt: skip
    start_price = AmountFormField(label=_("Starting price"))
    increment = AmountFormField(
        label=_("Increment"), required=False,
        help_text=_("English auction only: each bid's least raise."),
    )  # fmt: skip
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
    opens_at = forms.DateTimeField(
        label=_("Sealed bids opened at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Sealed bid only: at or after the end; two officers confirm the opening."),
    )  # fmt: skip
    price_step = AmountFormField(
        label=_("Price step (Dutch)"), required=False,
        help_text=_("Dutch only: the price falls by this much at the end of each interval."),
    )  # fmt: skip
    step_minutes = forms.IntegerField(
        label=_("Interval (minutes, Dutch)"), min_value=1, max_value=1440, required=False
    )
    floor_price = AmountFormField(
        label=_("Floor price (Dutch)"), required=False,
        help_text=_(
            "Dutch only: the price falls no lower. Below 90 per cent of the appraisal only "
            "under an approved price exception."
        ),
    )  # fmt: skip
    tie_rule = forms.ChoiceField(
        label=_("Tie rule (sealed bid)"), choices=TieRule.choices, initial=TieRule.EARLIEST,
        required=False,
    )  # fmt: skip

    def clean_kind(self):
        return self.cleaned_data.get("kind") or LotKind.ENGLISH

    def clean_tie_rule(self):
        return self.cleaned_data.get("tie_rule") or TieRule.EARLIEST

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


class SealedBidForm(forms.Form):
    amount = MoneyFormField(
        label=_("Your sealed bid (yuan)"),
        help_text=_(
            "Submitted once and encrypted when received: no one can read it before the opening."
        ),
    )
