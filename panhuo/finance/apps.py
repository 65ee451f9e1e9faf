from panhuo.core import hooks


class FinanceConfig(hooks.HookedApp):
    # Finance sits above disposal: it guards disposal's transitions and keeps the money a
    # disposal creates, through disposal's hooks (panhuo/finance/hooks.py); the roll-ups join
    # core.rollups' registry (`panhuo rollups verify` / `rebuild`).
    name = "panhuo.finance"
    label = "finance"
    registers = ("rollups", "debts.risk_rollups")
