"""The asset list API's rows are written by the database (for speed); they must equal the
schema's answer."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ninja.responses import NinjaJSONEncoder

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import client_for
from panhuo.register.api.assets import PagedAssetOut
from panhuo.register.models import Asset, AssetKind, AssetStatus, ClassificationCode
from panhuo.register.selectors import asset_list


def _schema_answer(user, **params) -> list:
    """What the list would answer if every row went through AssetOut."""
    rows = list(asset_list(user, **params))
    page = PagedAssetOut.model_validate(
        {"count": len(rows), "page": 1, "page_size": 50, "results": rows}
    )
    return json.loads(json.dumps(page.model_dump(), cls=NinjaJSONEncoder))["results"]


def _same(answer: list, schema: list) -> None:
    """Field for field, in the schema's order and with its types (text stays text)."""
    assert json.dumps(answer) == json.dumps(schema)


def test_every_field_equals_the_schemas_answer(world):
    code = ClassificationCode.objects.order_by("pk").first()
    AssetFactory(
        unit=world.unit,
        kind=AssetKind.VEHICLE,
        latitude=Decimal("31.230416"),
        longitude=Decimal("121.473701"),
        area=None,
        appraised_value=None,
        accumulated_depreciation=Decimal("1234.5"),
        annual_income=Decimal("10"),
        idle_since=dt.date(2024, 3, 1),
        acquired_on=dt.date(2010, 1, 31),
        classification=code,
        certificate_number="沪(2020)第001号",
        title_complete=True,
        attributes={"plate": "沪A12345", "mileage_km": 120000},
    )
    AssetFactory(unit=world.unit, status=AssetStatus.IN_USE, book_value=Decimal("0"))
    AssetFactory(unit=world.unit2)
    office = world.user("office")
    answer = client_for(world, "office").get("/api/v1/assets?page_size=50").json()
    assert answer["count"] == 3
    _same(answer["results"], _schema_answer(office))
    first = answer["results"][0]
    assert first["net_book_value"] == "4998765.50"
    assert first["classification"] == code.code
    assert first["unit"] == {
        "id": world.unit.pk,
        "code": world.unit.code,
        "name": world.unit.name,
        "jurisdiction_id": world.unit.jurisdiction_id,
    }


def test_hostile_values_are_written_as_the_schema_writes_them(world):
    """Text the database must escape, nulls, amounts without cents, times with and without a
    fraction of a second: the database's JSON is the schema's, field for field."""
    hostile = AssetFactory(
        unit=world.unit,
        code='"\\盘活\n\t<>&\u2028',
        name="行政事业单位 \"房产\" \\ 'x' \x01",
        address="",
        latitude=Decimal("-0.000001"),
        longitude=Decimal("180"),
        area=Decimal("12"),
        book_value=Decimal("1234567890123.4"),
        accumulated_depreciation=Decimal("0.05"),
        appraised_value=Decimal("7"),
        annual_holding_cost=Decimal("0.10"),
        idle_since=dt.date(1999, 12, 31),
        attributes={"note": '备注 "引号"', "floors": 3, "none": None},
        title_complete=False,
    )
    AssetFactory(unit=world.unit, latitude=None, longitude=None, appraised_value=None)
    Asset.objects.filter(pk=hostile.pk).update(
        created_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=dt.UTC),
    )
    answer = client_for(world, "office").get("/api/v1/assets").json()
    _same(answer["results"], _schema_answer(world.user("office")))
    row = next(r for r in answer["results"] if r["id"] == hostile.pk)
    assert (row["book_value"], row["net_book_value"]) == ("1234567890123.40", "1234567890123.35")
    assert (row["created_at"], row["updated_at"]) == (
        "2026-01-02T03:04:05Z",
        "2026-01-02T03:04:05.999Z",
    )


def test_paging_and_sorting_match_the_schema_path(world):
    for i in range(7):
        AssetFactory(unit=world.unit, book_value=Decimal(1000 + i * 7))
    office = world.user("office")
    client = client_for(world, "office")
    answer = client.get("/api/v1/assets?page_size=3&page=2&ordering=-book_value").json()
    assert (answer["count"], answer["page"], answer["page_size"]) == (7, 2, 3)
    _same(answer["results"], _schema_answer(office, ordering="-book_value")[3:6])
    past_the_end = client.get("/api/v1/assets?page_size=3&page=9").json()
    assert past_the_end == {"count": 7, "page": 9, "page_size": 3, "results": []}


def test_another_units_officer_sees_only_their_own(world):
    AssetFactory(unit=world.unit)
    AssetFactory(unit=world.unit2)
    answer = client_for(world, "other_unit_officer").get("/api/v1/assets").json()
    assert [r["unit"]["id"] for r in answer["results"]] == [world.unit2.pk]


money = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    book=money,
    share=st.decimals(min_value=0, max_value=1, places=2),
    appraised=st.none() | money,
    area=st.none() | st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2),
)
def test_any_amounts_are_written_as_the_schema_writes_them(world, book, share, appraised, area):
    Asset.objects.all().delete()
    AssetFactory(
        appraisal=False,  # no valuation row, so that the next example can delete the asset
        scope=False,  # nor a scope decision
        unit=world.unit,
        book_value=book,
        accumulated_depreciation=(book * share).quantize(Decimal("0.01")),
        appraised_value=appraised,
        area=area,
    )
    answer = client_for(world, "office").get("/api/v1/assets").json()
    _same(answer["results"], _schema_answer(world.user("office")))
