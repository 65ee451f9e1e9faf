"""The hooks the register declares for the apps above it, filled in their AppConfig.ready
(``panhuo.core.hooks``): the register never imports finance or the monitor."""

from __future__ import annotations

from panhuo.core.hooks import Hook
from panhuo.integrity.reconcile import Audited, audited
from panhuo.organisation import hooks as organisation
from panhuo.register.models import Asset
from panhuo.register.selectors import unit_asset_figures

#: Import targets besides assets: key = the target's name, handler = its engine ``Target``
#: (finance: "debts").
import_targets = Hook("register.import_targets")

#: ``panhuo import TARGET`` for targets with a command of their own: key = the target, handler =
#: ``run(command, opts)`` (monitor: "revenue").
import_commands = Hook("register.import_commands")

#: The debts an asset secures, for its page: handler ``(user, asset) -> [(security, may the
#: user open its debt), ...]`` (finance).
asset_securities = Hook("register.asset_securities")


def install() -> None:
    """What the register fills in the layer below (RegisterConfig.ready)."""
    organisation.unit_figures.register("register", unit_asset_figures)
    # `panhuo audit reconcile` replays assets from their audit entries.
    audited.register("register.asset", Audited(Asset))
    # The site administrator's imports of units and users (org_import.py).
    from panhuo.register.org_import import UNITS, USERS

    import_targets.register("units", UNITS)
    import_targets.register("users", USERS)
