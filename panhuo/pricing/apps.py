from panhuo.core import hooks


class PricingConfig(hooks.HookedApp):
    # The price rules guard disposal transitions from disposal's side
    # (panhuo/disposal/pricing_guard.py), since disposal is the layer above.
    name = "panhuo.pricing"
    label = "pricing"
