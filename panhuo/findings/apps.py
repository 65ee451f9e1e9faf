from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FindingsConfig(AppConfig):
    name = "panhuo.findings"
    label = "findings"
    verbose_name = _("Audit findings")

    def ready(self) -> None:
        # Findings sits above the records it audits: it offers its actions on their pages and
        # holds evidence documents through the hooks and registries below (findings/hooks.py).
        from panhuo.findings import hooks

        hooks.install()
