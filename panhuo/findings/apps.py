from django.utils.translation import gettext_lazy as _

from panhuo.core import hooks


class FindingsConfig(hooks.HookedApp):
    # Findings sits above the records it audits: it offers its actions on their pages and
    # holds evidence documents through the hooks and registries below (findings/hooks.py).
    name = "panhuo.findings"
    label = "findings"
    verbose_name = _("Audit findings")
