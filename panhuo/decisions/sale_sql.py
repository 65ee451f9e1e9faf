"""``selectors.sale_figures``'s reads for a few sales (the flags' update after one write) as
hand-written SQL built once per process (``core.statements``): the sold packages' assets, their
valuations and the repaid debts' schedules, each as the ORM's ``values_list`` gives them (same
columns, order and converted values). ``test_demo_flags`` holds the rule's figures equal both
ways over the demo."""

# ruff: noqa: S608 (the statements' text is literal but for placeholders; values are parameters)

from __future__ import annotations

from panhuo.core.statements import converted, rows, statement
from panhuo.disposal.models import PackageItem
from panhuo.finance.debts.models import ScheduleRow
from panhuo.organisation.models import Unit
from panhuo.pricing.models import Valuation
from panhuo.register.models import Asset


def _fields(model, names):
    return [model._meta.get_field(n) for n in names]


def items(packages) -> list[tuple]:
    """(package id, *``selectors.ASSET_COLUMNS``) of each item of ``packages``, by package and
    asset code."""
    ids = sorted(packages)
    if not ids:
        return []
    sql = statement("sale_items", (len(ids),), lambda i: f"""
        SELECT i.package_id, a.id, a.code, a.annual_income, a.annual_holding_cost, a.status,
               u.jurisdiction_id, a.area, a.kind
        FROM disposal_packageitem i
        JOIN register_asset a ON a.id = i.asset_id
        JOIN organisation_unit u ON u.id = a.unit_id
        WHERE i.package_id IN ({i})
        ORDER BY i.package_id, a.code""")  # fmt: skip
    names = ("id", "code", "annual_income", "annual_holding_cost", "status")
    fields = [PackageItem._meta.get_field("package"), *_fields(Asset, names),
              Unit._meta.get_field("jurisdiction"), *_fields(Asset, ("area", "kind"))]  # fmt: skip
    return converted(fields, rows(sql, ids))


def valuations(asset_ids, kinds) -> list[tuple]:
    """(asset id, kind, base date, value) of the assets' valuations of ``kinds``, each asset's
    latest first."""
    ids, kinds = sorted(set(asset_ids)), sorted(str(k) for k in kinds)
    if not ids:
        return []
    sql = statement("sale_valuations", (len(ids), len(kinds)), lambda i, k: f"""
        SELECT asset_id, kind, base_date, value FROM pricing_valuation
        WHERE asset_id IN ({i}) AND kind IN ({k})
        ORDER BY asset_id, base_date DESC, id DESC""")  # fmt: skip
    fields = _fields(Valuation, ("asset", "kind", "base_date", "value"))
    return converted(fields, rows(sql, [*ids, *kinds]))


def schedules(debt_ids) -> list[tuple]:
    """(debt id, due date, principal, interest) of the debts' schedule rows, by due date."""
    ids = sorted(set(debt_ids))
    if not ids:
        return []
    sql = statement("sale_schedules", (len(ids),), lambda i: f"""
        SELECT debt_id, due_date, principal, interest FROM finance_schedulerow
        WHERE debt_id IN ({i})
        ORDER BY debt_id, due_date""")  # fmt: skip
    fields = _fields(ScheduleRow, ("debt", "due_date", "principal", "interest"))
    return converted(fields, rows(sql, ids))
