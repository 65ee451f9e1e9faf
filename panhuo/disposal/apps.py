from panhuo.core import hooks


class DisposalConfig(hooks.HookedApp):
    # Disposal joins pricing's and approvals' work through hooks (panhuo/disposal/hooks.py);
    # the roll-up joins core.rollups' registry (`panhuo rollups verify` / `rebuild`).
    name = "panhuo.disposal"
    label = "disposal"
    registers = ("rollups",)
