from panhuo.core import hooks


class OrganisationConfig(hooks.HookedApp):
    name = "panhuo.organisation"
    label = "organisation"
