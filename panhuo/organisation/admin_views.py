"""The site administrator's pages: jurisdictions, holding units and users (with their roles).

Lists are the list kit's (core/lists.py); every write goes to admin_places.py / admin_users.py,
whose refusals become the 403 page and whose field errors come back under the form's fields.
"""

from __future__ import annotations

from typing import ClassVar

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    button_write,
    fetch_or_404,
    form_post,
    form_write,
    section_required,
)
from panhuo.organisation import admin_places, admin_users, policy
from panhuo.organisation.admin_forms import (
    GrantForm,
    JurisdictionFilterForm,
    JurisdictionForm,
    UnitFilterForm,
    UnitForm,
    UserCreateForm,
    UserEditForm,
    UserFilterForm,
)
from panhuo.organisation.models import Jurisdiction, RoleAssignment, Unit

ORG, USERS = ("organisation", "manage"), ("user", "manage")


# --- Selectors ----------------------------------------------------------------------------------


def jurisdiction_rows(user, level: str = ""):
    qs = policy.jurisdictions_for(user, *ORG).select_related("parent")
    return qs.filter(level=level) if level else qs


def unit_rows(user, kind: str = ""):
    qs = policy.units_for(user, *ORG).select_related("supervisor")
    return qs.filter(kind=kind) if kind else qs


def user_rows(user, role: str = "", active: str = ""):
    qs = admin_users.users_for(user)
    if role:
        held = RoleAssignment.objects.current().filter(role=role).values("user_id")
        qs = qs.filter(pk__in=held)
    if active in ("yes", "no"):
        qs = qs.filter(is_active=active == "yes")
    return qs


def _managed_jurisdiction(user, pk) -> Jurisdiction:
    return policy.jurisdictions_for(user, *ORG).select_related("parent").get(pk=pk)


def _managed_unit(user, pk) -> Unit:
    return policy.units_for(user, *ORG).get(pk=pk)


# --- Lists --------------------------------------------------------------------------------------


class AdminList(ObjectList):
    """A list of the site administrator's: of ``kind`` (``unit``), its URL name, template and
    export are ``admin-unit-list``, ``organisation/admin/unit_list.html`` and ``units``."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs):
        cls.url_name = f"admin-{cls.kind}-list"
        cls.template = f"organisation/admin/{cls.kind}_list.html"
        cls.export_name = f"{cls.kind}s"
        super().__init_subclass__(**kwargs)


class JurisdictionAdminList(AdminList):
    """The jurisdictions the site administrator keeps."""

    kind, resource, action = "jurisdiction", "organisation", "manage"
    rows, filter_form = jurisdiction_rows, JurisdictionFilterForm
    search = ("code", "name", "name_en")
    orderings = {"path": "path", "code": "code", "name": "name", "level": "level"}
    default_sort = "path"
    columns = [
        Column("code", _l("Division code")),
        Column("name", _l("Name")),
        Column("name_en", _l("Name in English")),
        Column("level", _l("Level"), "get_level_display"),
        Column("parent", _l("Belongs to"), "parent.name"),
    ]


class UnitAdminList(AdminList):
    """The holding units of the jurisdictions the site administrator keeps."""

    kind, resource, action = "unit", "organisation", "manage"
    rows, filter_form = unit_rows, UnitFilterForm
    search = ("code", "credit_code", "name", "name_en")
    orderings = {
        "jurisdiction": "jurisdiction__path",
        "credit_code": "credit_code",
        "name": "name",
        "kind": "kind",
    }
    default_sort = "jurisdiction"
    columns = [
        Column("credit_code", _l("Unified social credit code")),
        Column("name", _l("Name")),
        Column("kind", _l("Kind"), "get_kind_display"),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("supervisor", _l("Supervising department"), "supervisor.name"),
    ]


class UserAdminList(AdminList):
    """The users holding (or having held) a role where the site administrator works."""

    kind, resource, action = "user", "user", "view"
    rows, filter_form = user_rows, UserFilterForm
    search = ("username", "first_name", "last_name", "email")
    orderings = {"username": "username", "name": "first_name", "joined": "date_joined"}
    default_sort = "username"
    columns = [
        Column("username", _l("User name")),
        Column("name", _l("Name"), "get_full_name"),
        Column("email", _l("Email")),
        Column("roles", _l("Roles now"), lambda u: ", ".join(str(r) for r in u.current_roles)),
        Column("is_active", _l("Active")),
    ]

    def get_queryset(self, filters: dict):
        return super().get_queryset(filters).prefetch_related("assignments__jurisdiction")

    def decorate(self, rows):
        for u in rows:
            u.current_roles = [
                f"{a.get_role_display()} @ {a.jurisdiction.name}"
                for a in u.assignments.all()
                if a.ended_at is None
            ]

    def export_rows(self, qs):
        for row in qs:
            self.decorate([row])
            yield [c.cell(row) for c in self.export_columns()]


jurisdiction_list_view = JurisdictionAdminList.as_view()
unit_list_view = UnitAdminList.as_view()
user_list_view = UserAdminList.as_view()


# --- Jurisdictions and units --------------------------------------------------------------------


def _form_page(request, form, title: str, back: str):
    return render(
        request, "organisation/admin/form.html", {"form": form, "title": title, "back": back}
    )


def _place_form(request, form, write, message, title: str, back: str):
    """A jurisdiction's or unit's form page: a valid post runs ``write(data)`` (its refusals go
    under the fields) and returns to the list ``back`` with ``message(record)`` flashed."""
    return form_post(
        request, form, write, message, to=back,
        page=lambda form: _form_page(request, form, title, back),
    )  # fmt: skip


@section_required(*ORG)
def jurisdiction_create_view(request):
    form = JurisdictionForm(request.POST or None, user=request.user)
    fields = ("code", "name", "name_en", "level", "parent")
    return _place_form(
        request, form,
        lambda data: admin_places.jurisdiction_create(
            actor=request.user, **{name: data[name] for name in fields}
        ),
        lambda j: _("Jurisdiction %(name)s added.") % {"name": j.name},
        _("New jurisdiction"), "admin-jurisdiction-list",
    )  # fmt: skip


@section_required(*ORG)
def jurisdiction_edit_view(request, pk):
    j = fetch_or_404(_managed_jurisdiction, request.user, pk)
    initial = {"code": j.code, "name": j.name, "name_en": j.name_en, "level": j.level}
    form = JurisdictionForm(request.POST or None, initial=initial, user=request.user, edit=True)
    return _place_form(
        request, form,
        lambda data: admin_places.jurisdiction_update(
            actor=request.user, jurisdiction=j, changes=data
        ),
        lambda _saved: _("Jurisdiction %(name)s saved.") % {"name": j.name},
        _("Edit %(name)s") % {"name": j.name}, "admin-jurisdiction-list",
    )  # fmt: skip


@section_required(*ORG)
def unit_create_view(request):
    form = UnitForm(request.POST or None, user=request.user)
    return _place_form(
        request, form, lambda data: admin_places.unit_create(actor=request.user, **data),
        lambda unit: _("Unit %(name)s added.") % {"name": unit.name},
        _("New holding unit"), "admin-unit-list",
    )  # fmt: skip


@section_required(*ORG)
def unit_edit_view(request, pk):
    unit = fetch_or_404(_managed_unit, request.user, pk)
    fields = ("credit_code", "code", "name", "name_en", "kind")
    initial = {name: getattr(unit, name) for name in fields} | {"supervisor": unit.supervisor_id}
    form = UnitForm(request.POST or None, initial=initial, user=request.user, edit=True)
    return _place_form(
        request, form,
        lambda data: admin_places.unit_update(actor=request.user, unit=unit, changes=data),
        lambda _saved: _("Unit %(name)s saved.") % {"name": unit.name},
        _("Edit %(name)s") % {"name": unit.name}, "admin-unit-list",
    )  # fmt: skip


# --- Users --------------------------------------------------------------------------------------


def _grant(data) -> admin_users.Grant:
    return admin_users.Grant(
        role=data["role"], jurisdiction=data.get("jurisdiction"), unit=data.get("unit")
    )


@section_required(*USERS)
def user_create_view(request):
    form = UserCreateForm(request.POST or None, user=request.user)
    fields = ("username", "first_name", "email", "language")
    made = form.is_valid() and form_write(
        request, form,
        lambda: admin_users.user_create(
            actor=request.user, grants=[_grant(form.cleaned_data)],
            **{name: form.cleaned_data[name] for name in fields},
        ),
    )  # fmt: skip
    if made:
        return _password_page(request, *made)
    return _form_page(request, form, _("New user"), "admin-user-list")


@section_required(*USERS)
def user_edit_view(request, pk):
    """Change a user's name and email (audited by the service)."""
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    initial = {"first_name": person.first_name, "email": person.email}
    form = UserEditForm(request.POST or None, initial=initial)
    title = _("Edit %(name)s") % {"name": person.username}
    return form_post(
        request, form,
        lambda data: admin_users.user_update(actor=request.user, user=person, changes=data),
        _("%(user)s saved.") % {"user": person.username},
        to=_person_url(person),
        page=lambda form: _form_page(request, form, title, "admin-user-list"),
    )  # fmt: skip


def _password_page(request, user, password: str):
    """The generated password, shown this once (never stored in clear, never sent again)."""
    response = render(
        request, "organisation/admin/password.html", {"person": user, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


def _user_page(request, person, grant_form=None, status: int = 200):
    history = person.assignments.select_related("jurisdiction", "unit").order_by(
        "ended_at", "-started_at", "-pk"
    )
    return render(
        request,
        "organisation/admin/user_detail.html",
        {
            "person": person,
            "history": history,
            "grant_form": grant_form or GrantForm(user=request.user),
            "is_self": person.pk == request.user.pk,
        },
        status=status,
    )


@section_required("user", "view")
def user_detail_view(request, pk):
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    return _user_page(request, person)


def _person_url(person) -> str:
    return reverse("admin-user-detail", args=[person.pk])


def _account_step(request, pk, service, done: str):
    """Take an account step (deactivate, reactivate) and say how it went on the user's page."""
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    button_write(request, lambda: service(actor=request.user, user=person), done % {"user": person})
    return redirect(_person_url(person))


@require_POST
@section_required(*USERS)
def user_deactivate_view(request, pk):
    return _account_step(
        request, pk, admin_users.user_deactivate, _("%(user)s can no longer sign in.")
    )


@require_POST
@section_required(*USERS)
def user_reactivate_view(request, pk):
    return _account_step(request, pk, admin_users.user_reactivate, _("%(user)s can sign in again."))


@require_POST
@section_required(*USERS)
def user_password_reset_view(request, pk):
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    password = admin_users.user_password_reset(actor=request.user, user=person)
    return _password_page(request, person, password)


@require_POST
@section_required(*USERS)
def role_assign_view(request, pk):
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    form = GrantForm(request.POST, user=request.user)
    return form_post(
        request, form,
        lambda data: admin_users.role_assign(actor=request.user, user=person, grant=_grant(data)),
        _("Role given."), to=_person_url(person),
        page=lambda form: _user_page(request, person, form),
    )  # fmt: skip


@require_POST
@section_required(*USERS)
def role_end_view(request, pk, assignment_pk):
    person = fetch_or_404(admin_users.get_user_for, request.user, pk)
    assignment = fetch_or_404(
        lambda _user, apk: person.assignments.select_related("jurisdiction").get(pk=apk),
        request.user,
        assignment_pk,
    )
    button_write(
        request,
        lambda: admin_users.role_end(actor=request.user, assignment=assignment),
        _("Role ended; it stays in the history."),
    )
    return redirect(_person_url(person))
