from django.apps import AppConfig


class PricingConfig(AppConfig):
    name = "panhuo.pricing"
    label = "pricing"

    def ready(self) -> None:
        # The price rules guard disposal transitions from disposal's side
        # (panhuo/disposal/pricing_guard.py), since disposal is the layer above.
        # hooks.py imports models, so it loads only once the app registry is ready.
        from panhuo.pricing import hooks

        hooks.install()
