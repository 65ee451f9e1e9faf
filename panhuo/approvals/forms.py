"""Forms of the approval pages. They parse input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.approvals.models import STEP_ROLES, ApprovalStatus
from panhuo.approvals.registry import channel_choices, purpose_choices
from panhuo.core.forms import MoneyFormField, blank_choice, text_field
from panhuo.core.lists import ListFilterForm
from panhuo.organisation import policy
from panhuo.organisation.models import Role, User

MAX_FORM_STEPS = 4


def _step_role_choices():
    return [(r.value, r.label) for r in Role if r in STEP_ROLES]


def _channel_choices():
    return channel_choices()


class RequestFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = blank_choice(ApprovalStatus.choices)
        self.fields["purpose"].choices = blank_choice(purpose_choices())


class ChainFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = blank_choice(purpose_choices())


class DelegationFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    mine = forms.BooleanField(label=_("Mine only"), required=False)


class InboxFilterForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = blank_choice(purpose_choices())


class DecisionForm(forms.Form):
    """Approve or reject: the button pressed says which (``decision``)."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = text_field(
        _("Comment"), rows=2, required=False, max_length=10_000, help_text=_("Required to reject.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    #: The step the decider read: a request that moved on is a conflict, not the next step.
    step = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, **kwargs):
        if data is not None and "decision" not in data:
            data = data.copy()
            data["decision"] = "approve" if "approve" in data else "reject"
        super().__init__(data, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("A rejection needs a written reason."))
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=10_000, widget=forms.TextInput()
    )


class ChainForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    purpose = forms.ChoiceField(label=_("Purpose"))
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, help_text=_("Blank: any channel.")
    )
    min_amount = MoneyFormField(
        label=_("From amount (yuan)"),
        min_value=0,
        initial="0.00",
        help_text=_("The chain applies to amounts of at least this."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(
            user, "approval_chain", "set"
        )
        self.fields["purpose"].choices = purpose_choices()
        self.fields["channel"].choices = blank_choice(_channel_choices(), _("Any channel"))
        for i in range(1, MAX_FORM_STEPS + 1):
            self.fields[f"step_{i}"] = forms.MultipleChoiceField(
                label=_("Step %(n)s: who decides") % {"n": i},
                choices=_step_role_choices(),
                required=i == 1,
                widget=forms.CheckboxSelectMultiple,
            )

    def steps(self) -> list[list[str]]:
        out = []
        for i in range(1, MAX_FORM_STEPS + 1):
            roles = self.cleaned_data.get(f"step_{i}") or []
            if roles:
                out.append(list(roles))
        return out

    @classmethod
    def initial_for(cls, chain) -> dict:
        initial = {
            "jurisdiction": chain.jurisdiction_id,
            "purpose": chain.purpose,
            "channel": chain.channel,
            "min_amount": chain.min_amount,
            "name": chain.name,
            "version": chain.version,
        }
        for i, roles in enumerate(chain.step_roles(), start=1):
            initial[f"step_{i}"] = roles
        return initial


class DelegationForm(forms.Form):
    to_user = forms.ModelChoiceField(label=_("Delegate"), queryset=None)
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every purpose."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        paths = [g.path for g in policy.grants(user) if g.role in STEP_ROLES]
        people = User.objects.none()
        if paths:
            from django.db.models import Q

            q = Q(pk__in=[])
            for p in paths:
                q |= Q(assignments__jurisdiction__path__startswith=p)
            people = (
                User.objects.filter(
                    q,
                    is_active=True,
                    assignments__role__in=list(STEP_ROLES),
                    assignments__ended_at__isnull=True,
                )
                .exclude(pk=user.pk)
                .distinct()
                .order_by("username")
            )
        self.fields["to_user"].queryset = people
        self.fields["purposes"].choices = purpose_choices()
