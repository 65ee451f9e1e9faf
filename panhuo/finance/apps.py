from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "panhuo.finance"
    label = "finance"

    def ready(self) -> None:
        from panhuo.disposal import guards
        from panhuo.finance import securities

        guards.register("collateral", securities.collateral_guard)
