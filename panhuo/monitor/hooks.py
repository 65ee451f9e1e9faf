"""The hooks the monitor fills in the register, the layer below (installed by
MonitorConfig.ready): ``panhuo import revenue FILE`` goes to the monitor's importer."""

from __future__ import annotations

from panhuo.monitor import command
from panhuo.register import hooks as register


def install() -> None:
    register.import_commands.register("revenue", command.run_import)
