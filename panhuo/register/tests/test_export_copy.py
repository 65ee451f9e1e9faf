"""The CSV export's rows made by the database — COPY TO on PostgreSQL, one plain cursor on
SQLite — are byte for byte the file the Python rows make (csv_rows), for cells that test every
rule — quotes, commas and newlines inside a
cell, empty and missing values, formula-like text and numbers that only look like it, booleans,
dates, amounts, attributes of every kind the services store (text, whole numbers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from panhuo.core.testing import AssetFactory
from panhuo.register.exporting import copy_csv, csv_rows, sqlite_csv
from panhuo.register.selectors import asset_list

NAMES = [
    'Car, "old"', "two\nlines", "cr\r\nlf", "=SUM(A1)", "+86 street", "-5", "-1,200.50", "-5\n",
    "@user", "\ttab", "-x", "", "普通 名称", "\\.", '"', "'=already",
]  # fmt: skip


@pytest.mark.django_db
def test_the_database_makes_the_same_bytes_as_the_rows(world):
    for i, name in enumerate(NAMES):
        AssetFactory(
            unit=world.unit,
            code=f"X{i:02d}",
            name=name,
            address=name if i % 2 else "",
            certificate_number="" if i % 3 else name,
            acquired_on=None if i % 3 else dt.date(1999, 12, 31),
            attributes={"plate": name, "mileage_km": 84000 - i * 10_000, "note": None,
                        "percentage": ["35.5", "-1e-07", "2", -3][i % 4], "company": name},
            idle_since=dt.date(2023, 2, 1) if i % 2 else None,
            title_complete=i % 2 == 0,
            latitude=Decimal("22.543096") if i % 2 else None,
            longitude=Decimal("-0.128354") if i % 2 else None,
            accumulated_depreciation=Decimal("10.50"),
            book_value=Decimal("7856500.00") if i == 3 else Decimal("100.00"),
        )  # fmt: skip
    qs = asset_list(world.user("office"))
    expected = b"".join(csv_rows(qs))
    made = copy_csv if connection.vendor == "postgresql" else sqlite_csv
    assert b"".join(made(qs, batch=5)) == expected
    assert expected.count(b"\r\n") >= len(NAMES)
