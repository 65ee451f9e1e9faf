from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "panhuo.pricing"
    label = "pricing"

    def ready(self) -> None:
        from panhuo.disposal import guards
        from panhuo.pricing import guard, permissions  # noqa: F401 (registers the rules)

        guards.register("pricing", guard.pricing_guard)
