"""The hooks disposal fills in the layers below it (installed by DisposalConfig.ready).

- its own guard registry gets the period gates (``periods``), the price rules (pricing), the
  channels' gates, the listing's gates (``listing_gates``) and the approval chains (approvals);
- approvals learns the channels a chain may be limited to, and the least authority, documents
  and inbox figures of disposal's purposes (approval_purposes);
- pricing's AVM learns from disposal's sales.
"""

from __future__ import annotations

from panhuo.approvals import registry as approvals
from panhuo.disposal import (
    approval_hooks,
    approval_purposes,
    channel_guard,
    guards,
    listing_gates,
    periods,
    pricing_guard,
    selectors,
)
from panhuo.disposal.models import Channel, DisposalProject, Package
from panhuo.integrity.reconcile import Audited, audited
from panhuo.pricing import avm


def install() -> None:
    # First the listing's gates (land's own periods name themselves before the general ones),
    # then the periods: a period not run out says so before the price rules.
    guards.register("listing", listing_gates.listing_guard)
    guards.register("periods", periods.periods_guard)
    # `panhuo audit reconcile` replays packages and projects from their audit entries.
    audited.register("disposal.package", Audited(Package))
    audited.register("disposal.disposalproject", Audited(DisposalProject))
    guards.register("pricing", pricing_guard.pricing_guard)
    guards.register("channels", channel_guard.channel_guard)
    approval_hooks.install()
    approval_purposes.install()
    approvals.register_channels(Channel.choices)
    avm.deal_sources.register("disposal", selectors.sold_deals)
