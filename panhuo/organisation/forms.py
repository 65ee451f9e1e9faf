"""Forms of the organisation pages."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=lambda: settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
