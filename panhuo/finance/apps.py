from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "panhuo.finance"
    label = "finance"

    def ready(self) -> None:
        # Finance sits above disposal: it guards disposal's transitions and keeps the money a
        # disposal creates, through disposal's hooks (panhuo/finance/hooks.py).
        from panhuo.finance import hooks

        hooks.install()
        # The roll-ups join core.rollups' registry (`panhuo rollups verify` / `rebuild`).
        from panhuo.finance import rollups  # noqa: F401
        from panhuo.finance.debts import risk_rollups  # noqa: F401
