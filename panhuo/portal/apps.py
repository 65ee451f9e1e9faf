from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "panhuo.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from panhuo.disposal import notices
        from panhuo.integrity.reconcile import Audited, audited
        from panhuo.portal import services
        from panhuo.portal.models import Announcement

        # A market project's listing, relisting, extension, withdrawal and result notice put
        # up (or take down) its public notice, in the step's transaction.
        notices.published.register("portal", services.notice_on_step)
        audited.register("portal.announcement", Audited(Announcement))
