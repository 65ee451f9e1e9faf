"""The task force as a record: its founding document and its members over time.

A membership starts the role its position gives over the task force's jurisdiction (head →
head, deputy → deputy, office director and staff → office), unless the member already holds
it; leaving ends the role the membership started, and a change of position closes the
membership and opens the next one, so the rows are the history. The head and the site
administrator of the place keep the task force (``taskforce.manage``), never their own
membership. Each write: permission first, then every field named, then one transaction with
its audit entries.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.integrity.services import audit_insert, audit_set, audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.admin_users import end_assignment, start_assignment
from panhuo.organisation.models import (
    Jurisdiction,
    Role,
    RoleAssignment,
    TaskForce,
    TaskForceMember,
    User,
)

MANAGE = ("taskforce", "manage")
Position = TaskForceMember.Position
Bureau = TaskForceMember.Bureau

#: The role each position gives over the task force's jurisdiction.
POSITION_ROLES = {
    Position.HEAD: Role.HEAD,
    Position.DEPUTY: Role.DEPUTY,
    Position.OFFICE_DIRECTOR: Role.OFFICE,
    Position.STAFF: Role.OFFICE,
}
NAME_MAX = 200
NUMBER_MAX = 100


# --- Reading ------------------------------------------------------------------------------------


def task_forces_for(user) -> QuerySet[TaskForce]:
    return TaskForce.objects.visible_to(user).select_related("jurisdiction")


def get_task_force_for(user, pk) -> TaskForce:
    """A task force the user may view; DoesNotExist otherwise."""
    return task_forces_for(user).get(pk=pk)


def members_of(task_force: TaskForce) -> QuerySet[TaskForceMember]:
    return task_force.members.select_related("user").order_by("joined_on", "pk")


def get_member_for(user, pk) -> TaskForceMember:
    """A membership of a task force the user may view; DoesNotExist otherwise."""
    return TaskForceMember.objects.select_related("task_force__jurisdiction", "user").get(
        pk=pk, task_force__in=task_forces_for(user)
    )


def people_of(task_force: TaskForce) -> QuerySet[User]:
    """The active users holding a role now in the task force's jurisdiction or below it."""
    held = RoleAssignment.objects.current().filter(
        jurisdiction__path__startswith=task_force.jurisdiction.path
    )
    return User.objects.filter(is_active=True, pk__in=held.values("user_id")).order_by("username")


def candidates(task_force: TaskForce) -> QuerySet[User]:
    """Who may join: :func:`people_of` the place, not a member now."""
    current = task_force.members.filter(left_on__isnull=True).values("user_id")
    return people_of(task_force).exclude(pk__in=current)


def may_manage(user, task_force: TaskForce | None, jurisdiction: Jurisdiction | None = None):
    place = task_force.jurisdiction if task_force is not None else jurisdiction
    return place is not None and policy.allowed(user, *MANAGE, jurisdiction=place)


# --- Checks -------------------------------------------------------------------------------------


def _require(actor, jurisdiction: Jurisdiction) -> None:
    policy.require(actor, *MANAGE, jurisdiction=jurisdiction)


def _not_self(actor, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise policy.NotPermitted(_("You may not change your own task-force membership."))


def _date(value, field: str, errors: dict, *, required: bool = True) -> dt.date | None:
    if value is None:
        if required:
            errors.setdefault(field, []).append(_("This field is required."))
        return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors.setdefault(field, []).append(_("Enter a date."))
        return None
    if value > timezone.localdate():
        errors.setdefault(field, []).append(_("The date may not be in the future."))
    return value


def _choice(value, choices, field: str, errors: dict) -> None:
    if value not in choices.values:
        errors.setdefault(field, []).append(
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(choices.values)}
        )


# --- The task force -----------------------------------------------------------------------------


def taskforce_set(
    *,
    actor,
    jurisdiction: Jurisdiction,
    name: str,
    established_on: dt.date | None,
    document_number: str = "",
    name_en: str = "",
) -> TaskForce:
    """Found the task force of ``jurisdiction``, or correct its record (name, founding
    document number and date)."""
    _require(actor, jurisdiction)
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    name_en = " ".join((name_en or "").split())
    document_number = " ".join((document_number or "").split())
    if not name:
        errors["name"] = [_("This field is required.")]
    for field, value, limit in (
        ("name", name, NAME_MAX),
        ("name_en", name_en, NAME_MAX),
        ("document_number", document_number, NUMBER_MAX),
    ):
        if len(value) > limit:
            errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    _date(established_on, "established_on", errors)
    if errors:
        raise ValidationError(errors)
    data = {
        "name": name,
        "name_en": name_en,
        "document_number": document_number,
        "established_on": established_on,
    }
    with transaction.atomic():
        tf = TaskForce.objects.select_for_update().filter(jurisdiction=jurisdiction).first()
        if tf is None:
            tf = TaskForce(jurisdiction=jurisdiction, **data)
            audit_insert(
                tf, actor=actor, action="taskforce.create", jurisdiction_path=jurisdiction.path
            )
            return tf
        before = snapshot(tf)
        for key, value in data.items():
            setattr(tf, key, value)
        tf.full_clean()
        tf.save(update_fields=list(data))
        audit_update(
            tf,
            actor=actor,
            action="taskforce.update",
            before=before,
            jurisdiction_path=jurisdiction.path,
        )
    return tf


# --- Members ------------------------------------------------------------------------------------


def _open_membership(actor, task_force, user, position, seconded_from, joined_on):
    """Insert the membership and start its role unless held (inside the transaction)."""
    role = POSITION_ROLES[position]
    place = task_force.jurisdiction
    held = (
        RoleAssignment.objects.current()
        .filter(user=user, role=role, jurisdiction=place, unit__isnull=True)
        .exists()
    )
    assignment = None
    if not held:
        assignment = start_assignment(
            actor=actor, assignment=RoleAssignment(user=user, role=role, jurisdiction=place)
        )
    member = TaskForceMember(
        task_force=task_force,
        user=user,
        position=position,
        seconded_from=seconded_from,
        joined_on=joined_on,
        assignment=assignment,
    )
    audit_insert(member, actor=actor, action="taskforcemember.create", jurisdiction_path=place.path)
    return member


def _close_membership(actor, member: TaskForceMember, left_on: dt.date, action: str) -> None:
    audit_set(
        member,
        {"left_on": left_on},
        actor=actor,
        action=action,
        jurisdiction_path=member.task_force.jurisdiction.path,
    )
    if member.assignment_id is not None:
        ra = RoleAssignment.objects.get(pk=member.assignment_id)
        if ra.ended_at is None:
            end_assignment(actor=actor, assignment=ra)


def close_for_ended_role(*, actor, assignment: RoleAssignment) -> list[TaskForceMember]:
    """A role ended from the user pages (``admin_users.role_end``), inside its transaction:
    the open memberships that stood on it close today, each audited
    (``taskforcemember.leave``), so the task force never lists someone who no longer holds
    its role. Those are the membership that started this role, and one that found the role
    already held (no role of its own) once the user holds the position's role there no more.
    """
    positions = [p for p, role in POSITION_ROLES.items() if role == assignment.role]
    if assignment.unit_id is not None or not positions:
        return []
    still_held = (
        RoleAssignment.objects.current()
        .filter(user_id=assignment.user_id, role=assignment.role, unit__isnull=True,
                jurisdiction_id=assignment.jurisdiction_id)
        .exists()
    )  # fmt: skip
    stood_on = Q(assignment_id=assignment.pk)
    if not still_held:
        stood_on |= Q(assignment__isnull=True, position__in=positions)
    members = list(
        TaskForceMember.objects.select_for_update()
        .select_related("task_force__jurisdiction")
        .filter(stood_on, user_id=assignment.user_id, left_on__isnull=True,
                task_force__jurisdiction_id=assignment.jurisdiction_id)
        .order_by("pk")
    )  # fmt: skip
    today = timezone.localdate()
    for member in members:
        _close_membership(actor, member, max(today, member.joined_on), "taskforcemember.leave")
    return members


def member_join(
    *,
    actor,
    task_force: TaskForce,
    user: User,
    position: str,
    seconded_from: str,
    joined_on: dt.date | None = None,
) -> TaskForceMember:
    """``user`` joins ``task_force`` in ``position``, seconded from a bureau; the role the
    position gives starts now over the task force's jurisdiction, unless already held."""
    _require(actor, task_force.jurisdiction)
    _not_self(actor, user)
    errors: dict[str, list[str]] = {}
    _choice(position, Position, "position", errors)
    _choice(seconded_from, Bureau, "seconded_from", errors)
    joined_on = _date(joined_on or timezone.localdate(), "joined_on", errors)
    if not user.is_active:
        errors.setdefault("user", []).append(_("This user is deactivated."))
    elif not candidates(task_force).filter(pk=user.pk).exists():
        if task_force.members.filter(user=user, left_on__isnull=True).exists():
            errors.setdefault("user", []).append(_("This user is a member already."))
        else:
            errors.setdefault("user", []).append(
                _("This user holds no role in the task force's jurisdiction.")
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        list(TaskForce.objects.select_for_update().filter(pk=task_force.pk).values("pk"))
        if task_force.members.filter(user=user, left_on__isnull=True).exists():
            raise ValidationError({"user": [_("This user is a member already.")]})
        return _open_membership(actor, task_force, user, position, seconded_from, joined_on)


def _locked_open(member: TaskForceMember) -> TaskForceMember:
    locked = (
        TaskForceMember.objects.select_for_update()
        .select_related("task_force__jurisdiction", "user")
        .get(pk=member.pk)
    )
    if locked.left_on is not None:
        raise ValidationError({"member": [_("This member has already left.")]})
    return locked


def _left_on(member: TaskForceMember, value, field: str) -> dt.date:
    errors: dict[str, list[str]] = {}
    value = _date(value or timezone.localdate(), field, errors)
    if value is not None and value < member.joined_on:
        errors.setdefault(field, []).append(
            _("The date may not be before the member joined (%(date)s).")
            % {"date": member.joined_on.isoformat()}
        )
    if errors:
        raise ValidationError(errors)
    return value


def member_leave(*, actor, member: TaskForceMember, left_on: dt.date | None = None):
    """The member leaves on ``left_on`` (today by default); the role their membership started
    ends now. The membership stays, closed, as history."""
    _require(actor, member.task_force.jurisdiction)
    _not_self(actor, member.user)
    with transaction.atomic():
        locked = _locked_open(member)
        left_on = _left_on(locked, left_on, "left_on")
        _close_membership(actor, locked, left_on, "taskforcemember.leave")
    return locked


def member_change_position(
    *, actor, member: TaskForceMember, position: str, on: dt.date | None = None
) -> TaskForceMember:
    """The member moves to ``position`` on ``on`` (today by default): the membership closes,
    its role ends, and a new membership opens with the new position's role."""
    _require(actor, member.task_force.jurisdiction)
    _not_self(actor, member.user)
    errors: dict[str, list[str]] = {}
    _choice(position, Position, "position", errors)
    if not errors and position == member.position:
        errors["position"] = [_("The member holds this position already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_open(member)
        on = _left_on(locked, on, "on")
        _close_membership(actor, locked, on, "taskforcemember.change_position")
        return _open_membership(
            actor, locked.task_force, locked.user, position, locked.seconded_from, on
        )
