from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "panhuo.disposal"
    label = "disposal"

    def ready(self) -> None:
        # The price rules (pricing's, a layer below) guard listings and deals; the approval
        # chains (approvals', a layer below) guard submit / approve / send back / withdraw.
        from panhuo.approvals import registry as approvals
        from panhuo.disposal import approval_hooks, guards, pricing_guard, selectors
        from panhuo.disposal.models import Channel
        from panhuo.pricing import avm

        guards.register("pricing", pricing_guard.pricing_guard)
        approval_hooks.install()
        approvals.register_channels(Channel.choices)
        # The AVM learns from disposal's sales.
        avm.deal_sources.register("disposal", selectors.sold_deals)
