"""A run of the disposal plan optimiser: who asked, for which place, as of which day, with which
parameters; its state (one transition table), and the plan it found (the result JSON the page
and API show). Adopting a done plan opens its draft disposal projects (``runs.run_adopt``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.constraints import valid_choice
from panhuo.core.fields import actor_field
from panhuo.core.links import page_url
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    ADOPTED = "adopted", _("Adopted")


#: The one transition table of a run's status.
TRANSITIONS: dict[str, frozenset[str]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.DONE: frozenset({RunStatus.ADOPTED}),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
    RunStatus.ADOPTED: frozenset(),
}


class OptimiserRun(policy.Scoped):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="optimiser_runs",
        verbose_name=_("jurisdiction"),
    )  # fmt: skip
    on = models.DateField(_("plan date"))
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    #: What the plan says (``optimiser.explain``), once done; or why it failed.
    result = models.JSONField(_("result"), default=dict, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    adopted_by = actor_field(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    view_scope = policy.ViewScope("plan_run", "jurisdiction__path")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name, verbose_name_plural = _("optimiser run"), _("optimiser runs")
        constraints = [valid_choice("status", RunStatus, name="optimiser_run_status_valid")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    get_absolute_url = page_url("plan-optimiser-run")

    @property
    def finished(self) -> bool:
        return not TRANSITIONS[self.status] or self.status == RunStatus.DONE
