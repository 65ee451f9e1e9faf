from django.utils.translation import gettext_lazy as _

from panhuo.core import hooks


class AuctionsConfig(hooks.HookedApp):
    # A project's page links to its lots through disposal's hook (panhuo/auctions/hooks.py).
    name = "panhuo.auctions"
    label = "auctions"
    verbose_name = _("Auctions")
