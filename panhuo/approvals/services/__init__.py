"""Writes of the approval engine; each is one transaction with its audit entry.

Separation of duties, checked here and held by the database too: whoever asked for a decision
cannot decide any step of it, and one person (in their own right or as someone's delegate)
decides at most one step of a request.

The writes live by what they act on: ``chains`` (which steps a purpose needs), ``requests``
(asking, deciding, withdrawing, closing) and ``delegations``; ``checks`` holds what all of them
check first. This module names the public ones, so callers write ``services.approval_decide``.
"""

from panhuo.approvals.services.chains import chain_delete, chain_set, match_chain
from panhuo.approvals.services.checks import (
    DEFAULT_CHAIN_NAME,
    DEFAULT_STEPS,
    MAX_STEPS,
    role_names,
)
from panhuo.approvals.services.delegations import delegation_revoke, delegation_set
from panhuo.approvals.services.requests import (
    Capacity,
    approval_decide,
    approval_request,
    approval_status,
    approval_withdraw,
    close_request,
    decide_check,
    open_request,
    pending_for,
)

__all__ = [
    "DEFAULT_CHAIN_NAME",
    "DEFAULT_STEPS",
    "MAX_STEPS",
    "Capacity",
    "approval_decide",
    "approval_request",
    "approval_status",
    "approval_withdraw",
    "chain_delete",
    "chain_set",
    "close_request",
    "decide_check",
    "delegation_revoke",
    "delegation_set",
    "match_chain",
    "open_request",
    "pending_for",
    "role_names",
]
