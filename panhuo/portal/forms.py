"""The portal's forms: the public search (GET) and the office's announcement and notice terms."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.portal.models import AnnouncementKind
from panhuo.portal.selectors import NoticeFilters
from panhuo.register.models import AssetKind

STATUS_CHOICES = [
    ("", _("Any status")),
    ("open", _("Open for bids (disclosure running)")),
    ("ended", _("Disclosure ended")),
    ("result", _("Result published")),
    ("withdrawn", _("Withdrawn")),
]


#: The sorts offered (``selectors.NOTICE_ORDERINGS``; the list component reads ``sort``).
SORT_CHOICES = [
    ("-published", _("Newest first")),
    ("published", _("Oldest first")),
    ("price", _("Price, lowest first")),
    ("-price", _("Price, highest first")),
    ("ends", _("Period ending soonest")),
    ("title", _("Title")),
]


class NoticeSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    place = forms.TypedChoiceField(label=_("Place"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label=_("Kind of asset"), required=False,
        choices=[("", _("All kinds")), *AssetKind.choices],
    )  # fmt: skip
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    price_min = forms.DecimalField(
        label=_("Price from (yuan)"), required=False, min_value=0, max_digits=18,
        decimal_places=2,
    )  # fmt: skip
    price_max = forms.DecimalField(
        label=_("Price up to (yuan)"), required=False, min_value=0, max_digits=18,
        decimal_places=2,
    )  # fmt: skip

    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args, places=(), english=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [("", _("All places"))] + [
            (p.pk, (p.name_en or p.name) if english else p.name) for p in places
        ]

    def clean(self):
        data = super().clean()
        low, high = data.get("price_min"), data.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The upper price is below the lower one."))
        return data

    def filters(self) -> dict:
        """The selector's filters the valid fields give (an invalid field filters nothing; the
        sort is the list component's)."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {
                k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors
            }
        )
        price = {k: data.get(k) for k in ("price_min", "price_max")}
        return asdict(
            NoticeFilters(
                q=(data.get("q") or "").strip(),
                place=data.get("place"),
                kind=data.get("kind") or "",
                status=data.get("status") or "",
                price_min=price["price_min"] if isinstance(price["price_min"], Decimal) else None,
                price_max=price["price_max"] if isinstance(price["price_max"], Decimal) else None,
            )
        )


class AnnouncementForm(forms.Form):
    jurisdiction = forms.TypedChoiceField(label=_("Place"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=AnnouncementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20_000, widget=forms.Textarea)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [(p.pk, p.name) for p in places]


class NoticeTermsForm(forms.Form):
    increment = forms.DecimalField(
        label=_("Bid increment (yuan)"), required=False, min_value=0, max_digits=17,
        decimal_places=2,
    )  # fmt: skip
    deposit = forms.DecimalField(
        label=_("Deposit (yuan)"), required=False, min_value=0, max_digits=17, decimal_places=2
    )
    priority_holders = forms.CharField(
        label=_("Holders of a priority purchase right"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    viewing = forms.CharField(
        label=_("Viewing arrangements"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    documents = forms.TypedMultipleChoiceField(
        label=_("Public documents and photos"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason for the correction"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d.pk, f"{d.title} ({d.filename})") for d in documents]
