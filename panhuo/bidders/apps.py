from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddersConfig(AppConfig):
    name = "panhuo.bidders"
    label = "bidders"
    verbose_name = _("Bidders")

    def ready(self) -> None:
        # The permission rules ("bidder", <step>) come from the transitions table.
        from panhuo.bidders import workflow  # noqa: F401
