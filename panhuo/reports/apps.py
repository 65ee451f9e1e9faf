from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports for superiors (XLSX and PDF) over every stage's figures, generated and stored."""

    name = "panhuo.reports"
    label = "reports"
    verbose_name = _("Reports")
