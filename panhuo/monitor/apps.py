from panhuo.core import hooks


class MonitorConfig(hooks.HookedApp):
    # Its permissions module registers the policy rules.
    name = "panhuo.monitor"
    label = "monitor"
    registers = ("permissions",)
