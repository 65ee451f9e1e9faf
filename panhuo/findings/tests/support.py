"""What the findings tests share: the records of every kind (the API tests' world) and a
snapshot of every audited row, to prove that nothing an auditor does changes them."""

from __future__ import annotations

from django.apps import apps

from panhuo.core.tests.api_support import build_api_world

#: Every table of the records a finding may be raised on (and their parts and documents).
AUDITED = (
    "register.asset",
    "register.encumbrance",
    "disposal.package",
    "disposal.packageitem",
    "disposal.disposalproject",
    "disposal.projectevent",
    "finance.receipt",
    "finance.allocation",
    "finance.debt",
    "finance.repayment",
    "pricing.valuation",
)


def audited_rows() -> dict[str, list[dict]]:
    """Every audited row, every column, in key order."""
    return {label: list(apps.get_model(label).objects.order_by("pk").values()) for label in AUDITED}


def records_of_every_kind(w) -> dict:
    """One record of each kind a finding may name, all in district A."""
    aw = build_api_world(w)
    return {
        "asset": aw.asset,
        "package": aw.package,
        "project": aw.concluded,
        "receipt": aw.receipt,
        "allocation": aw.allocation,
        "debt": aw.debt,
    }, aw
