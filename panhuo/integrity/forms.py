"""Filters of the audit log page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import blank_choice


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    seq = forms.IntegerField(label=_("Entry number"), required=False, min_value=1)

    def __init__(self, *args, actions, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = blank_choice([(a, a) for a in actions])
        self.fields["object_type"].choices = blank_choice([(t, t) for t in object_types])

    def apply(self, qs):
        """``qs`` narrowed by the fields that are valid."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("action"):
            qs = qs.filter(action=data["action"])
        if data.get("object_type"):
            qs = qs.filter(object_type=data["object_type"])
        if data.get("object_id"):
            qs = qs.filter(object_id=data["object_id"].strip())
        if data.get("actor"):
            qs = qs.filter(actor_name__iexact=data["actor"].strip())
        if data.get("seq"):
            qs = qs.filter(seq=data["seq"])
        return qs
