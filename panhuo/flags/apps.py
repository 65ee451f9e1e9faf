from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlagsConfig(AppConfig):
    name = "panhuo.flags"
    label = "flags"
    verbose_name = _("Red flags")
