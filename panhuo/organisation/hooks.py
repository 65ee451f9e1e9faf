"""The hooks organisation declares for the apps above it, filled in their AppConfig.ready
(``panhuo.core.hooks``): organisation imports no app above the floor."""

from __future__ import annotations

from panhuo.core.hooks import Hook
from panhuo.integrity.reconcile import Audited, audited
from panhuo.organisation.models import RoleAssignment

#: What a unit's page shows of the unit's holdings: handler ``(user, unit) -> dict`` merged
#: into the page's context (register: ``figures`` and ``by_status`` of the unit's assets).
unit_figures = Hook("organisation.unit_figures")


def install() -> None:
    """What organisation fills in its own layer (OrganisationConfig.ready): ``panhuo audit
    reconcile`` replays role assignments from their audit entries."""
    audited.register("organisation.roleassignment", Audited(RoleAssignment))
