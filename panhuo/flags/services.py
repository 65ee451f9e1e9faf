"""Writes of red flags by people: an auditor resolves a flag; the head or office sets a place's
thresholds. (The engine's own writes, opening and clearing flags, are in engine.py.) Each checks
the policy, runs in one transaction and is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.flags.models import Flag, FlagStatus, FlagThreshold, Resolution
from panhuo.flags.registry import RULES
from panhuo.integrity.services import audit_record, audit_update, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction

MAX_COMMENT = 4000


def flag_resolve(*, actor, flag: Flag, resolution: str, comment: str) -> Flag:
    """Record the auditor's resolution of an open flag: justified (the figures have a lawful
    explanation), rectified (the unit put it right) or referred to the discipline inspection
    body. The comment is required: a resolution without its reason explains nothing."""
    policy.require(actor, "flag", "resolve", jurisdiction=flag.jurisdiction)
    errors: dict[str, list[str]] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = [
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Resolution.values)}
        ]
    text = (comment or "").strip()
    if not text:
        errors["comment"] = [_("Say why: the comment is the record of the resolution.")]
    elif len(text) > MAX_COMMENT:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": MAX_COMMENT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = Flag.objects.select_for_update().select_related("jurisdiction").get(pk=flag.pk)
        if row.status != FlagStatus.OPEN:
            raise ValidationError(
                {"status": [_("This flag is %(status)s; only an open flag is resolved.")
                            % {"status": row.get_status_display()}]}
            )  # fmt: skip
        before = snapshot(row, ["status", "resolution", "comment"])
        row.status, row.resolution, row.comment = FlagStatus.RESOLVED, resolution, text
        row.resolved_by, row.resolved_at = actor, timezone.now()
        row.save(update_fields=["status", "resolution", "comment", "resolved_by", "resolved_at"])
        audit_record(
            actor=actor, action="flag.resolve", obj=row, before=before,
            after=snapshot(row, ["status", "resolution", "comment"]),
            jurisdiction_path=row.jurisdiction.path,
        )  # fmt: skip
    return row


def thresholds_set(
    *, actor, jurisdiction: Jurisdiction, rule: str, values: dict[str, Any]
) -> FlagThreshold:
    """Set a place's own values of a rule's parameters (a blank value: follow the place above).
    Each value is checked against the parameter's bounds; the error names the parameter."""
    policy.require(actor, "flag_thresholds", "set", jurisdiction=jurisdiction)
    r = RULES.get(rule)
    if r is None:
        raise ValidationError({"rule": [_("Unknown rule %(rule)s.") % {"rule": rule}]})
    known = {p.name: p for p in r.params}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name, value in values.items():
        if name not in known:
            errors[name] = [_("Rule %(rule)s has no parameter %(name)s.")
                            % {"rule": rule, "name": name}]  # fmt: skip
        elif value not in (None, ""):
            try:
                clean[name] = str(known[name].parse(value))
            except ValueError as exc:
                errors[name] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            FlagThreshold.objects.select_for_update()
            .filter(jurisdiction=jurisdiction, rule=rule)
            .first()
        )
        before = snapshot(current) if current else None
        row, _created = FlagThreshold.objects.update_or_create(
            jurisdiction=jurisdiction, rule=rule, defaults={"values": clean}
        )
        audit_update(row, actor=actor, action="flag_thresholds.set", before=before,
                     jurisdiction_path=jurisdiction.path)  # fmt: skip
    return row
