"""Forms of the site administrator's pages (admin_views.py). They only shape the input: every
rule (codes, scope, roles) is the services' (admin_places.py, admin_users.py), whose errors
come back under the same field names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from panhuo.core.forms import line_field
from panhuo.core.lists import ListFilterForm
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, Unit

LANGUAGE_CHOICES = [("", _("As the site")), ("en", "English"), ("zh-hans", "简体中文")]


def _jurisdictions(user):
    return policy.jurisdictions_for(user, "organisation", "manage").order_by("path")


def _units(user):
    return policy.units_for(user, "organisation", "manage").order_by("jurisdiction__path", "name")


class JurisdictionForm(forms.Form):
    code = forms.CharField(
        label=_("Division code"),
        max_length=32,
        help_text=_("GB/T 2260: six digits; a city's start with its province's first two, a "
                    "district's with its city's first four."),
    )  # fmt: skip
    name = line_field(_("Name (Chinese)"), 200)
    name_en = line_field(_("Name in English"), 200, required=False)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", _("From the code")), *Jurisdiction.Level.choices],
        required=False,
    )
    parent = forms.ModelChoiceField(label=_("Belongs to"), queryset=Jurisdiction.objects.none())

    def __init__(self, *args, user, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = _jurisdictions(user)


class UnitForm(forms.Form):
    credit_code = line_field(
        _("Unified social credit code"),
        40,
        _("GB 32100: 18 characters, the last a check character."),
    )
    code = line_field(_("Internal code"), 32, _("Left empty: the credit code."), required=False)
    name = line_field(_("Name (Chinese)"), 200)
    name_en = line_field(_("Name in English"), 200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("Jurisdiction"), queryset=Jurisdiction.objects.none()
    )
    supervisor = forms.ModelChoiceField(
        label=_("Supervising department"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, user, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if edit:
            del self.fields["jurisdiction"]
            # A unit registered before credit codes were kept may still have none.
            self.fields["credit_code"].required = False
        else:
            self.fields["jurisdiction"].queryset = _jurisdictions(user)
        self.fields["supervisor"].queryset = _units(user).filter(kind=Unit.Kind.DEPARTMENT)


class GrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    jurisdiction = forms.ModelChoiceField(
        label=_("Over the jurisdiction"), queryset=Jurisdiction.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=_("Over the unit (unit asset officer)"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = _jurisdictions(user)
        self.fields["unit"].queryset = _units(user)


class UserCreateForm(GrantForm):
    username = line_field(_("User name"), 150)
    first_name = line_field(_("Name"), 150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    field_order = ["username", "first_name", "email", "language", "role", "jurisdiction", "unit"]


class UserEditForm(forms.Form):
    """A user's name and email (the username never changes)."""

    first_name = line_field(_("Name"), 150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class JurisdictionFilterForm(ListFilterForm):
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All")), *Jurisdiction.Level.choices], required=False
    )


class UnitFilterForm(ListFilterForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All")), *Unit.Kind.choices], required=False
    )


class UserFilterForm(ListFilterForm):
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("All")), *Role.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("yes", _("Active")), ("no", _("Deactivated"))],
        required=False,
    )
