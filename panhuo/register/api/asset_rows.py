"""The asset list API's rows, written as JSON by the database.

The list is the API's busiest read. Reading 50 rows into Python values, shaping them into the
answer's dicts and encoding them again cost several times the queries themselves, so the list's
page is one statement whose rows the database writes as JSON (``core/sql_json.py``), field for
field as :class:`~panhuo.register.schemas.AssetOut` writes them (money and decimals as text with
their places, dates ISO, times in UTC). A test compares the two on every field, so the shapes
cannot drift apart; the detail endpoints keep using the schema.
"""

from __future__ import annotations

from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet

from panhuo.core.sql_json import Field, Nested, page_statement


def _money(name: str, source: object = None) -> Field:
    return Field(name, source or name, "decimal", 2)


#: AssetOut's fields, in its order.
FIELDS: tuple[Field | Nested, ...] = (
    Field("id", "id"),
    Field("code", "code"),
    Field("name", "name"),
    Field("kind", "kind"),
    Nested(
        "unit",
        (
            Field("id", "unit_id"),
            Field("code", "unit__code"),
            Field("name", "unit__name"),
            Field("jurisdiction_id", "unit__jurisdiction_id"),
        ),
    ),
    Field("address", "address"),
    Field("latitude", "latitude", "decimal", 6),
    Field("longitude", "longitude", "decimal", 6),
    Field("area", "area", "decimal", 2),
    _money("book_value"),
    _money("appraised_value"),
    Field("status", "status"),
    Field("criticality", "criticality"),
    Field("classification", "classification__code"),
    Field("certificate_number", "certificate_number"),
    Field("title_complete", "title_complete", "bool"),
    Field("idle_since", "idle_since", "date"),
    _money("accumulated_depreciation"),
    _money(
        "net_book_value",
        ExpressionWrapper(
            F("book_value") - F("accumulated_depreciation"),
            output_field=DecimalField(max_digits=20, decimal_places=2),
        ),
    ),
    _money("annual_income"),
    _money("annual_holding_cost"),
    Field("acquired_on", "acquired_on", "date"),
    Field("attributes", "attributes", "json"),
    Field("version", "version"),
    Field("created_at", "created_at", "datetime"),
    Field("updated_at", "updated_at", "datetime"),
)


def asset_statement(queryset: QuerySet, page: int, size: int) -> tuple[str, list] | None:
    """The page's one statement: count, and the assets as AssetOut writes them."""
    return page_statement(queryset, FIELDS, page, size)
