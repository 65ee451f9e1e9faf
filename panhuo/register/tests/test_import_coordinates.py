"""Coordinates a newcomer gets right first time (issue 14, item 5): the coordinate system named
as "WGS84", "WGS 84", "EPSG:4326", "4326" or a bare EPSG number; a point whose latitude and
longitude look swapped, or that lies outside the country's bounding box (a setting, China's
by default), is a row error naming its column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.utils import translation

from panhuo.register.import_forms import MappingForm
from panhuo.register.importing.engine import Mapping, import_assets
from panhuo.register.importing.rows import normalise_crs
from panhuo.register.models import Asset


@pytest.mark.parametrize(
    ("text", "expected"),
    [("WGS84", None), ("WGS 84", None), ("wgs-84", None), ("EPSG:4326", None), ("4326", None),
     ("", None), ("4547", "EPSG:4547"), ("epsg 4547", "EPSG:4547"), ("EPSG:27700", "EPSG:27700"),
     ("+proj=longlat +datum=WGS84", "+proj=longlat +datum=WGS84")],
)  # fmt: skip
def test_crs_names_are_normalised(text, expected):
    assert normalise_crs(text) == expected


def _import(world, rows: str, **mapping):
    data = "unit,code,name,kind," + rows
    return import_assets(actor=world.user("office"), stream=io.BytesIO(data.encode()),
                         mapping=Mapping(**mapping), commit=True, valid_only=True)  # fmt: skip


@pytest.mark.parametrize("crs", ["WGS84", "WGS 84", "EPSG:4326", "4326"])
def test_wgs84_in_any_spelling_reads_latitude_and_longitude(world, crs):
    report = _import(world, "纬度,经度\nU1,P-1,Tower,building,39.9,116.4\n", options={"crs": crs})
    assert report.committed and report.new == 1, report.errors
    assert Asset.objects.get().latitude == Decimal("39.900000")


def test_a_bare_epsg_number_converts_x_and_y(world):
    # CGCS2000 / 3-degree Gauss-Kruger CM 117E: Beijing's Tiananmen, near 39.9 N 116.4 E.
    report = _import(world, "x,y\nU1,P-1,Tower,building,465000,4417000\n",
                     options={"crs": "4548"})  # fmt: skip
    assert report.committed, report.errors
    a = Asset.objects.get()
    assert 39 < a.latitude < 41 and 116 < a.longitude < 117


def test_swapped_and_stray_points_are_row_errors_naming_the_column(world):
    rows = (
        "latitude,longitude\n"
        "U1,P-1,Tower,building,116.4,39.9\n"  # swapped (latitude over 90)
        "U1,P-2,Depot,building,80.1,30.2\n"  # swapped within China's box
        "U1,P-3,Office,building,51.5,-0.12\n"  # London: outside the box
        "U1,P-4,Shed,building,22.54,114.05\n"  # Shenzhen: fine
    )
    with translation.override("en"):
        report = _import(world, rows)
    assert report.new == 1 and report.rejected == 3
    by_row = {e.row: e for e in report.errors}
    assert by_row[2].column == "latitude" and "look swapped" in by_row[2].message
    assert by_row[3].column == "latitude" and "look swapped" in by_row[3].message
    assert by_row[4].column == "longitude" and "bounding box" in by_row[4].message
    assert list(Asset.objects.values_list("code", flat=True)) == ["P-4"]
    Asset.objects.all().delete()
    with translation.override("zh-hans"):
        report = _import(world, rows)
    messages = " ".join(e.message for e in report.errors)
    assert "填反" in messages and "边界框" in messages


def test_the_bounding_box_is_a_setting(world, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": None}
    report = _import(world, "latitude,longitude\nU1,P-3,Office,building,51.5,-0.12\n")
    assert report.committed and report.new == 1, report.errors
    settings.PANHUO = {**settings.PANHUO, "IMPORT_BOUNDS": (49, 61, -9, 2)}
    report = _import(world, "latitude,longitude\nU1,P-5,Tower,building,39.9,116.4\n")
    assert report.rejected == 1 and "bounding box" in report.errors[0].message


def test_the_mapping_form_takes_a_bare_epsg_number():
    form = MappingForm(data={"crs": "4548", "date_order": "dmy", "amount_unit": "yuan",
                             "headers": "[]"}, headers=[])  # fmt: skip
    assert form.is_valid(), form.errors
