"""Models of red flags: one row per rule hit on one record, and the thresholds per place.

A flag names its rule (``registry.RULES``), the record it is about (its subject, by model label
and id: a project, a listing round, a lot, a holding unit...), the place and holding unit it
belongs to, the figures that make it a hit (``evidence``, shown through the rule's bilingual
sentence, so it reads in the reader's language), the records behind it (``links``) and the
thresholds it was judged against. The engine keeps it: created open when the rule first hits,
its figures refreshed while it holds, ``cleared`` when it no longer holds; only an auditor
resolves it (services.flag_resolve). At most one open flag per rule and subject, held by the
database.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field, optional_ref
from panhuo.core.links import page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


#: Severity order for sorting and filtering (high first).
SEVERITY_RANK = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    #: The rule no longer holds (the figures changed): kept for the history, no action needed.
    CLEARED = "cleared", _("Cleared (no longer true)")


class Resolution(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    RECTIFIED = "rectified", _("Rectified")
    REFERRED = "referred", _("Referred to the discipline inspection body")


class FlagQuerySet(policy.ScopedQuerySet):
    """Flags whose records' names load together when first read (``labels.Labels``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from panhuo.flags.labels import FlagIterable

        self._iterable_class = FlagIterable


class Flag(models.Model):
    """One rule's hit on one record (see the module doc)."""

    rule = models.CharField(_("rule"), max_length=48, db_index=True)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="flags", verbose_name=_("jurisdiction")
    )
    unit = optional_ref("organisation.Unit", related_name="flags", verbose_name=_("holding unit"))
    subject_type = models.CharField(_("record type"), max_length=64)
    subject_id = models.CharField(_("record id"), max_length=40)
    #: The subject's name in the site's language (searched and sorted); shown: ``record_label``.
    subject_label = models.CharField(_("record"), max_length=255)
    subject_url = models.CharField(max_length=300, blank=True)
    #: The figures of the hit (JSON values: amounts and ratios as text), read by the rule's
    #: sentence; ``fingerprint`` is their digest, so a resolution stands until they change.
    evidence = models.JSONField(_("evidence"), default=dict)
    fingerprint = models.CharField(max_length=64)
    #: The records behind the flag: [{"type": model label, "id": ..., "code": ..., "url": ...,
    #: "label": the name in the site's language, for a record since removed}]; read them
    #: through ``records``, named in the reader's language.
    links = models.JSONField(_("records behind it"), default=list)
    thresholds = models.JSONField(_("thresholds used"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN
    )
    resolution = models.CharField(
        _("resolution"), max_length=12, choices=Resolution.choices, blank=True
    )
    comment = models.TextField(_("auditor's comment"), blank=True)
    resolved_by = actor_field(null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)

    objects = FlagQuerySet.as_manager()
    view_scope = policy.ViewScope("flag", "jurisdiction__path")

    class Meta:
        ordering = ["-first_seen", "-pk"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=Q(status="open"),
                name="flag_one_open_per_rule_subject",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "resolved", "cleared"]), name="flag_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(resolution=""),
                name="flag_resolved_has_resolution",
            ),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="flag_subject"),
            # The engine's lookup after a write: a rule's flags on the subjects it reached.
            models.Index(fields=["rule", "subject_id"], name="flag_rule_subject"),
            models.Index(fields=["status", "severity"], name="flag_status_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject_label}"

    get_absolute_url = page_url("flag-detail")

    @property
    def rule_def(self):
        """The rule's declaration (labels, sentence, source), None for a rule since removed."""
        from panhuo.flags.registry import RULES

        return RULES.get(self.rule)

    @property
    def title(self) -> str:
        rule = self.rule_def
        return str(rule.label) if rule else self.rule

    def _names(self):
        from panhuo.flags.labels import Labels

        if getattr(self, "_labels", None) is None:
            self._labels = Labels([self])
        return self._labels

    @property
    def record_label(self) -> str:
        """The subject's name in the reader's language (the stored one once it is removed)."""
        return self._names().name(self.subject_type, self.subject_id) or self.subject_label

    @property
    def records(self) -> list[dict]:
        """The records behind the flag, each named in the reader's language."""
        from panhuo.flags.labels import fallback

        names = self._names()
        return [
            {**link,
             "label": names.name(link.get("type", ""), link.get("id", "")) or fallback(link)}
            for link in self.links or ()
        ]  # fmt: skip

    @property
    def explanation(self) -> str:
        """The evidence as a sentence in the reader's language."""
        rule = self.rule_def
        return rule.explain(self.evidence) if rule else ""


class FlagThreshold(models.Model):
    """A jurisdiction's own values of a rule's parameters; the places below follow them unless
    they set their own (per parameter), and the defaults in code apply above them all."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="flag_thresholds"
    )
    rule = models.CharField(_("rule"), max_length=48)
    values = models.JSONField(_("values"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["jurisdiction__path", "rule"]
        verbose_name = _("red-flag threshold")
        verbose_name_plural = _("red-flag thresholds")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "rule"], name="flag_threshold_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.rule}"
