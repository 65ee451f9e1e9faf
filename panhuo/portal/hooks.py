"""The hooks the portal fills in the layers below it (installed by PortalConfig.ready):

- disposal's ``notices.published``: a market project's listing, relisting, extension and
  withdrawal, and its result notice, put up (or take down) its public notice;
- integrity's ``audited``: ``panhuo audit reconcile`` replays the announcements.
"""

from __future__ import annotations

from panhuo.disposal import notices
from panhuo.integrity.reconcile import Audited, audited
from panhuo.portal import services
from panhuo.portal.models import Announcement


def install() -> None:
    notices.published.register("portal", services.notice_on_step)
    audited.register("portal.announcement", Audited(Announcement))
