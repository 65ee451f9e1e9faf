"""Pages about people and places: sign-in, language, "me", jurisdictions and units."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panhuo.core.querying import id_or_missing
from panhuo.core.ui import fetch_or_404, section_required
from panhuo.organisation import hooks, policy
from panhuo.organisation.forms import LanguageForm, MoneyUnitForm, ThrottledAuthenticationForm
from panhuo.organisation.models import Jurisdiction, Unit
from panhuo.organisation.preferences import user_set_language, user_set_money_unit


def get_jurisdiction_for(user, pk) -> Jurisdiction:
    """A jurisdiction the caller works in (or below); DoesNotExist otherwise."""
    pk = id_or_missing(pk, Jurisdiction)
    q = policy.scope_q(user, "organisation", "view", path="path", unit="units")
    visible = Jurisdiction.objects.filter(q).values("pk")
    return Jurisdiction.objects.select_related("parent").get(pk=pk, pk__in=visible)


def get_unit_for(user, pk) -> Unit:
    """A holding unit the caller may see; DoesNotExist otherwise."""
    pk = id_or_missing(pk, Unit)
    q = policy.scope_q(user, "organisation", "view", path="jurisdiction__path", unit="pk")
    return Unit.objects.filter(q).select_related("jurisdiction").get(pk=pk)


class SignInView(auth_views.LoginView):
    """Django's sign-in page with the throttled form: a locked-out attempt answers 429."""

    template_name = "organisation/login.html"
    redirect_authenticated_user = True
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


@require_POST
def set_language(request):
    """Switch the interface language: kept on the user (audited) and in a cookie."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = settings.LOGIN_REDIRECT_URL if request.user.is_authenticated else "login"
    response = redirect(target)
    if not form.is_valid():
        messages.error(request, _("Unknown language."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        try:
            user_set_language(actor=request.user, language=language)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return response
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


@login_required
@require_POST
def set_money_unit(request):
    """Choose the unit amounts are shown in (kept on the user, audited); back where it was
    chosen."""
    form = MoneyUnitForm(request.POST)
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "me"
    response = redirect(target)
    if not form.is_valid():
        messages.error(request, _("Unknown unit."))
        return response
    try:
        user_set_money_unit(actor=request.user, unit=form.cleaned_data["money_unit"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return response


@login_required
def me(request):
    assignments = (
        request.user.assignments.current()
        .select_related("jurisdiction", "unit")
        .order_by("jurisdiction__path", "role")
    )
    return render(
        request,
        "organisation/me.html",
        {
            "assignments": assignments,
            "can_view_places": policy.can_any(request.user, "organisation", "view"),
            "money_unit_form": MoneyUnitForm(
                initial={"money_unit": request.user.money_unit, "next": request.get_full_path()}
            ),
        },
    )


@section_required("organisation")
def jurisdiction_detail(request, pk):
    jurisdiction = fetch_or_404(get_jurisdiction_for, request.user, pk)
    units = (
        Unit.objects.filter(
            policy.scope_q(
                request.user, "organisation", "view", path="jurisdiction__path", unit="pk"
            ),
            jurisdiction=jurisdiction,
        )
        .annotate(asset_count=Count("assets"))
        .order_by("name")
    )
    children = Jurisdiction.objects.filter(
        pk__in=Jurisdiction.objects.filter(
            policy.scope_q(request.user, "organisation", "view", path="path", unit="units")
        ).values("pk"),
        parent=jurisdiction,
    )
    return render(
        request,
        "organisation/jurisdiction_detail.html",
        {
            "jurisdiction": jurisdiction,
            "units": units,
            "children": children,
            "task_force": getattr(jurisdiction, "task_force", None),
        },
    )


@section_required("organisation")
def unit_detail(request, pk):
    unit = fetch_or_404(get_unit_for, request.user, pk)
    context = {"unit": unit}
    for extra in hooks.unit_figures.call(user=request.user, unit=unit):
        context.update(extra)
    return render(request, "organisation/unit_detail.html", context)
