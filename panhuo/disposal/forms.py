"""Forms of the package and project pages. They parse input; the services decide and write."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from panhuo.core.forms import (
    AMOUNT_UNIT_HELP,
    AmountFormField,
    MoneyFormField,
    ViewablePlaces,
    blank_choice,
    choice_filter,
    date_field,
    search_field,
    text_field,
)
from panhuo.core.lists import ListFilterForm
from panhuo.disposal import money
from panhuo.disposal.channel_models import ApprovalBody, Art31Case, EvidenceKind, Frequency
from panhuo.disposal.models import Channel, Package, ProjectStatus
from panhuo.disposal.workflow import Transition
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.register.models import AssetKind
from panhuo.register.selectors import asset_list

MAX_ASSETS_PER_FORM = 2000


def resolve_assets(user, text: str) -> list[int]:
    """Asset ids from a list of asset codes or ids, separated by spaces, commas or lines.

    A code names an asset the user can see; a number that is no such code is taken as an id
    (the service checks it). An unknown or ambiguous code is an error naming it.
    """
    tokens = list(dict.fromkeys(t for t in re.split(r"[\s,;，；]+", text or "") if t))
    if len(tokens) > MAX_ASSETS_PER_FORM:
        raise forms.ValidationError(
            _("At most %(n)s assets at a time."), params={"n": MAX_ASSETS_PER_FORM}
        )
    by_code: dict[str, list[int]] = {}
    for pk, code in asset_list(user).filter(code__in=tokens).values_list("pk", "code"):
        by_code.setdefault(code, []).append(pk)
    ids, unknown, ambiguous = [], [], []
    for token in tokens:
        found = by_code.get(token)
        if found and len(found) > 1:
            ambiguous.append(token)
        elif found:
            ids.append(found[0])
        elif token.isdigit():
            ids.append(int(token))
        else:
            unknown.append(token)
    errors = []
    if unknown:
        errors.append(
            ngettext(
                "Unknown asset code: %(codes)s.", "Unknown asset codes: %(codes)s.", len(unknown)
            )
            % {"codes": ", ".join(unknown[:20])}
        )
    if ambiguous:
        errors.append(
            _("These codes are used by several units; give the asset ids instead: %(codes)s.")
            % {"codes": ", ".join(ambiguous[:20])}
        )
    if errors:
        raise forms.ValidationError(errors)
    return list(dict.fromkeys(ids))


class AssetListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "mono"})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Assets"))
        kwargs.setdefault(
            "help_text",
            _(
                "Asset codes or ids, separated by spaces, commas or new lines (paste a column "
                "from a spreadsheet)."
            ),
        )
        super().__init__(**kwargs)


class PackageFilterForm(ListFilterForm):
    q = search_field(_("Code or name"))
    status = choice_filter(_("Status"), Package.Status.choices)
    channel = choice_filter(_("Channel"), Channel.choices)


class PackageForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    assets = AssetListField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # A submitted form accepts any jurisdiction the user can see; the service decides
        # whether they may create a package there.
        action = "view" if self.is_bound else "create"
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(user, "package", action)
        if not self.is_bound and len(self.fields["jurisdiction"].queryset) == 1:
            self.fields["jurisdiction"].initial = self.fields["jurisdiction"].queryset[0].pk

    def clean_assets(self) -> list[int]:
        return resolve_assets(self.user, self.cleaned_data["assets"])


class AddAssetsForm(forms.Form):
    assets = AssetListField(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_assets(self) -> list[int]:
        ids = resolve_assets(self.user, self.cleaned_data["assets"])
        picked = self.data.getlist("pick") if hasattr(self.data, "getlist") else []
        if not ids and not picked:
            raise forms.ValidationError(_("Give at least one asset."))
        return ids


class ProjectFilterForm(ListFilterForm):
    q = search_field(_("Code, package or buyer"))
    status = choice_filter(_("State"), ProjectStatus.choices)
    channel = choice_filter(_("Channel"), Channel.choices)


class BoardFilterForm(ViewablePlaces, forms.Form):
    places_of = "project"
    channel = choice_filter(_("Channel"), Channel.choices)
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), required=False, queryset=None)

    def filters(self) -> dict:
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v}


#: A step's date that defaults to today.
PAST_DATE_HELP = _("Default today; a past date needs the reason in the comment.")
UNIT_HELP = AMOUNT_UNIT_HELP
CONFIRM_HELP = _(
    "Only if the amount was held as implausible (far from the appraisal) and is right: "
    "the confirmation is recorded."
)
#: Steps that take the project's reserve as it stands (the amount check runs on them too).
AMOUNT_STEPS = frozenset({"submit", "list"})


class ProjectForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    reserve_price = AmountFormField(label=_("Reserve price"), help_text=UNIT_HELP)
    note = text_field(_("Note"), required=False)
    confirm_amount = forms.BooleanField(
        label=_("I confirm this amount"), required=False, help_text=CONFIRM_HELP
    )


class PriceExceptionForm(forms.Form):
    """Ask the head to approve a reserve or deal price below the approval floor."""

    amount = AmountFormField(
        label=_("Price to approve"), min_value=Decimal("0.01"), help_text=UNIT_HELP
    )
    reason = text_field(_("Reason"), max_length=10_000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "price_exception")
        super().__init__(*args, **kwargs)


class TransitionForm(forms.Form):
    """The input one transition needs: a reason for some, the deal for "conclude", and the
    channel records of the others (listing, relisting, counterparty, contract, tranches…)."""

    def __init__(self, *args, transition: Transition, **kwargs):
        kwargs.setdefault("prefix", transition.name)
        super().__init__(*args, **kwargs)
        self.transition = transition
        needs = transition.needs
        f = self.fields
        if needs & {"listing", "relist", "redisclose"}:
            if "relist" in needs:
                f["reserve_price"] = AmountFormField(
                    label=_("Reduced reserve price"), help_text=UNIT_HELP
                )
            if "redisclose" in needs:
                f["reserve_price"] = AmountFormField(
                    label=_("Reserve price at the new appraisal"),
                    required=False,
                    help_text=UNIT_HELP,
                )
            f["platform"] = forms.CharField(label=_("Platform"), max_length=200, required=False)
            f["listed_on"] = date_field(_("Listed on"), required=False, help_text=PAST_DATE_HELP)
            f["disclosure_ends"] = date_field(
                _("Disclosure ends"),
                required=False,
                help_text=_("Default: the minimum period in working days."),
            )
            f["announced_on"] = date_field(
                _("Announcement published on"),
                required=False,
                help_text=_(
                    "Land-use rights: at least 20 days before the listing starts "
                    "(MLR Order 39 art. 11)."
                ),
            )
            f["buyer_conditions"] = text_field(
                _("Conditions on buyers"),
                required=False,
                max_length=2000,
                help_text=_(
                    "Disclosed with the listing; a relisting keeps the current ones unless "
                    "given. Enterprise assets: none unless a law or rule requires them "
                    "(Order 32 art. 51)."
                ),
            )
            f["conditions_basis"] = forms.CharField(
                label=_("Law or rule requiring the conditions"), max_length=300, required=False
            )
        if "extension" in needs:
            f["disclosure_ends"] = date_field(_("New end of disclosure"))
        if "bidders" in needs:
            f["concluded_on"] = date_field(
                _("Deal made on"), required=False, help_text=PAST_DATE_HELP
            )
        if "notice" in needs:
            f["published_on"] = date_field(
                _("Result notice published on"), required=False, help_text=PAST_DATE_HELP
            )
        if "counterparty" in needs:
            f["counterparty_unit"] = forms.ModelChoiceField(
                label=_("State-owned counterparty"), required=False, queryset=_soe_units()
            )
            f["counterparty"] = forms.CharField(
                label=_("Or its name"), max_length=200, required=False
            )
            f["counterparty_soe"] = forms.BooleanField(
                label=_("The named counterparty is state-owned"), required=False
            )
        if "art31_case" in needs:
            f["art31_case"] = forms.ChoiceField(
                label=_("Order 32 art. 31 case"), choices=blank_choice(Art31Case.choices)
            )
        if "art31_approval" in needs:
            f["approval_body"] = forms.ChoiceField(
                label=_("Approved by"), choices=blank_choice(ApprovalBody.choices)
            )
            f["approval_ref"] = forms.CharField(label=_("Approval document number"), max_length=100)
            f["approval_on"] = date_field(_("Approval date"), required=False)
        if "free_recipient" in needs:
            f["counterparty_unit"] = forms.ModelChoiceField(
                label=_("Recipient unit"), required=False, queryset=Unit.objects.all()
            )
            f["counterparty"] = forms.CharField(
                label=_("Or its name"), max_length=200, required=False
            )
            f["counterparty_soe"] = forms.BooleanField(
                label=_("The named recipient is a state entity"), required=False
            )
            f["counterparty_credit_code"] = forms.CharField(
                label=_("Unified social credit code"), max_length=40, required=False
            )
        if "evidence" in needs:
            f["evidence_kind"] = forms.ChoiceField(
                label=_("Evidence"), choices=blank_choice(EvidenceKind.choices)
            )
            f["evidence_ref"] = forms.CharField(label=_("Evidence document number"), max_length=100)
            f["evidence_issuer"] = forms.CharField(label=_("Issued by"), max_length=200)
            f["evidence_on"] = date_field(_("Evidence date"), required=False)
        if "recipient" in needs:
            f["counterparty_unit"] = forms.ModelChoiceField(
                label=_("Recipient state-owned company"), queryset=_soe_units()
            )
        if "swap" in needs:
            f["debt"] = forms.ModelChoiceField(label=_("Debt"), queryset=money.open_debts())
        if transition.needs_deal:
            label = _("Agreed value") if "swap" in needs or "recipient" in needs else None
            f["deal_price"] = AmountFormField(label=label or _("Deal price"), help_text=UNIT_HELP)
            if not needs & {"swap", "recipient", "counterparty"}:
                f["buyer"] = forms.CharField(
                    label=_("Buyer"),
                    max_length=200,
                    required=transition.name != "conclude" or "bidders" in needs,
                )
        if "bidders" in needs:
            f["bidders"] = forms.IntegerField(
                label=_("Qualified bidders"), min_value=1, initial=1, required=False
            )
        if "tranches" in needs:
            f["buyer"] = forms.CharField(label=_("Issuing vehicle"), max_length=200)
            f["tranches"] = forms.CharField(
                label=_("Tranches"),
                help_text=_("One per line: name; size in yuan; rate in percent"),
                widget=forms.Textarea(attrs={"rows": 3, "class": "mono"}),
            )
        if "contract" in needs:
            f["counterparty"] = forms.CharField(label=_("Tenant or concessionaire"), max_length=200)
            f["term_start"] = date_field(_("Term starts"))
            f["term_end"] = date_field(_("Term ends"))
            f["period_amount"] = AmountFormField(label=_("Amount per period"), help_text=UNIT_HELP)
            f["frequency"] = forms.ChoiceField(
                label=_("Payment frequency"), choices=Frequency.choices
            )
            f["deposit"] = AmountFormField(label=_("Deposit"), required=False, help_text=UNIT_HELP)
            f["tender_ref"] = forms.CharField(
                label=_("Public tender notice"),
                max_length=200,
                required=False,
                help_text=_("Required when the yearly rent is above the public tender threshold."),
            )
        if "renewal" in needs:
            f["term_end"] = date_field(_("New end of term"))
            f["period_amount"] = AmountFormField(
                label=_("Amount per period"), required=False, help_text=UNIT_HELP
            )
        if transition.needs_deal or needs & {"relist"} or transition.name in AMOUNT_STEPS:
            f["confirm_amount"] = forms.BooleanField(
                label=_("I confirm this amount"), required=False, help_text=CONFIRM_HELP
            )
        f["comment"] = text_field(
            _("Reason") if transition.needs_comment else _("Comment"),
            rows=2,
            required=transition.needs_comment,
        )

    def clean_tranches(self) -> list[dict]:
        rows = []
        for n, line in enumerate(self.cleaned_data["tranches"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[;；\t]", line)]
            if len(parts) != 3:
                raise forms.ValidationError(
                    _("Line %(n)s: give name; size; rate."), params={"n": n}
                )
            rows.append({"name": parts[0], "size": parts[1].replace(",", ""), "rate": parts[2]})
        return rows

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
        data.setdefault("comment", "")
        return data


def _soe_units():

    return Unit.objects.filter(kind=Unit.Kind.SOE)


class CandidateFilterForm(forms.Form):
    """Filters of the scope candidates offered on the package pages."""

    cq = search_field(_("Code, name or address"), _("Search candidates"))
    ckind = forms.ChoiceField(label=_("Kind"), required=False, choices=())

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["ckind"].choices = blank_choice(AssetKind.choices)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"q": self.cleaned_data["cq"], "kind": self.cleaned_data["ckind"]}


class SuggestionFilterForm(forms.Form):
    radius_km = forms.DecimalField(
        label=_("Radius (km)"), min_value=Decimal("0.1"), max_value=100, initial=2,
        required=False, decimal_places=1,
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=())
    max_size = forms.IntegerField(
        label=_("At most assets per package"), min_value=2, max_value=500, initial=10,
        required=False,
    )  # fmt: skip
    max_value = MoneyFormField(label=_("At most value per package (yuan)"), required=False)

    def __init__(self, *args, **kwargs):

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = blank_choice(AssetKind.choices)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        d = self.cleaned_data
        out: dict = {"kind": d["kind"] or ""}
        if d["radius_km"]:
            out["radius_km"] = float(d["radius_km"])
        if d["max_size"]:
            out["max_size"] = d["max_size"]
        if d["max_value"]:
            out["max_value"] = d["max_value"]
        return out


class FromSuggestionForm(forms.Form):
    """Make a package of one suggestion: its assets, a name and a channel."""

    jurisdiction = forms.IntegerField(widget=forms.HiddenInput)
    asset_ids = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)

    def clean_asset_ids(self) -> list[int]:
        try:
            ids = [int(x) for x in self.cleaned_data["asset_ids"].split(",") if x.strip()]
        except ValueError:
            raise forms.ValidationError(_("Asset ids are numbers.")) from None
        if not ids or len(ids) > MAX_ASSETS_PER_FORM:
            raise forms.ValidationError(_("Asset ids are numbers."))
        return ids
