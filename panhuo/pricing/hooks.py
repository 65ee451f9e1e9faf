"""What pricing fills in the layers below it (installed by PricingConfig.ready): its permission
rules, and ``panhuo audit reconcile`` replaying valuations from their audit entries."""

from __future__ import annotations

from panhuo.integrity.reconcile import Audited, audited
from panhuo.pricing import permissions  # noqa: F401 (registers the rules)
from panhuo.pricing.models import Valuation


def install() -> None:
    audited.register("pricing.valuation", Audited(Valuation))
