from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "panhuo.pricing"
    label = "pricing"

    def ready(self) -> None:
        # The price rules guard disposal transitions from disposal's side
        # (panhuo/disposal/pricing_guard.py), since disposal is the layer above.
        # `panhuo audit reconcile` replays valuations from their audit entries.
        from panhuo.integrity.reconcile import Audited, audited
        from panhuo.pricing import permissions  # noqa: F401 (registers the rules)
        from panhuo.pricing.models import Valuation

        audited.register("pricing.valuation", Audited(Valuation))
