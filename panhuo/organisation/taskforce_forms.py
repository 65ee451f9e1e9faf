"""Forms of the task-force page (for the head and the site administrator)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import line_field
from panhuo.organisation.models import TaskForceMember

DATE = forms.DateInput(attrs={"type": "date"})


class TaskForceForm(forms.Form):
    name = line_field(_("Name"), 200)
    name_en = line_field(_("Name in English"), 200, required=False)
    document_number = line_field(
        _("Founding document number"),
        100,
        _("e.g. 河西区政府办〔2025〕12号; attach the file under Documents below."),
        required=False,
    )
    established_on = forms.DateField(label=_("Founded on"), widget=DATE)


class MemberJoinForm(forms.Form):
    user = forms.ModelChoiceField(label=_("User"), queryset=None)
    position = forms.ChoiceField(label=_("Position"), choices=TaskForceMember.Position.choices)
    seconded_from = forms.ChoiceField(
        label=_("Seconded from"), choices=TaskForceMember.Bureau.choices
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE, required=False)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class _MemberForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class MemberLeaveForm(_MemberForm):
    left_on = forms.DateField(label=_("Left on"), widget=DATE, required=False)


class MemberPositionForm(_MemberForm):
    position = forms.ChoiceField(label=_("New position"), choices=TaskForceMember.Position.choices)
    on = forms.DateField(label=_("Effective from"), widget=DATE, required=False)
