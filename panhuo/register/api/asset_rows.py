"""The asset list API's rows, read as plain values instead of model instances.

The list is the API's busiest read. Building 50 model instances per page and letting the
response schema pull each field through its attribute resolver cost more than the queries
themselves, so the list reads the columns it answers with (``values_list``) and shapes them here,
field for field as :class:`~panhuo.register.schemas.AssetOut` would. A test compares the two on
every field, so the shapes cannot drift apart; the detail endpoints keep using the schema.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from panhuo.core.money import CENT

#: (answer field, column) in AssetOut's order; the unit's fields are nested below.
_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("code", "code"),
    ("name", "name"),
    ("kind", "kind"),
    ("unit.id", "unit_id"),
    ("unit.code", "unit__code"),
    ("unit.name", "unit__name"),
    ("unit.jurisdiction_id", "unit__jurisdiction_id"),
    ("address", "address"),
    ("latitude", "latitude"),
    ("longitude", "longitude"),
    ("area", "area"),
    ("book_value", "book_value"),
    ("appraised_value", "appraised_value"),
    ("status", "status"),
    ("criticality", "criticality"),
    ("classification", "classification__code"),
    ("certificate_number", "certificate_number"),
    ("title_complete", "title_complete"),
    ("idle_since", "idle_since"),
    ("accumulated_depreciation", "accumulated_depreciation"),
    ("annual_income", "annual_income"),
    ("annual_holding_cost", "annual_holding_cost"),
    ("acquired_on", "acquired_on"),
    ("attributes", "attributes"),
    ("version", "version"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)
_MONEY = {
    "book_value",
    "appraised_value",
    "accumulated_depreciation",
    "annual_income",
    "annual_holding_cost",
}
_DECIMAL = {"latitude", "longitude", "area"}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def asset_rows(queryset: QuerySet) -> list[dict[str, Any]]:
    """The page's assets as AssetOut answers them (money and decimals as text)."""
    names = [name for name, _column in _COLUMNS]
    rows = []
    for values in queryset.values_list(*(column for _name, column in _COLUMNS)):
        raw = dict(zip(names, values, strict=True))
        row: dict[str, Any] = {}
        for name in names:
            value = raw[name]
            if name.startswith("unit."):
                if name == "unit.id":
                    row["unit"] = {}
                row["unit"][name[5:]] = value
            elif name in _MONEY:
                row[name] = _money(value)
            elif name in _DECIMAL:
                row[name] = _decimal(value)
            else:
                row[name] = value
        row["net_book_value"] = _money(
            (raw["book_value"] or Decimal(0)) - (raw["accumulated_depreciation"] or Decimal(0))
        )
        rows.append(row)
    return rows
