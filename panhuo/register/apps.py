from panhuo.core import hooks


class RegisterConfig(hooks.HookedApp):
    # The unit page (organisation, the layer below) shows the unit's assets; the roll-up
    # joins core.rollups' registry (`panhuo rollups verify` / `rebuild`).
    name = "panhuo.register"
    label = "register"
    registers = ("rollups",)
