"""Portal's tables: the public notices (snapshots of exactly the published fields) and the task
force's own announcements."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import MoneyField, actor_field
from panhuo.organisation.models import Jurisdiction


class NoticeKind(models.TextChoices):
    LISTING = "listing", _("Listing notice")
    RESULT = "result", _("Result notice")


class NoticeState(models.TextChoices):
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Notice(models.Model):
    """One revision of one public notice. ``data`` holds exactly the fields the notice
    publishes (``portal.published``), copied when it went up: later changes to the records do
    not reach it. A correction, relisting or extension adds the next revision under the same
    ``code`` (the earlier ones stay, no longer current); the columns beside ``data`` are copies
    of published fields that the public search filters on."""

    code = models.CharField(_("notice number"), max_length=32)
    kind = models.CharField(_("kind"), max_length=8, choices=NoticeKind.choices)
    revision = models.PositiveIntegerField(_("revision"))
    current = models.BooleanField(_("current"), default=True)
    state = models.CharField(
        _("state"), max_length=10, choices=NoticeState.choices, default=NoticeState.PUBLISHED
    )
    project = models.ForeignKey(
        "disposal.DisposalProject", on_delete=models.PROTECT, related_name="+"
    )
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    #: The asset kinds of the lot, as ",land,building," (a filter by kind is one LIKE).
    kinds = models.CharField(_("asset kinds"), max_length=300)
    #: The headline price: the reserve (starting price) of a listing, the deal of a result.
    price = MoneyField(_("price"))
    starts_on = models.DateField(_("published on"))
    #: The end of the disclosure period (listing) or of the result notice's period (result).
    ends_on = models.DateField(_("period ends"))
    data = models.JSONField(_("published fields"))
    reason = models.TextField(_("reason for this revision"), blank=True)
    published_by = actor_field()
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        constraints = [
            models.UniqueConstraint(fields=["code", "revision"], name="notice_revision_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(current=True), name="notice_one_current"
            ),
            models.UniqueConstraint(
                fields=["project", "kind"],
                condition=Q(current=True),
                name="notice_one_current_per_project_kind",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="notice_revision_gte_1"),
            models.CheckConstraint(condition=Q(price__gte=0), name="notice_price_gte_0"),
            models.CheckConstraint(
                condition=Q(kind__in=["listing", "result"]), name="notice_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["published", "withdrawn"]), name="notice_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="notice_period_in_order"
            ),
        ]
        indexes = [
            models.Index(fields=["current", "-published_at"], name="notice_current_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} r{self.revision} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("portal-notice", args=[self.code])


class AnnouncementKind(models.TextChoices):
    POLICY = "policy", _("Policy")
    PROGRESS = "progress", _("Progress")


class Announcement(models.Model):
    """The task force's own public announcement (a policy, or progress made), written by the
    office; public once published."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=AnnouncementKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20_000)
    published_on = models.DateField(_("published on"))
    published_by = actor_field()
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["policy", "progress"]), name="announcement_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="announcement_title_not_blank"),
            models.CheckConstraint(condition=~Q(body=""), name="announcement_body_not_blank"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("portal-announcement", args=[self.pk])
