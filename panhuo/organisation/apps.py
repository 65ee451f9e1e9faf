from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "panhuo.organisation"
    label = "organisation"

    def ready(self) -> None:
        # `panhuo audit reconcile` replays role assignments from their audit entries.
        from panhuo.integrity.reconcile import Audited, audited
        from panhuo.organisation.models import RoleAssignment

        audited.register("organisation.roleassignment", Audited(RoleAssignment))
