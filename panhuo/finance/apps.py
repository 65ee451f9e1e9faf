from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "panhuo.finance"
    label = "finance"

    def ready(self) -> None:
        # Finance sits above disposal: it adds its collateral guard to disposal's transitions
        # and keeps the money a disposal creates (disposal.money's receivables hook).
        from panhuo.disposal import guards, money
        from panhuo.finance import disposal_receivables, securities

        guards.register("collateral", securities.collateral_guard)
        money.receivables.register("finance", disposal_receivables)
