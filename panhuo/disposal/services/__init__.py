"""Writes for packages and disposal projects; each is one transaction with its audit entry.

The writes live by what they act on: ``packages`` (a package and its assets), ``projects`` (a
project's draft) and ``transitions`` (its steps through the channel's table). This module names
the public ones, so callers write ``services.project_transition``.
"""

from panhuo.core.gates import GateRefused
from panhuo.disposal.services.packages import (
    package_add_assets,
    package_create,
    package_remove_asset,
)
from panhuo.disposal.services.projects import project_create, project_update
from panhuo.disposal.services.transitions import (
    TransitionRefused,
    available_transitions,
    blocked_transitions,
    project_transition,
    transition_blocker,
    transition_check,
)

__all__ = [
    "GateRefused",
    "TransitionRefused",
    "available_transitions",
    "blocked_transitions",
    "package_add_assets",
    "package_create",
    "package_remove_asset",
    "project_create",
    "project_transition",
    "project_update",
    "transition_blocker",
    "transition_check",
]
