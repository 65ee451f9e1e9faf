"""Forms of the organisation pages."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from panhuo.core.money import UNIT_CHOICES, site_default_label
from panhuo.organisation.throttle import throttle


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=lambda: settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class MoneyUnitForm(forms.Form):
    """The unit amounts are shown in; blank goes back to the site's."""

    money_unit = forms.ChoiceField(
        label=_("Show amounts in"),
        required=False,
        choices=lambda: [("", site_default_label()), *UNIT_CHOICES],
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing every attempt for a while after too many failures
    (organisation/throttle.py). While locked the password is not even checked."""

    throttled: str = ""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        wait = throttle.login_retry_after(self.request, username)
        if wait:
            minutes = max(1, -(-wait // 60))
            self.throttled = ngettext(
                "Too many failed sign-ins. Try again in %(minutes)d minute.",
                "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                minutes,
            ) % {"minutes": minutes}
            self.retry_after = wait
            raise ValidationError(self.throttled, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.login_failed(self.request, username)
            raise
        throttle.login_succeeded(self.request, username)
        return cleaned
