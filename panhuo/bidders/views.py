"""Bidders' pages: self-registration (public), the bidder's own account with their declared
relations, and the office's list and verification page.

Pages need a sign-in unless they say otherwise: ``register`` is the one public page, and says
so (Django's ``login_not_required``). A bidder reaches only their own registration (through
``bidder_for``); the office reaches the bidders of its places (``get_bidder_for``: another
place's is a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from panhuo.bidders import services, throttle
from panhuo.bidders.forms import (
    BidderFilterForm,
    DetailsForm,
    PlaceForm,
    RelationForm,
    SignUpForm,
    StepForm,
)
from panhuo.bidders.models import Bidder
from panhuo.bidders.selectors import (
    BIDDER_ORDERINGS,
    bidder_for,
    bidder_list,
    get_bidder_for,
    get_own_relation,
    relations_of,
)
from panhuo.bidders.workflow import steps_from
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    button_write,
    fetch_or_404,
    form_post,
    form_write,
    section_required,
)
from panhuo.organisation.throttle import Throttled

BACKEND = "django.contrib.auth.backends.ModelBackend"


@login_not_required
def register(request):
    """An anonymous visitor opens an account and registers as a bidder; they are signed in and
    sent to their account page, awaiting the office's verification."""
    if request.user.is_authenticated:
        return redirect("bidder-account")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            throttle.check(request)
        except Throttled as exc:
            form.is_valid()
            form.add_error(None, str(exc))
            response = render(request, "bidders/register.html", {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_after)
            return response
        throttle.count(request)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "password2"}
            data["language"] = _language(request)
            bidder = form_write(request, form, lambda: services.self_register(**data))
            if bidder is not None:
                login(request, bidder.user, backend=BACKEND)
                messages.success(
                    request,
                    _("You are registered. The task-force office will check your details."),
                )
                return redirect("bidder-account")
        else:
            _details_errors(form)
        status = 400
    return render(request, "bidders/register.html", {"form": form}, status=status)


def _details_errors(form, exclude: Bidder | None = None) -> None:
    """Put the services' refusals of the details (a check digit, a number registered already)
    under their fields too when the form itself is refused, so one round shows every error."""
    raw = {k: form.data.get(k, "") for k in services.DETAIL_FIELDS}
    try:
        services.clean_details(raw, exclude=exclude)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            if field in form.fields and field not in form.errors:
                form.add_error(field, errors)


def _language(request) -> str:
    code = getattr(request, "LANGUAGE_CODE", "") or ""
    return code if code in ("en", "zh-hans") else ""


def _own(request) -> Bidder:
    bidder = bidder_for(request.user)
    if bidder is None:
        raise Http404(_("You are not registered as a bidder."))
    return bidder


@require_safe
@login_required
def account(request):
    """The bidder's own page: their status, details and declared relations, and what they may
    still change."""
    bidder = bidder_for(request.user)
    return render(request, "bidders/account.html", _account_context(bidder))


def _account_context(bidder: Bidder | None, relation_form=None) -> dict:
    if bidder is None:
        return {"bidder": None}
    return {
        "bidder": bidder,
        "relations": relations_of(bidder),
        "relation_form": relation_form or (RelationForm() if bidder.editable else None),
        "may_resubmit": bidder.status == "rejected",
    }


@login_required
def account_edit(request):
    bidder = _own(request)
    if not bidder.editable:
        messages.error(
            request,
            _("Your registration is %(status)s: it can no longer be changed.")
            % {"status": bidder.get_status_display()},
        )
        return redirect("bidder-account")
    initial = {k: getattr(bidder, k) for k in services.DETAIL_FIELDS}
    form = DetailsForm(request.POST if request.method == "POST" else None, initial=initial)
    return _details_post(
        request, form, lambda data: services.bidder_update(actor=request.user, bidder=bidder,
                                                           **data),
        _("Your details are saved."), (_("Correct my details"), _("Save")), exclude=bidder,
    )  # fmt: skip


@login_required
def account_register(request):
    """A signed-in user without a registration (an account the site administrator opened, say)
    registers their details; someone registered already is sent to their account."""
    if bidder_for(request.user) is not None:
        return redirect("bidder-account")
    form = PlaceForm(request.POST if request.method == "POST" else None)
    return _details_post(
        request, form,
        lambda data: services.register_bidder(actor=request.user, user=request.user, **data),
        _("You are registered. The task-force office will check your details."),
        (_("Register my details"), _("Register")),
    )  # fmt: skip


def _details_post(request, form, write, message: str, texts: tuple[str, str], exclude=None):
    """The bidder's details form (``texts``: its title and button), shown or posted: the
    service's checks name every wrong field (``_details_errors``); saved, to the account."""
    if request.method == "POST" and not form.is_valid():
        _details_errors(form, exclude=exclude)
    context = {"title": texts[0], "submit": texts[1]}
    status = 400 if request.method == "POST" else 200
    return form_post(
        request, form, write, message, to="bidder-account",
        page=lambda form: render(request, "bidders/account_form.html",
                                 {"form": form, **context}, status=status),
    )  # fmt: skip


@require_POST
@login_required
def relation_add(request):
    bidder = _own(request)
    return form_post(
        request, RelationForm(request.POST),
        lambda data: services.relation_add(actor=request.user, bidder=bidder, **data),
        _("Relation declared."), to="bidder-account",
        page=lambda form: render(request, "bidders/account.html",
                                 _account_context(bidder, relation_form=form), status=400),
    )  # fmt: skip


@require_POST
@login_required
def relation_remove(request, pk):
    relation = fetch_or_404(get_own_relation, request.user, pk)
    button_write(
        request,
        lambda: services.relation_remove(actor=request.user, relation=relation),
        _("Relation withdrawn."),
    )
    return redirect("bidder-account")


@require_POST
@login_required
def resubmit(request):
    bidder = _own(request)
    button_write(
        request,
        lambda: services.bidder_transition(request.user, bidder, "pending"),
        _("Your registration is back with the office for verification."),
    )
    return redirect("bidder-account")


# --- The office ------------------------------------------------------------------------------


class BidderList(ObjectList):
    target, resource, url_name = "bidders", "bidder", "bidder-list"
    template, filter_form = "bidders/bidder_list.html", BidderFilterForm
    rows, orderings = bidder_list, BIDDER_ORDERINGS  # searches q itself
    columns = [
        Column("name", gettext_lazy("Name")),
        Column("kind", gettext_lazy("Kind"), "get_kind_display"),
        Column("number", gettext_lazy("ID number or credit code"), show=False),
        Column("phone", gettext_lazy("Phone"), show=False),
        Column("jurisdiction", gettext_lazy("Registered with"), "jurisdiction.name"),
        Column("registered_at", gettext_lazy("Registered")),
        Column("relations", gettext_lazy("Declared relations"), "n_relations", numeric=True),
        Column("status", gettext_lazy("Status"), "get_status_display"),
    ]


bidder_list_view = BidderList.as_view()


def _office_steps(user, bidder: Bidder) -> list:
    steps = steps_from(bidder.status)
    return [t for t in steps if not t.own and services.may_decide(user, bidder, t.name)]


def _detail(request, bidder: Bidder, form=None, status: int = 200):
    return render(
        request,
        "bidders/bidder_detail.html",
        {
            "bidder": bidder,
            "relations": relations_of(bidder),
            "steps": _office_steps(request.user, bidder),
            "form": form,
        },
        status=status,
    )


@require_safe
@section_required("bidder")
def bidder_detail(request, pk):
    return _detail(request, fetch_or_404(get_bidder_for, request.user, pk))


@require_POST
@section_required("bidder")
def bidder_step(request, pk):
    bidder = fetch_or_404(get_bidder_for, request.user, pk)
    if not services.may_decide_any(request.user, bidder):
        raise PermissionDenied(_("Your roles do not allow deciding on this bidder."))
    form = StepForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["to"]
        step = next((t for t in steps_from(bidder.status) if t.target == to), None)
        if (
            step is not None
            and not step.own
            and not services.may_decide(request.user, bidder, step.name)
        ):
            raise PermissionDenied(_("You may not take this step."))
        done = form_write(
            request, form,
            lambda: services.bidder_transition(request.user, bidder, to,
                                               form.cleaned_data["reason"]),
            lambda b: _("Bidder %(name)s: %(status)s.") % {"name": b.name,
                                                   "status": b.get_status_display()},
        )  # fmt: skip
        if done is not None:
            return redirect(done)
    return _detail(request, bidder, form=form, status=400)
