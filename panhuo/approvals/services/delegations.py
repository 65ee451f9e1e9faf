"""Delegations: a decider lends their power to decide, for a while, to someone of the same place;
the delegate decides in their name, and the record says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.approvals.models import (
    STEP_ROLES,
    Delegation,
)
from panhuo.approvals.registry import PURPOSES
from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import User


def _decider_paths(user: User) -> list[str]:
    return [g.path for g in policy.grants(user) if g.role in STEP_ROLES]


def delegation_set(
    *,
    actor: User,
    to_user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    purposes: Iterable[str] = (),
    reason: str = "",
) -> Delegation:
    """While away, let ``to_user`` decide one's steps. Only for oneself; the delegate must hold
    a task-force role where the delegator decides."""
    if not policy.can_any(actor, "delegation", "set"):
        raise policy.NotPermitted(_("Only people who decide approval steps may delegate them."))
    errors: dict[str, list[str]] = {}
    if to_user is None or not to_user.is_active:
        errors["to_user"] = [_("Choose an active user.")]
    elif to_user.pk == actor.pk:
        errors["to_user"] = [_("You cannot delegate to yourself.")]
    else:
        mine = _decider_paths(actor)
        theirs = _decider_paths(to_user)
        if not any(a.startswith(b) or b.startswith(a) for a in mine for b in theirs):
            errors["to_user"] = [
                _("%(to_user)s holds no head, deputy, office or finance role where you decide.")
                % {"to_user": to_user}
            ]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors[name] = [_("A date and time with its time zone.")]
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = [_("The end comes after the start.")]
    if not errors and ends_at <= timezone.now():
        errors["ends_at"] = [_("The delegation would already be over.")]
    purposes = list(dict.fromkeys(purposes or ()))
    unknown = [p for p in purposes if p not in PURPOSES]
    if unknown:
        errors["purposes"] = [
            _("Unknown purpose(s) %(unknown)s; one of %(choices)s.")
            % {"unknown": unknown, "choices": sorted(PURPOSES)}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        delegation = Delegation.objects.create(
            from_user=actor,
            to_user=to_user,
            starts_at=starts_at,
            ends_at=ends_at,
            purposes=purposes,
            reason=(reason or "").strip()[:200],
        )
        audit_record(
            actor=actor,
            action="delegation.set",
            obj=delegation,
            after=snapshot(delegation),
            jurisdiction_path=(_decider_paths(actor) or [""])[0],
        )
    return delegation


def delegation_revoke(*, actor: User, delegation: Delegation) -> Delegation:
    """End a delegation now (only the delegator may)."""
    if delegation.from_user_id != actor.pk:
        raise policy.NotPermitted(_("Only the delegator may revoke a delegation."))
    with transaction.atomic():
        delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.revoked_at is not None:
            raise ValidationError({"revoked_at": [_("This delegation is already revoked.")]})
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="delegation.revoke",
            obj=delegation,
            before={"revoked_at": None},
            after={"revoked_at": delegation.revoked_at.isoformat()},
            jurisdiction_path=(_decider_paths(actor) or [""])[0],
        )
    return delegation
