"""Forms of the red-flag pages: the list's filters, the auditor's resolution, a place's
thresholds. They read input; the services decide what may be written."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import PlaceFilterForm, choice_filter, search_field, text_field
from panhuo.flags.models import FlagStatus, Resolution, Severity
from panhuo.flags.registry import CATEGORIES, RULES
from panhuo.organisation import policy


def rule_choices() -> list[tuple[str, str]]:
    return [(code, str(r.label)) for code, r in RULES.items()]


class FlagFilterForm(PlaceFilterForm):
    places_of = "flag"
    q = search_field(_("Record or rule"))
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    category = choice_filter(_("Kind"), [(k, v) for k, v in CATEGORIES.items()])
    severity = choice_filter(_("Severity"), Severity.choices)
    status = choice_filter(_("Status"), FlagStatus.choices)
    # "confirmed": rectified or referred (the scorecards' confirmed flags link here with it).
    resolution = choice_filter(
        _("Resolution"),
        [*Resolution.choices, ("confirmed", _("Rectified or referred"))],
    )
    unit = forms.ModelChoiceField(label=_("Holding unit"), queryset=None, required=False,
                                  empty_label=_("All"))  # fmt: skip
    older_than_days = forms.IntegerField(
        label=_("First seen at least (days ago)"), min_value=0, max_value=36500, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["rule"].choices = [("", _("All")), *rule_choices()]
        self.fields["unit"].queryset = policy.units_for(user, "flag", "view").order_by("code")

    def filters(self) -> dict:
        found = super().filters()
        for key in ("unit", "jurisdiction"):
            if key in found:
                found[key] = found[key].pk
        return found


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Resolution.choices,
                                   widget=forms.RadioSelect)  # fmt: skip
    comment = text_field(
        _("Comment"), rows=4, max_length=4000,
        help_text=_("Why: what the auditor found, and what was done."),
    )  # fmt: skip


class ThresholdsForm(forms.Form):
    """One rule's parameters for one place; the parameter fields are added per rule."""

    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    rule = forms.ChoiceField(label=_("Rule"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(user, "flag", "view")
        self.fields["rule"].choices = rule_choices()
        code = (self.data.get("rule") if self.is_bound else None) or ""
        r = RULES.get(code)
        for p in r.params if r else ():
            self.fields[p.name] = forms.CharField(label=p.label, required=False, max_length=40)

    def clean(self):
        data = super().clean()
        r = RULES.get(data.get("rule", ""))
        data["values"] = {p.name: data.pop(p.name, "") for p in (r.params if r else ())}
        return data
