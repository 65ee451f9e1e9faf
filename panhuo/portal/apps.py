from django.utils.translation import gettext_lazy as _

from panhuo.core import hooks


class PortalConfig(hooks.HookedApp):
    name = "panhuo.portal"
    label = "portal"
    verbose_name = _("Portal")
