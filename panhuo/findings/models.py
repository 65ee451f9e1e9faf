"""Audit findings: what an auditor raised on one record of the chain (an asset, a package, a
project, a receipt, an allocation or a debt), and every step of it since.

A finding names its record by kind and id (``record_kind``, ``record_id``) and keeps the
record's jurisdiction and holding unit, so that it is scoped and counted like the record
without a foreign key into another app's tables (nothing here can change them). Its evidence
documents are integrity's documents on the finding itself. The status moves only by the table
in ``workflow.py``; each step (and each comment) is a :class:`FindingEvent`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import filled_iff
from panhuo.core.fields import actor_field, optional_ref, version_field
from panhuo.core.links import page_url
from panhuo.flags.models import Severity
from panhuo.organisation import policy


class RecordKind(models.TextChoices):
    """The kinds of record a finding may be raised on (``records.py`` says how each is read)."""

    ASSET = "asset", _("Asset")
    PACKAGE = "package", _("Package")
    PROJECT = "project", _("Project")
    RECEIPT = "receipt", _("Receipt")
    ALLOCATION = "allocation", _("Allocation")
    DEBT = "debt", _("Debt")


class FindingStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ESCALATED = "escalated", _("Escalated to the supervisor")
    JUSTIFIED = "justified", _("Resolved: justified")
    RECTIFIED = "rectified", _("Resolved: rectified")
    REFERRED = "referred", _("Resolved: referred to the discipline inspection body")


__all__ = ["Finding", "FindingEvent", "FindingStatus", "RecordKind", "Severity"]

#: The states a finding is still open in (the others are resolutions).
OPEN_STATUSES = (FindingStatus.RAISED, FindingStatus.ESCALATED)
#: The resolutions that confirm a finding (justified clears it).
CONFIRMED_STATUSES = (FindingStatus.RECTIFIED, FindingStatus.REFERRED)


class Finding(policy.Scoped):
    """One audit finding on one record."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    record_kind = models.CharField(_("record kind"), max_length=12, choices=RecordKind.choices)
    record_id = models.PositiveBigIntegerField(_("record id"))
    #: The record's code as it was when the finding was raised (shown, exported).
    record_label = models.CharField(_("record"), max_length=200)
    jurisdiction = models.ForeignKey(
        "organisation.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    #: The record's holding unit, where it has exactly one (an asset, a project of one unit).
    unit = optional_ref("organisation.Unit", related_name="+", verbose_name=_("unit"))
    #: The red flag that led to the finding, if one did (the flags app's id; no foreign key, so
    #: that findings never depend on the flags' tables).
    flag_id = models.PositiveBigIntegerField(_("red flag"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.RAISED
    )
    raised_by = actor_field()
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    version = version_field()

    view_scope = policy.ViewScope("finding", "jurisdiction__path")

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("audit finding")
        verbose_name_plural = _("audit findings")
        indexes = [models.Index(fields=["record_kind", "record_id"], name="finding_record")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in FindingStatus]),
                name="finding_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(record_kind__in=[k.value for k in RecordKind]),
                name="finding_record_kind_valid",
            ),
            # Resolved exactly when the status is a resolution.
            filled_iff(
                "resolved_at",
                status__in=[s.value for s in OPEN_STATUSES],
                empty=True,
                name="finding_resolved_at_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    get_absolute_url = page_url("finding-detail")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class FindingEvent(models.Model):
    """A step of a finding (raise, escalate, a resolution) or a comment on it, with who, when
    and the comment: the finding's own record of its handling (the audit log keeps it too)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("step"), max_length=20)
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = actor_field()
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")

    def __str__(self) -> str:
        return f"{self.finding.code}: {self.step}"
