"""The site administrator's writes to people: users, their passwords and their roles.

A site administrator manages the users whose roles all lie in the jurisdictions they administer
(``user.manage``), never themselves (no one grants themselves a role or resets their own
password here). Users are deactivated, never deleted; a role is ended (``ended_at``), never
deleted, so the assignments are the user's history. A password set here is generated, shown
once, and must be changed at the next sign-in.

As in admin_places.py: permission first, then every field named, then one transaction with its
audit entries (never a password's hash).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg
from panhuo.integrity.services import (
    audit_insert,
    audit_record,
    audit_set,
    snapshot,
    update_changed,
)
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, Unit, User
from panhuo.organisation.place_file import USER_FIELDS
from panhuo.organisation.signup import LANGUAGES, username_errors

MANAGE = ("user", "manage")


@dataclass(frozen=True)
class Grant:
    """A role to give: over a jurisdiction, or (unit asset officer) over a unit."""

    role: str
    jurisdiction: Jurisdiction | None = None
    unit: Unit | None = None


def new_password() -> str:
    return secrets.token_urlsafe(12)


# --- Who may be managed -------------------------------------------------------------------------


def users_for(actor: User) -> QuerySet[User]:
    """The users with a role (current or ended) in the jurisdictions ``actor`` administers."""
    q = policy.scope_q(actor, "user", "view", path="jurisdiction__path")
    held = RoleAssignment.objects.filter(q).values("user_id")
    return User.objects.filter(pk__in=held)


def get_user_for(actor: User, pk) -> User:
    """A user the actor may see as site administrator; DoesNotExist otherwise."""
    return users_for(actor).get(pk=pk)


def _require_user(actor: User, user: User) -> None:
    """The actor manages every place where ``user`` holds a role now, and is not ``user``."""
    if actor.pk == user.pk:
        raise policy.NotPermitted(_("You may not change your own account or roles here."))
    current = RoleAssignment.objects.current().filter(user=user).select_related("jurisdiction")
    places = [a.jurisdiction for a in current]
    if not places:
        places = [a.jurisdiction for a in user.assignments.select_related("jurisdiction")]
    if not places or not all(
        policy.allowed(actor, *MANAGE, jurisdiction=place) for place in places
    ):
        raise policy.NotPermitted(policy.refusal(*MANAGE))


def _home_path(user: User) -> str:
    paths = [a.jurisdiction.path for a in user.assignments.select_related("jurisdiction")]
    return min(paths, key=len) if paths else ""


# --- Roles --------------------------------------------------------------------------------------


def _grant_place(actor: User, grant: Grant, errors: dict, key: str) -> Jurisdiction | None:
    """The jurisdiction ``grant`` is held over, checking it (errors under ``key``.field)."""
    if grant.role not in Role.values:
        errors.setdefault(f"{key}role", []).append(
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(Role.values)}
        )
        return None
    if grant.role == Role.UNIT_OFFICER:
        if grant.unit is None:
            errors.setdefault(f"{key}unit", []).append(
                _("A unit asset officer holds their role over a unit: choose it.")
            )
            return None
        if grant.jurisdiction is not None and grant.jurisdiction.pk != grant.unit.jurisdiction_id:
            errors.setdefault(f"{key}jurisdiction", []).append(
                _("The unit is not in this jurisdiction.")
            )
            return None
        place = grant.unit.jurisdiction
    else:
        if grant.unit is not None:
            errors.setdefault(f"{key}unit", []).append(
                _("Only a unit asset officer holds a role over a unit.")
            )
            return None
        if grant.jurisdiction is None:
            errors.setdefault(f"{key}jurisdiction", []).append(_("This field is required."))
            return None
        place = grant.jurisdiction
    # Giving a role where one does not administer is refused outright (403), not named.
    policy.require(actor, *MANAGE, jurisdiction=place)
    return place


def _assignment(user: User, grant: Grant, place: Jurisdiction) -> RoleAssignment:
    unit = grant.unit if grant.role == Role.UNIT_OFFICER else None
    return RoleAssignment(user=user, role=grant.role, jurisdiction=place, unit=unit)


def role_assign(*, actor: User, user: User, grant: Grant) -> RoleAssignment:
    """Give ``user`` a role over a place the actor administers."""
    _require_user(actor, user)
    errors: dict[str, list[str]] = {}
    place = _grant_place(actor, grant, errors, "")
    if place is not None and (
        RoleAssignment.objects.current()
        .filter(user=user, role=grant.role, jurisdiction=place, unit=grant.unit)
        .exists()
    ):
        errors.setdefault("role", []).append(_("The user already holds this role there."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ra = start_assignment(actor=actor, assignment=_assignment(user, grant, place))
    return ra


def start_assignment(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """Insert a new role assignment with its audit entry, inside the caller's transaction.
    No permission check: the calling service has made its own (role_assign: ``user.manage``;
    the task force's member_join: ``taskforce.manage``)."""
    audit_insert(
        assignment,
        actor=actor,
        action="roleassignment.create",
        jurisdiction_path=assignment.jurisdiction.path,
    )
    return assignment


def end_assignment(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """End a role assignment now with its audit entry, inside the caller's transaction (no
    permission check, as start_assignment). An assignment already ended is a named error."""
    ra = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if ra.ended_at is not None:
        raise ValidationError({"assignment": [_("This role has already ended.")]})
    audit_set(
        ra,
        {"ended_at": timezone.now()},
        actor=actor,
        action="roleassignment.end",
        jurisdiction_path=ra.jurisdiction.path,
    )
    return ra


def role_end(*, actor: User, assignment: RoleAssignment) -> RoleAssignment:
    """End a role now; the assignment stays, with its end, in the user's history. A task
    force membership that stood on the role closes with it (``taskforce.close_for_ended_role``),
    in the same transaction."""
    from panhuo.organisation.taskforce import close_for_ended_role  # taskforce imports us

    if actor.pk == assignment.user_id:
        raise policy.NotPermitted(_("You may not change your own account or roles here."))
    policy.require(actor, *MANAGE, jurisdiction=assignment.jurisdiction)
    with transaction.atomic():
        ra = end_assignment(actor=actor, assignment=assignment)
        close_for_ended_role(actor=actor, assignment=ra)
    return ra


# --- Users --------------------------------------------------------------------------------------


def user_create(
    *,
    actor: User,
    username: str,
    grants: list[Grant],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    dry_run: bool = False,
) -> tuple[User, str]:
    """A new user holding ``grants`` (at least one); returns them and their generated password,
    which they must change at their first sign-in. The password exists in clear only here.
    ``dry_run`` makes every check and returns the user unsaved, with no password (a bulk
    import's dry run refuses exactly what its commit would)."""
    if not policy.can_any(actor, *MANAGE):
        raise policy.NotPermitted(policy.refusal(*MANAGE, one=False))
    errors: dict[str, list[str]] = {}
    username = (username or "").strip()
    if wrong := username_errors(username):
        errors["username"] = wrong
    if language not in LANGUAGES:
        errors["language"] = [_("Must be en or zh-hans.")]
    if not grants:
        errors["roles"] = [_("A user must hold at least one role.")]
    places = []
    for n, grant in enumerate(grants):
        places.append(_grant_place(actor, grant, errors, f"roles.{n}." if len(grants) > 1 else ""))
    pairs = [
        (g.role, p.pk if p else None, g.unit.pk if g.unit else None)
        for g, p in zip(grants, places, strict=True)
    ]
    if len(set(pairs)) != len(pairs):
        errors.setdefault("roles", []).append(
            _("The same role is given twice over the same place.")
        )
    email = (email or "").strip()
    if email:
        _email_errors(email, errors)
    if errors:
        raise ValidationError(errors)
    user = User(
        username=username,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        language=language,
        must_change_password=True,
    )
    if dry_run:
        return user, ""
    password = new_password()
    with transaction.atomic():
        user_insert(
            user,
            password,
            [_assignment(user, grant, place) for grant, place in zip(grants, places, strict=True)],
            actor=actor,
        )
    return user, password


def user_insert(
    user: User, password: str, assignments: list[RoleAssignment], *, actor: User | None
) -> None:
    """Save a new ``user`` with ``password`` and their role ``assignments`` (made for the
    unsaved user), each audited, inside the caller's transaction. The user's entry is filed
    under the widest place they hold a role over and never holds the password's hash."""
    user.set_password(password)
    home = min((ra.jurisdiction.path for ra in assignments), key=len)
    audit_insert(
        user,
        actor=actor,
        action="user.create",
        jurisdiction_path=home,
        after=snapshot(user, USER_FIELDS),
    )
    for ra in assignments:
        ra.user = user  # made before the user had its id
        audit_insert(
            ra, actor=actor, action="roleassignment.create", jurisdiction_path=ra.jurisdiction.path
        )


def _email_errors(email: str, errors: dict) -> None:
    try:
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", []).append(_("Enter a valid email address."))
    if len(email) > 254:
        errors.setdefault("email", []).append(_("At most 254 characters."))


#: What the site administrator may change of a user's account (roles have their own steps).
USER_EDITABLE = ("first_name", "last_name", "email")


def user_update(*, actor: User, user: User, changes: dict[str, str]) -> User:
    """Change a user's name or email (``changes``: any of first_name, last_name, email),
    audited with the values before and after. The username never changes: the audit log and
    other systems know the person by it."""
    _require_user(actor, user)
    errors: dict[str, list[str]] = {}
    for name in sorted(set(changes) - set(USER_EDITABLE)):
        errors[name] = [_("This field cannot be changed here.")]
    values = {k: (v or "").strip() for k, v in changes.items() if k in USER_EDITABLE}
    for name in ("first_name", "last_name"):
        if len(values.get(name, "")) > 150:
            errors.setdefault(name, []).append(_("At most 150 characters."))
    if values.get("email"):
        _email_errors(values["email"], errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return update_changed(
            User,
            user.pk,
            values,
            actor=actor,
            action="user.update",
            path=_home_path,
            fields=USER_FIELDS,
            clean=False,
        )


def user_import_again(
    *,
    actor: User,
    user: User,
    grant: Grant,
    first_name: str = "",
    email: str = "",
    dry_run: bool = False,
) -> list[str]:
    """A users file imported again names ``user``, who exists: bring them to the row and say
    what changed (``[]``: unchanged). A name or email the row gives and the user lacks is
    updated (``user.update``); a role the row gives and the user does not hold now is given
    (``roleassignment.create``); nothing is taken away (roles end on the user's page) and the
    user's own language stays theirs. Refused, naming the field: a user the actor does not
    administer, a deactivated one, a role over a place the actor does not administer.
    ``dry_run`` makes every check and writes nothing."""
    # Refusals as messages (core.texts): an import's row errors are read in each reader's
    # language.
    if actor.pk == user.pk:
        mine = gettext_noop("This is your own account: it is not changed here.")
        raise ValidationError({"username": [Msg("own_account", mine)]})
    try:
        _require_user(actor, user)
    except policy.NotPermitted:
        theirs = gettext_noop("Another user has this username, and is not one you administer.")
        raise ValidationError({"username": [Msg("user_not_administered", theirs)]}) from None
    if not user.is_active:
        gone = gettext_noop("This user is deactivated: reactivate them on their page first.")
        raise ValidationError({"username": [Msg("user_deactivated", gone)]})
    errors: dict[str, list[str]] = {}
    place = _grant_place(actor, grant, errors, "")
    if errors:
        raise ValidationError(errors)
    changes = {}
    first_name, email = (first_name or "").strip(), (email or "").strip()
    if first_name and first_name != user.first_name:
        changes["first_name"] = first_name
    if email and email != user.email:
        _email_errors(email, errors)
        changes["email"] = email
    if errors:
        raise ValidationError(errors)
    held = (
        RoleAssignment.objects.current()
        .filter(user=user, role=grant.role, jurisdiction=place, unit=grant.unit)
        .exists()
    )
    changed_fields = sorted(changes) + ([] if held else ["role"])
    if dry_run or not changed_fields:
        return changed_fields
    with transaction.atomic():
        if changes:
            user_update(actor=actor, user=user, changes=changes)
        if not held:
            start_assignment(actor=actor, assignment=_assignment(user, grant, place))
    return changed_fields


def user_deactivate(*, actor: User, user: User) -> User:
    """Stop ``user`` signing in or calling the API (the account and its history stay)."""
    return _set_active(actor, user, False)


def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated user sign in again (with the roles they hold now)."""
    return _set_active(actor, user, True)


def _set_active(actor: User, user: User, active: bool) -> User:
    _require_user(actor, user)
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        if u.is_active == active:
            already = (
                _("This user is already active.")
                if active
                else _("This user is already deactivated.")
            )
            raise ValidationError({"is_active": [already]})
        u.is_active = active
        u.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="user.reactivate" if active else "user.deactivate",
            obj=u,
            before={"is_active": not active},
            after={"is_active": active},
            jurisdiction_path=_home_path(u),
        )
    return u


def user_password_reset(*, actor: User, user: User) -> str:
    """Give ``user`` a new generated password, returned here only; they must change it at
    their next sign-in. Their sessions elsewhere end (the password's hash changed)."""
    _require_user(actor, user)
    password = new_password()
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        before = u.must_change_password
        u.set_password(password)
        u.must_change_password = True
        u.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=actor,
            action="user.password_reset",
            obj=u,
            before={"must_change_password": before},
            after={"must_change_password": True},  # never the hash
            jurisdiction_path=_home_path(u),
        )
    return password


def password_changed(*, user: User) -> None:
    """The user chose their own password (already set and saved): the forced change is over."""
    with transaction.atomic():
        u = User.objects.select_for_update().get(pk=user.pk)
        before = u.must_change_password
        if before:
            u.must_change_password = False
            u.save(update_fields=["must_change_password"])
        audit_record(
            actor=u,
            action="user.password_change",
            obj=u,
            before={"must_change_password": before},
            after={"must_change_password": False},
            jurisdiction_path=_home_path(u),
        )
    user.must_change_password = False
