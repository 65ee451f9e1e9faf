"""The password change a user must make when someone else chose their password.

``panhuo setup`` and a site administrator's reset set ``User.must_change_password``. Until the
user has chosen their own, every page sends them to the change-password page and every API call
made with their session or token answers 403 saying why (``PasswordChangeRequired``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from panhuo.organisation.admin_users import password_changed

#: URL names a user who must change their password may still open.
OPEN_PAGES = ("password-change", "logout", "login", "set-language")


def change_required_message() -> str:
    return _(
        "You must change your password before you go on: an administrator set it "
        "(change it at /password/)."
    )


class PasswordChangeRequired(PermissionDenied):
    """An API call by a user who must first change their password (403)."""

    def __init__(self) -> None:
        super().__init__(change_required_message())


def must_change(user) -> bool:
    return bool(
        user is not None and user.is_authenticated and getattr(user, "must_change_password", False)
    )


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in user who must change their password to the page that does it; an API
    call with their session answers 403 naming the reason."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = tuple(reverse(name) for name in OPEN_PAGES)
        return self._open

    def __call__(self, request):
        user = getattr(request, "user", None)
        if must_change(user) and request.path not in self.open_paths():
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": change_required_message()}, status=403)
            if not request.path.startswith("/static/"):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('password-change')}?{query}")
        return self.get_response(request)


class OwnPasswordForm(auth_forms.PasswordChangeForm):
    """Django's form (old password, the new one twice, the password validators), which also
    refuses the password an administrator gave."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise ValidationError(
                _("Choose a new password, not the one you were given."), code="same"
            )
        return new


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "organisation/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)  # saves it and keeps the session signed in
        password_changed(user=form.user)
        messages.success(self.request, _("Your password was changed."))
        target = self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return redirect(target)
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = self.request.user.must_change_password
        return context
