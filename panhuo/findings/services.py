"""Writes of audit findings: raise one on a record, comment on it, and take a step of its
table (escalate, or resolve as justified, rectified or referred). Each is one transaction that
checks the actor's role in the finding's jurisdiction and appends to the audit log.

Nothing here writes another app's tables: the audited record is read to check that it exists
and lies in the auditor's reach, and named by kind and id. Evidence documents are added to the
finding through integrity's ``document_upload`` (the finding is a document target).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.codes import next_code
from panhuo.core.errors import ValidationError
from panhuo.findings import records
from panhuo.findings.models import Finding, FindingEvent, FindingStatus, Severity
from panhuo.findings.workflow import STEP_NAMES, TRANSITIONS, rows_for
from panhuo.flags.models import Flag
from panhuo.integrity.services import audit_insert, audit_record, audit_update, snapshot
from panhuo.organisation import policy

TITLE_MAX = 200
TEXT_MAX = 5000


def _text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    """``value`` trimmed, or an error naming ``field`` when it is empty or too long."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("This field is required.")]})
    if len(value) > limit:
        raise ValidationError(
            {field: [_("At most %(max_length)s characters.") % {"max_length": limit}]}
        )
    return value


def _event(finding: Finding, actor, step: str, before: str, comment: str) -> FindingEvent:
    return FindingEvent.objects.create(
        finding=finding,
        step=step,
        from_status=before,
        to_status=finding.status,
        comment=comment,
        actor=actor,
        at=timezone.now(),
    )


@transaction.atomic
def finding_raise(
    *,
    actor,
    record_kind: str,
    record_id,
    title: str,
    description: str,
    severity: str = Severity.MEDIUM,
    flag_id: int | None = None,
) -> Finding:
    """Raise a finding on the record ``record_kind`` #``record_id``, which the auditor must be
    able to see and which must lie in a jurisdiction where they may raise findings. The record
    itself is only read."""
    record = records.record_for(actor, record_kind, record_id)
    if flag_id is not None and not Flag.objects.visible_to(actor).filter(pk=flag_id).exists():
        raise ValidationError(
            {"flag_id": [_("There is no red flag %(id)s that you may see.") % {"id": flag_id}]}
        )
    spec = records.spec_of(record_kind)
    jurisdiction = spec.jurisdiction(record)
    policy.require(actor, "finding", "raise", jurisdiction=jurisdiction)
    if severity not in Severity.values:
        raise ValidationError(
            {
                "severity": [
                    _("Unknown severity %(value)s; one of %(choices)s.")
                    % {"value": severity, "choices": ", ".join(Severity.values)}
                ]
            }
        )
    finding = Finding(
        code=next_code(Finding, "FND"),
        record_kind=spec.kind.value,
        record_id=record.pk,
        record_label=spec.name(record)[:200],
        jurisdiction=jurisdiction,
        unit_id=spec.unit(record),
        flag_id=flag_id,
        title=_text("title", title, TITLE_MAX),
        description=_text("description", description, TEXT_MAX),
        severity=severity,
        status=FindingStatus.RAISED,
        raised_by=actor,
        raised_at=timezone.now(),
    )
    audit_insert(finding, actor=actor, action="finding.raise", jurisdiction_path=jurisdiction.path)
    _event(finding, actor, "raise", "", finding.description)
    return finding


def steps_for(actor, finding: Finding) -> list:
    """The rows of the table ``actor`` may take on ``finding`` now (one per step name)."""
    out = {}
    for t in TRANSITIONS:
        if t.name not in out and finding.status in t.sources and _allowed(actor, finding, t):
            out[t.name] = t
    return list(out.values())


def _allowed(actor, finding: Finding, t) -> bool:
    return policy.allowed(
        actor, "finding", t.name, jurisdiction=finding.jurisdiction, roles_subset=t.roles
    )


@transaction.atomic
def finding_transition(*, actor, finding: Finding, step: str, comment: str) -> Finding:
    """Take ``step`` on ``finding`` (escalate, justify, rectify, refer) with the comment it
    needs, or refuse it naming the step and the state; one row of the table must match both
    the finding's state and the actor's roles."""
    if step not in STEP_NAMES:
        raise ValidationError(
            {
                "step": [
                    _("Unknown step %(step)s; one of %(steps)s.")
                    % {"step": step, "steps": ", ".join(STEP_NAMES)}
                ]
            }
        )
    finding = Finding.objects.select_for_update().select_related("jurisdiction").get(pk=finding.pk)
    rows = [t for t in rows_for(step) if finding.status in t.sources]
    if not rows:
        raise ValidationError(
            {
                "step": [
                    _("“%(step)s” is not allowed from the state “%(state)s”.")
                    % {"step": step, "state": finding.get_status_display()}
                ]
            }
        )
    row = next((t for t in rows if _allowed(actor, finding, t)), None)
    if row is None:
        names = ", ".join(sorted(str(r.label) for t in rows for r in t.roles))
        raise policy.NotPermitted(
            _("“%(step)s” needs one of these roles here: %(roles)s (the finding is “%(state)s”).")
            % {"step": step, "roles": names, "state": finding.get_status_display()}
        )
    comment = _text("comment", comment, TEXT_MAX)
    before, old = snapshot(finding), finding.status
    finding.status = row.target
    if finding.status not in (FindingStatus.RAISED, FindingStatus.ESCALATED):
        finding.resolved_at = timezone.now()
    finding.version += 1
    finding.save(update_fields=["status", "resolved_at", "version"])
    audit_update(
        finding,
        actor=actor,
        action=f"finding.{step}",
        before=before,
        jurisdiction_path=finding.jurisdiction.path,
    )
    _event(finding, actor, step, old, comment)
    return finding


@transaction.atomic
def finding_comment(*, actor, finding: Finding, comment: str) -> FindingEvent:
    """Add a comment to ``finding`` (its state unchanged): an auditor's or supervisor's note."""
    policy.require(actor, "finding", "comment", jurisdiction=finding.jurisdiction)
    comment = _text("comment", comment, TEXT_MAX)
    event = _event(finding, actor, "comment", finding.status, comment)
    audit_record(
        actor=actor,
        action="finding.comment",
        obj=finding,
        after={"comment": comment},
        jurisdiction_path=finding.jurisdiction.path,
    )
    return event
