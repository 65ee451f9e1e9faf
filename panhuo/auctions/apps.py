from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuctionsConfig(AppConfig):
    name = "panhuo.auctions"
    label = "auctions"
    verbose_name = _("Auctions")

    def ready(self) -> None:
        # A project's page links to its lots through disposal's hook (panhuo/auctions/hooks.py).
        from panhuo.auctions import hooks

        hooks.install()
