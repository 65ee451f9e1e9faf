"""Documents held on records: appraisal reports, approvals, contracts, notices.

A document is never changed once stored: uploading again under the same record, kind and title
adds the next version, and the file itself is kept by its SHA-256 under the data directory, so
the same bytes are stored once and never replaced. A database trigger refuses any UPDATE of a
stored document (see the migration); the services only ever insert.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.core.links import page_url


class DocumentKind(models.TextChoices):
    APPRAISAL_REPORT = "appraisal_report", _("Appraisal report")
    APPROVAL = "approval", _("Approval document")
    COLLECTIVE_DECISION = "collective_decision", _("Collective decision minutes")
    CONTRACT = "contract", _("Contract")
    NOTICE = "notice", _("Notice")
    OTHER = "other", _("Other document")


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user) -> DocumentQuerySet:
        """Documents whose record the user may see (each record type's own ``visible_to``)."""
        from panhuo.integrity.document_registry import visible_targets_q

        return self.filter(visible_targets_q(user))


class Document(models.Model):
    """One version of one document on one record."""

    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    target_id = models.PositiveBigIntegerField(_("record id"))
    target = GenericForeignKey("target_type", "target_id")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    #: The document number (文号) an approval, a decision's minutes or a report carries; an
    #: approval document counts for an approval gate only with it.
    number = models.CharField(_("document number"), max_length=100, blank=True, default="")
    # Not called "version": that name is the optimistic lock elsewhere, and the audit snapshot
    # leaves it out.
    revision = models.PositiveIntegerField(_("version"))
    filename = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    storage_path = models.CharField(_("storage path"), max_length=255)
    uploaded_by = actor_field(verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))
    jurisdiction_path = models.CharField(_("jurisdiction path"), max_length=255, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name, verbose_name_plural = _("document"), _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "kind", "title", "revision"],
                name="document_version_unique",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="document_revision_gte_1"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_size_gt_0"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="document_target_idx")]

    def __str__(self) -> str:
        return f"{self.title} v{self.revision}"

    get_absolute_url = page_url("document-detail")

    def get_download_url(self) -> str:
        return reverse("document-download", args=[self.pk])


class DocumentPublication(models.Model):
    """A document marked public: a notice that publishes its record may show it to anyone (a
    photo, a floor plan, the appraisal summary). The mark is a row of its own, since a stored
    document never changes; taking it back deletes the row (both audited)."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="publication")
    marked_by = actor_field(verbose_name=_("marked public by"))
    marked_at = models.DateTimeField(_("marked public at"))

    class Meta:
        ordering = ["document"]
        verbose_name, verbose_name_plural = _("public document"), _("public documents")

    def __str__(self) -> str:
        return f"{self.document} (public)"

    def get_absolute_url(self) -> str:
        return self.document.get_absolute_url()
