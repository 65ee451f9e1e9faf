"""Filters of the audit log page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import blank_choice, date_field
from panhuo.core.lists import ListFilterForm


class AuditFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    seq = forms.IntegerField(label=_("Entry number"), required=False, min_value=1)
    date_from = date_field(
        _("From (date)"), required=False, help_text=_("Entries on or after this day")
    )
    date_to = date_field(
        _("Until (date)"), required=False, help_text=_("Entries on or before this day")
    )

    def __init__(self, *args, actions, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = blank_choice([(a, a) for a in actions])
        self.fields["object_type"].choices = blank_choice([(t, t) for t in object_types])

    def filters(self) -> dict:
        data = super().filters()
        for name in ("object_id", "actor"):
            if name in data:
                data[name] = data[name].strip()
        if "actor" in data:
            data["actor_name"] = data.pop("actor")
        return data
