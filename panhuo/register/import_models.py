"""Saved column mappings and import runs (the background work of a bulk import)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field
from panhuo.core.links import page_url
from panhuo.core.texts import render


class ImportMapping(models.Model):
    """How one source's files are read: header → field, source word → Panhuo value, options
    (date order, amount unit, coordinate reference system, sheet, encoding, delimiter)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mappings"
    )
    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("imports"), max_length=20, default="assets")
    columns = models.JSONField(_("columns"), default=dict, blank=True)
    values = models.JSONField(_("value mappings"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    #: Field → the value every row gets for a field the file has no column of.
    constants = models.JSONField(_("fixed values"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner", "name"]
        verbose_name = _("import mapping")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "target", "name"], name="import_mapping_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    get_absolute_url = page_url("import-mapping-list", None)

    def as_json(self) -> dict:
        return {"columns": self.columns, "values": self.values, "options": self.options,
                "constants": self.constants}  # fmt: skip


class ImportRun(models.Model):
    """One file's import: queued, checked or committed by a worker, with progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    owner = actor_field(related_name="import_runs")
    target = models.CharField(max_length=20, default="assets")
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField()
    stored_path = models.CharField(max_length=500)
    mapping_name = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    commit = models.BooleanField(_("commit"), default=False)
    valid_only = models.BooleanField(_("valid rows only"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveBigIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    #: The same message as kept when the run ends (``import_failures.stored``): ``"msg"``, the
    #: message's code, msgid and values, rendered in each reader's language when read
    #: (``shown_message``), and its text in each of the site's languages (``{"en": ...,
    #: "zh-hans": ...}``; runs stored before messages were kept have only these).
    message_i18n = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import run")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "succeeded", "rejected",
                                               "failed", "cancelled"]),
                name="import_run_status_valid",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.file_name}"

    get_absolute_url = page_url("import-run-detail")

    @property
    def shown_message(self) -> str:
        """The run's message in the reader's language: the text written in it when the run
        ended (every language of the site is written then), else rendered now from the stored
        message (code, msgid, values: a language added since), else the English."""
        texts = self.message_i18n or {}
        shown = texts.get(translation.get_language() or "")
        if shown:
            return shown
        if texts.get("msg"):
            return render(texts["msg"])
        return self.message

    @property
    def message_code(self) -> str:
        """The message's code, for scripts (``core.texts.Msg``); "" if it has none."""
        return ((self.message_i18n or {}).get("msg") or {}).get("code", "")

    @property
    def finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)
