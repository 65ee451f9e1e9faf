"""API of the site administrator (``/api/v1/organisation/...``): jurisdictions, holding units,
users and their roles, over the jurisdictions they administer.

Every operation is the site administrator's alone (any other role: 403). Records outside the
caller's jurisdictions answer 404, as if missing; ids named in a body likewise (naming the
field). Bad input is a 400 naming each field, and nothing is written.
"""

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, referenced, require_any
from panhuo.core.querying import narrowed, ordered
from panhuo.core.schemas import ERRORS, Id
from panhuo.organisation import admin_places, admin_users, policy
from panhuo.organisation.admin_schemas import (
    USER_ORDERINGS,
    AssignmentOut,
    GrantIn,
    JurisdictionAdminOut,
    JurisdictionIn,
    JurisdictionPatch,
    PasswordOut,
    PlaceFilters,
    UnitAdminFilters,
    UnitAdminOut,
    UnitIn,
    UnitPatch,
    UserAdminOut,
    UserCreatedOut,
    UserDetailOut,
    UserFilters,
    UserIn,
    UserPatch,
    assignment_out,
)
from panhuo.organisation.models import Jurisdiction, RoleAssignment, Unit, User
from panhuo.organisation.schemas import JURISDICTION_ORDERINGS, UNIT_ORDERINGS

router = Router(tags=["site administration"])
ORG, USERS = ("organisation", "manage"), ("user", "manage")


def managed_jurisdictions(user):
    return policy.jurisdictions_for(user, *ORG)


def managed_units(user):
    return policy.units_for(user, *ORG)


def _jurisdiction(user, pk) -> Jurisdiction:
    return managed_jurisdictions(user).select_related("parent").get(pk=pk)


def _unit(user, pk) -> Unit:
    return managed_units(user).get(pk=pk)


def _place(request, field: str, pk):
    return referenced(field, "jurisdiction", _jurisdiction, actor(request), pk)


def _unit_ref(request, field: str, pk):
    return referenced(field, "unit", _unit, actor(request), pk)


def user_out(user: User, history: bool = False) -> dict:
    every = list(
        user.assignments.select_related("jurisdiction", "unit").order_by("-started_at", "-pk")
    )
    out = {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": user.language,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "roles": [assignment_out(a) for a in every if a.ended_at is None],
    }
    if history:
        out["history"] = [assignment_out(a) for a in every]
    return out


# --- Jurisdictions ------------------------------------------------------------------------------


@router.get("/organisation/jurisdictions", response={200: list[JurisdictionAdminOut], **ERRORS})
@paginate(PagePagination)
def admin_jurisdiction_list(request: HttpRequest, filters: Query[PlaceFilters]):
    """The jurisdictions the caller administers (their own and those below)."""
    require_any(request, *ORG)
    qs = managed_jurisdictions(actor(request))
    qs = narrowed(
        qs, q=filters.q, search=("name", "name_en", "code"), level=filters.level,
        parent_id=filters.parent,
    )  # fmt: skip
    return ordered(qs, filters.ordering, JURISDICTION_ORDERINGS, "path")


@router.post("/organisation/jurisdictions", response={201: JurisdictionAdminOut, **ERRORS})
def admin_jurisdiction_create(request: HttpRequest, payload: JurisdictionIn):
    """A new jurisdiction under one the caller administers; its code is checked against GB/T
    2260 and its parent's prefix."""
    require_any(request, *ORG)
    j = admin_places.jurisdiction_create(
        actor=actor(request),
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        level=payload.level or "",
        parent=_place(request, "parent", payload.parent),
    )
    return Status(201, j)


@router.patch(
    "/organisation/jurisdictions/{jurisdiction_id}",
    response={200: JurisdictionAdminOut, **ERRORS},
)
def admin_jurisdiction_update(
    request: HttpRequest, jurisdiction_id: Id, payload: JurisdictionPatch
):
    """Change a jurisdiction's names or code (still agreeing with its parent and children)."""
    require_any(request, *ORG)
    j = _jurisdiction(actor(request), jurisdiction_id)
    changes = payload.model_dump(exclude_unset=True)
    return admin_places.jurisdiction_update(actor=actor(request), jurisdiction=j, changes=changes)


# --- Units --------------------------------------------------------------------------------------


@router.get("/organisation/units", response={200: list[UnitAdminOut], **ERRORS})
@paginate(PagePagination)
def admin_unit_list(request: HttpRequest, filters: Query[UnitAdminFilters]):
    """The holding units of the jurisdictions the caller administers."""
    require_any(request, *ORG)
    qs = narrowed(
        managed_units(actor(request)),
        q=filters.q,
        search=("name", "name_en", "code", "credit_code"),
        kind=filters.kind,
        jurisdiction_id=filters.jurisdiction,
    )
    return ordered(qs, filters.ordering, UNIT_ORDERINGS, "jurisdiction")


@router.post("/organisation/units", response={201: UnitAdminOut, **ERRORS})
def admin_unit_create(request: HttpRequest, payload: UnitIn):
    """A new holding unit: its credit code checked (GB 32100) and registered in its
    jurisdiction; the supervising department an organ there or above."""
    require_any(request, *ORG)
    unit = admin_places.unit_create(
        actor=actor(request),
        credit_code=payload.credit_code,
        code=payload.code,
        name=payload.name,
        name_en=payload.name_en,
        kind=payload.kind,
        jurisdiction=_place(request, "jurisdiction", payload.jurisdiction),
        supervisor=(
            _unit_ref(request, "supervisor", payload.supervisor) if payload.supervisor else None
        ),
    )
    return Status(201, unit)


@router.patch("/organisation/units/{unit_id}", response={200: UnitAdminOut, **ERRORS})
def admin_unit_update(request: HttpRequest, unit_id: Id, payload: UnitPatch):
    """Change a unit's codes, names, kind or supervising department (not its jurisdiction)."""
    require_any(request, *ORG)
    unit = _unit(actor(request), unit_id)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("supervisor") is not None:
        changes["supervisor"] = _unit_ref(request, "supervisor", changes["supervisor"])
    return admin_places.unit_update(actor=actor(request), unit=unit, changes=changes)


# --- Users --------------------------------------------------------------------------------------


def _user(request: HttpRequest, user_id: int) -> User:
    return admin_users.get_user_for(actor(request), user_id)


def _grant(request: HttpRequest, g: GrantIn) -> admin_users.Grant:
    place = _place(request, "jurisdiction", g.jurisdiction) if g.jurisdiction else None
    unit = _unit_ref(request, "unit", g.unit) if g.unit else None
    return admin_users.Grant(role=g.role, jurisdiction=place, unit=unit)


@router.get("/organisation/users", response={200: list[UserAdminOut], **ERRORS})
@paginate(PagePagination)
def admin_user_list(request: HttpRequest, filters: Query[UserFilters]):
    """The users holding (or having held) a role in the jurisdictions the caller administers."""
    require_any(request, "user", "view")
    qs = narrowed(
        admin_users.users_for(actor(request)),
        q=filters.q,
        search=("username", "first_name", "last_name", "email"),
        is_active=filters.active,
    )
    current = RoleAssignment.objects.current()
    if filters.role:
        qs = qs.filter(pk__in=current.filter(role=filters.role).values("user_id"))
    if filters.jurisdiction:
        qs = qs.filter(
            pk__in=current.filter(jurisdiction_id=filters.jurisdiction).values("user_id")
        )
    return ordered(qs, filters.ordering, USER_ORDERINGS, "username")


@router.post("/organisation/users", response={201: UserCreatedOut, **ERRORS})
def admin_user_create(request: HttpRequest, payload: UserIn):
    """A new user with at least one role; the answer holds their generated password, shown
    this once, which they must change at their first sign-in."""
    require_any(request, *USERS)
    user, password = admin_users.user_create(
        actor=actor(request),
        username=payload.username,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        language=payload.language,
        grants=[_grant(request, g) for g in payload.roles],
    )
    return Status(201, {**user_out(user), "password": password})


@router.get("/organisation/users/{user_id}", response={200: UserDetailOut, **ERRORS})
def admin_user_detail(request: HttpRequest, user_id: Id):
    """A user, their roles now and every role they held."""
    require_any(request, "user", "view")
    return user_out(_user(request, user_id), history=True)


@router.patch("/organisation/users/{user_id}", response={200: UserAdminOut, **ERRORS})
def admin_user_update(request: HttpRequest, user_id: Id, payload: UserPatch):
    """Change a user's name or email (what is not sent stays); audited. The username and
    roles have their own steps."""
    require_any(request, *USERS)
    changes = payload.dict(exclude_unset=True)
    user = admin_users.user_update(actor=actor(request), user=_user(request, user_id),
                                   changes={k: v or "" for k, v in changes.items()})  # fmt: skip
    return user_out(user)


@router.post("/organisation/users/{user_id}/deactivate", response={200: UserAdminOut, **ERRORS})
def admin_user_deactivate(request: HttpRequest, user_id: Id):
    """Stop a user signing in (the account and its history stay; users are never deleted)."""
    require_any(request, *USERS)
    user = admin_users.user_deactivate(actor=actor(request), user=_user(request, user_id))
    return user_out(user)


@router.post("/organisation/users/{user_id}/reactivate", response={200: UserAdminOut, **ERRORS})
def admin_user_reactivate(request: HttpRequest, user_id: Id):
    """Let a deactivated user sign in again."""
    require_any(request, *USERS)
    user = admin_users.user_reactivate(actor=actor(request), user=_user(request, user_id))
    return user_out(user)


@router.post("/organisation/users/{user_id}/password-reset", response={200: PasswordOut, **ERRORS})
def admin_user_password_reset(request: HttpRequest, user_id: Id):
    """A new generated password, shown this once; the user must change it at next sign-in."""
    require_any(request, *USERS)
    password = admin_users.user_password_reset(actor=actor(request), user=_user(request, user_id))
    return {"password": password}


@router.post("/organisation/users/{user_id}/roles", response={201: AssignmentOut, **ERRORS})
def admin_role_assign(request: HttpRequest, user_id: Id, payload: GrantIn):
    """Give a user a role over a jurisdiction (or, unit asset officer, a unit)."""
    require_any(request, *USERS)
    user = _user(request, user_id)
    ra = admin_users.role_assign(actor=actor(request), user=user, grant=_grant(request, payload))
    return Status(201, assignment_out(ra))


@router.post(
    "/organisation/users/{user_id}/roles/{assignment_id}/end",
    response={200: AssignmentOut, **ERRORS},
)
def admin_role_end(request: HttpRequest, user_id: Id, assignment_id: Id):
    """End a role now; it stays in the user's history."""
    require_any(request, *USERS)
    user = _user(request, user_id)
    assignment = RoleAssignment.objects.select_related("jurisdiction", "unit").get(
        Q(user=user), pk=assignment_id
    )
    ra = admin_users.role_end(actor=actor(request), assignment=assignment)
    return assignment_out(ra)
