"""The value rules' reads over the few sales one write reached (the update after a write), as
hand-written SQL built once per process, vendor and number of ids.

Over a handful of records the ORM's statements cost little in the database (a millisecond or
two each, quiet) and about twice that in Python building them: cloning querysets, resolving the
lookups and joins, compiling (bench/flags.py, docs/benchmarks.md). Here each statement's text is
made once and only its parameters change; rows come back as tuples, each column through the
converter the ORM would give it (SQLite's floats and text dates) so that the rules compute with
the same values either way. Each function gives exactly what its ORM twin in ``value.py`` gives
for the same ids; the ORM twins stay for the runs over whole places (a recompute), and
``test_demo_flags`` holds the two paths equal for every rule over the demo.

No caller's permission is checked and nothing is written (the rules are selectors)."""

# ruff: noqa: S608 (the statements' text is literal but for placeholders; values are parameters)

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_date

from panhuo.core.statements import rows, statement
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.disposal.workflow import AFTER_DEAL
from panhuo.finance.models import Debt
from panhuo.pricing.rules import SELLING_CHANNELS
from panhuo.register.models import Asset, AssetStatus, Criticality

#: Whether the update after a write reads through these statements (and ``split_sql``'s: the
#: splitting rule and the ways from a write in ``reach``); bench/flags.py turns it off to time
#: the ORM's statements (the same-run baseline) in the same process.
ENABLED = True
_FLOAT = decimal.Context(prec=15).create_decimal_from_float
IDLE = (str(AssetStatus.IDLE), str(AssetStatus.UNDER_USED))


def money(value, places: int | None = 2) -> Decimal | None:
    """A decimal as the ORM reads it: PostgreSQL's as given; SQLite's float (or int) made a
    Decimal of 15 digits, quantized to the column's ``places`` (None: an aggregate, as is)."""
    if value is None or isinstance(value, Decimal):
        return value
    made = _FLOAT(value)
    return made if places is None else made.quantize(Decimal(1).scaleb(-places))


def day(value) -> dt.date | None:
    """A date column as the ORM reads it (SQLite gives text)."""
    return parse_date(value) if isinstance(value, str) else value


def instances(model: type[Model], fields: Sequence[str], found: list[tuple]) -> dict:
    """Rows of ``model``'s ``fields`` (attnames, in the model's column order, the primary key
    first) as instances deferring the rest, as ``only(*fields).in_bulk()`` gives them."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in fields]
    assert names == list(fields), f"{model.__name__}: give the fields in column order"
    return {row[0]: model.from_db(connection.alias, names, row) for row in found}


_SELLING = sorted(SELLING_CHANNELS)
_AFTER_DEAL = sorted(AFTER_DEAL)


def net_incomes(ids: list[int]) -> dict[int, dict]:
    """``value._net_incomes`` for the projects ``ids``: per dealt project (a selling channel,
    past the deal, a price) whose assets earn more than they cost, its income, costs, price,
    package and place."""
    if not ids:
        return {}
    sql = statement("net_incomes", (len(ids), len(_SELLING), len(_AFTER_DEAL)), lambda i, c, s: f"""
        SELECT p.id, p.deal_price, p.package_id, k.jurisdiction_id,
               COALESCE(SUM(a.annual_income), 0), COALESCE(SUM(a.annual_holding_cost), 0)
        FROM disposal_disposalproject p
        JOIN disposal_package k ON k.id = p.package_id
        LEFT JOIN disposal_packageitem i ON i.package_id = k.id
        LEFT JOIN register_asset a ON a.id = i.asset_id
        WHERE p.id IN ({i}) AND p.channel IN ({c}) AND p.deal_price > 0 AND p.status IN ({s})
        GROUP BY p.id, p.deal_price, p.package_id, k.jurisdiction_id
        HAVING COALESCE(SUM(a.annual_income), 0) > COALESCE(SUM(a.annual_holding_cost), 0)
        ORDER BY p.id""")  # fmt: skip
    price_places = DisposalProject._meta.get_field("deal_price").decimal_places
    out = {}
    for pk, price, package_id, place, income, cost in rows(sql, [*ids, *_SELLING, *_AFTER_DEAL]):
        out[pk] = {"pk": pk, "deal_price": money(price, price_places), "package_id": package_id,
                   "package__jurisdiction_id": place, "income": money(income, None),
                   "cost": money(cost, None)}  # fmt: skip
    return out


def repaid(ids: list[int]) -> dict[int, list[dict]]:
    """``value._repaid``: per project, each debt (not voided) its proceeds repaid, net of
    reversals and above zero, with the debt's code and rate, by debt code."""
    out: dict[int, list[dict]] = {}
    if not ids:
        return out
    sql = statement("repaid", (len(ids),), lambda i: f"""
        SELECT r.project_id, d.id, d.code, d.rate,
               SUM(CASE WHEN l.reverses_id IS NULL THEN l.amount ELSE -l.amount END)
        FROM finance_allocation l
        JOIN finance_receipt r ON r.id = l.receipt_id
        JOIN finance_debt d ON d.id = l.debt_id
        WHERE r.project_id IN ({i}) AND d.voided_at IS NULL
        GROUP BY r.project_id, d.id, d.code, d.rate
        HAVING SUM(CASE WHEN l.reverses_id IS NULL THEN l.amount ELSE -l.amount END) > 0
        ORDER BY r.project_id, d.code""")  # fmt: skip
    places = Debt._meta.get_field("rate").decimal_places
    for project_id, debt_id, code, rate, amount in rows(sql, ids):
        out.setdefault(project_id, []).append(
            {"receipt__project_id": project_id, "debt_id": debt_id, "debt__code": code,
             "debt__rate": money(rate, places), "repaid": money(amount, None)}
        )  # fmt: skip
    return out


def deal_days(ids: list[int]) -> dict[int, dt.date]:
    """``batch.deal_days`` for the projects ``ids``: the day each deal was struck — its last
    sold round's end, else its last conclude step's day, else today."""
    days: dict[int, dt.date | None] = {}
    sql = statement("deal_rounds", (len(ids),), lambda i: f"""
        SELECT project_id, ended_on FROM disposal_listinground
        WHERE project_id IN ({i}) AND result = %s
        ORDER BY project_id, number DESC""")  # fmt: skip
    for pid, ended in rows(sql, [*ids, "sold"]) if ids else ():
        days.setdefault(pid, day(ended))
    out = {pid: d for pid, d in days.items() if d}
    rest = [pid for pid in ids if pid not in out]  # no sold round's end: the conclude step
    sql = statement("deal_events", (len(rest),), lambda i: f"""
        SELECT project_id, at FROM disposal_projectevent
        WHERE project_id IN ({i}) AND to_status = %s
        ORDER BY project_id, at DESC, id DESC""")  # fmt: skip
    for pid, at in rows(sql, [*rest, str(ProjectStatus.CONCLUDED)]) if rest else ():
        if pid not in out:
            if connection.vendor == "sqlite":  # text: as the ORM reads it, aware
                at = connection.ops.convert_datetimefield_value(at, None, connection)
            out[pid] = timezone.localdate(at)
    today = timezone.localdate()
    return defaultdict(lambda: today, out)


PROJECT_FIELDS = ("id", "code", "package_id", "status")


def projects(ids) -> dict[int, DisposalProject]:
    """The projects ``ids`` with their code, package and status only."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    sql = statement("projects", (len(ids),), lambda i: f"""
        SELECT id, code, package_id, status FROM disposal_disposalproject
        WHERE id IN ({i})""")  # fmt: skip
    return instances(DisposalProject, PROJECT_FIELDS, rows(sql, ids))


def assets_of_sales(project_ids) -> list[tuple[int, int, int]]:
    """(package, asset, the asset's unit) of each item of the packages of these projects, in
    the items' order (their package's, then the asset's code)."""
    ids = sorted(set(project_ids))
    sql = statement("assets_of_sales", (len(ids),), lambda i: f"""
        SELECT i.package_id, i.asset_id, a.unit_id
        FROM disposal_packageitem i
        JOIN disposal_package k ON k.id = i.package_id
        JOIN disposal_disposalproject p ON p.package_id = k.id
        JOIN register_asset a ON a.id = i.asset_id
        WHERE p.id IN ({i})
        ORDER BY k.created_at DESC, k.code, a.code""")  # fmt: skip
    return rows(sql, ids) if ids else []


def selling_items(ids: list[int]) -> list[dict]:
    """``value._selling_items`` for the projects ``ids``: the essential or income-producing
    assets they put up for sale (a selling channel; the package in no withdrawn project)."""
    sql = statement("selling_items", (len(ids), len(_SELLING)), lambda i, c: f"""
        SELECT i.asset_id, a.unit_id, p.id, k.jurisdiction_id
        FROM disposal_packageitem i
        JOIN disposal_package k ON k.id = i.package_id
        JOIN disposal_disposalproject p ON p.package_id = k.id
        JOIN register_asset a ON a.id = i.asset_id
        WHERE p.id IN ({i}) AND p.channel IN ({c})
          AND NOT EXISTS (SELECT 1 FROM disposal_disposalproject w
                          WHERE w.package_id = i.package_id AND w.status = %s)
          AND (a.criticality = %s OR a.annual_income > a.annual_holding_cost)
        ORDER BY k.created_at DESC, k.code, a.code""")  # fmt: skip
    params = [*ids, *_SELLING, str(ProjectStatus.WITHDRAWN), str(Criticality.ESSENTIAL)]
    return [{"asset_id": asset, "asset__unit_id": unit, "package__projects": project,
             "package__jurisdiction_id": place}
            for asset, unit, project, place in rows(sql, params)]  # fmt: skip


def waiting_idle(unit_ids, since: dt.date) -> dict[int, dict]:
    """``value._waiting_idle``: per unit, how many of its assets idle since ``since`` or before
    wait in no live package, and their book value."""
    units = sorted(set(unit_ids))
    if not units:
        return {}
    sql = statement("waiting_idle", (len(units), len(IDLE)), lambda u, s: f"""
        SELECT a.unit_id, COUNT(a.id), SUM(a.book_value)
        FROM register_asset a
        WHERE a.unit_id IN ({u}) AND a.status IN ({s}) AND a.idle_since <= %s
          AND NOT EXISTS (SELECT 1 FROM disposal_packageitem i
                          WHERE i.asset_id = a.id AND i.live = %s)
        GROUP BY a.unit_id""")  # fmt: skip
    params = [*units, *IDLE, connection.ops.adapt_datefield_value(since), True]
    return {unit: {"unit_id": unit, "n": n, "book": money(book, None)}
            for unit, n, book in rows(sql, params)}  # fmt: skip


def idle_lists(units: list[int], since: dt.date, limit: int) -> list[tuple[int, int]]:
    """(asset, unit) of the first ``limit`` assets of each unit idle since ``since`` or before
    and in no live package, longest idle first (as ``value._idle_lists`` for one date)."""
    sql = statement("idle_lists", (len(units), len(IDLE)), lambda u, s: f"""
        SELECT id, unit_id FROM (
            SELECT a.id, a.unit_id, a.idle_since, a.code,
                   ROW_NUMBER() OVER (PARTITION BY a.unit_id
                                      ORDER BY a.idle_since, a.code) AS n
            FROM register_asset a
            WHERE a.unit_id IN ({u}) AND a.status IN ({s}) AND a.idle_since <= %s
              AND NOT EXISTS (SELECT 1 FROM disposal_packageitem i
                              WHERE i.asset_id = a.id AND i.live = %s)
        ) ranked
        WHERE n <= %s
        ORDER BY unit_id, idle_since, code""")  # fmt: skip
    params = [*units, *IDLE, connection.ops.adapt_datefield_value(since), True, limit]
    return rows(sql, params)


ASSET_FIELDS = ("id", "code", "name", "unit_id", "criticality", "annual_income")


def assets(ids) -> dict[int, Asset]:
    """The assets ``ids`` with the columns a sold-while-idle hit shows."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    cols = ", ".join(_columns(Asset, ASSET_FIELDS))
    sql = statement("assets", (len(ids),), lambda i: f"""
        SELECT {cols} FROM register_asset WHERE id IN ({i})""")  # fmt: skip
    places = Asset._meta.get_field("annual_income").decimal_places
    found = [(*row[:-1], money(row[-1], places)) for row in rows(sql, ids)]
    return instances(Asset, ASSET_FIELDS, found)


def _columns(model: type[Model], fields) -> list[str]:
    return [model._meta.get_field(f.removesuffix("_id")).column for f in fields]
