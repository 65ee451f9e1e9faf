from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports for superiors (XLSX and PDF) over every stage's figures, generated and stored."""

    name = "panhuo.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        # In ready(), not at the top: integrity's registry of audited models (a layer below) and
        # the worker hook are filled once the models are loaded.
        from panhuo.core.hooks import worker_started
        from panhuo.integrity.reconcile import Audited, audited
        from panhuo.reports import access  # noqa: F401 (the policy's rules for "report")
        from panhuo.reports.models import GeneratedReport

        # The files are not in the entry: their SHA-256 (audited) stands for them.
        audited.register(
            "reports.generatedreport",
            Audited(GeneratedReport, ignore=frozenset({"xlsx", "pdf"})),
        )
        # The worker queues the monthly run when it starts (unless one is queued).
        from panhuo.reports.tasks import schedule_monthly

        worker_started.register("reports.monthly", schedule_monthly)
