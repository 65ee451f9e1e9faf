"""The map of assets (register/geo.py): the API's points and the map page, for every role, with
the list's filters and scope; the asset page's small map; the tile server and the CSP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import ANON, CALLERS, NO_ROLE, READERS_A, READERS_B
from panhuo.core.tests.views_support import REGISTER_SECTION, client_for, expected, statuses
from panhuo.settings import map_tile_source

TILES = "https://gis.example.gov.cn/tiles/{z}/{x}/{y}.png"


@pytest.fixture
def located(world):
    """District A: unit U1 one located idle asset and one without coordinates, unit U2 one
    located asset in use; district B one located asset."""

    def at(unit, code, lat, lng, status="idle"):
        return AssetFactory(
            unit=unit, code=code, status=status, latitude=lat, longitude=lng, idle_since=None
        )

    return {
        "u1": at(world.unit, "MAP-U1", Decimal("31.230400"), Decimal("121.473700")),
        "u1_nowhere": at(world.unit, "MAP-U1-X", None, None),
        "u2": at(world.unit2, "MAP-U2", Decimal("31.200000"), Decimal("121.400000"), "in_use"),
        "b": at(world.other_unit, "MAP-B", Decimal("30.000000"), Decimal("120.000000")),
    }


def sees(who: str) -> set[str]:
    """The located assets each caller's scope holds."""
    seen = set()
    if who in READERS_A or who == "unit_officer":
        seen.add("MAP-U1")
    if who in READERS_A or who == "other_unit_officer":
        seen.add("MAP-U2")
    if who in READERS_B or who in {"outsider_unit_officer", "supervisor"}:
        seen.add("MAP-B")
    return seen


def codes(answer: dict) -> set[str]:
    return {f["properties"]["code"] for f in answer["features"]}


def test_api_points_are_the_callers_located_assets_and_others_are_refused(world, located):
    for who in CALLERS:
        response = client_for(world, who).get("/api/v1/assets/geo")
        if who == ANON:
            assert response.status_code == 401
            continue
        if who in NO_ROLE:
            assert response.status_code == 403, who
            assert "detail" in response.json()
            continue
        assert response.status_code == 200, (who, response.content[:300])
        answer = response.json()
        assert codes(answer) == sees(who), who  # MAP-U1-X has no coordinates: never a point
        assert answer["count"] == len(sees(who)) and answer["truncated"] is False


def test_api_point_is_geojson_with_code_name_status_and_page(world, located):
    answer = client_for(world, "unit_officer").get("/api/v1/assets/geo").json()
    asset = located["u1"]
    assert answer["type"] == "FeatureCollection" and answer["limit"] == 5000
    assert answer["features"] == [
        {
            "type": "Feature",
            "id": asset.pk,
            "geometry": {"type": "Point", "coordinates": [121.4737, 31.2304]},
            "properties": {
                "id": asset.pk,
                "code": "MAP-U1",
                "name": asset.name,
                "status": "idle",
                "url": asset.get_absolute_url(),
            },
        }
    ]


def test_api_points_take_the_lists_filters_and_say_when_cut(world, located):
    c = client_for(world, "office")
    assert codes(c.get("/api/v1/assets/geo", {"status": "in_use"}).json()) == {"MAP-U2"}
    assert codes(c.get("/api/v1/assets/geo", {"unit": world.unit.pk}).json()) == {"MAP-U1"}
    assert codes(c.get("/api/v1/assets/geo", {"q": "MAP-U1"}).json()) == {"MAP-U1"}
    assert c.get("/api/v1/assets/geo", {"status": "lost"}).status_code == 422
    with override_settings(PANHUO={**settings.PANHUO, "MAP_MAX_POINTS": 1}):
        answer = c.get("/api/v1/assets/geo").json()
    assert len(answer["features"]) == 1 and answer["features"][0]["properties"]["code"] == "MAP-U1"
    assert answer["count"] == 2 and answer["truncated"] is True and answer["limit"] == 1


def test_map_page_for_every_role(world, located):
    assert statuses(world, reverse("asset-map")) == expected(REGISTER_SECTION)


def test_map_page_embeds_the_filtered_points_of_the_readers_scope(world, located):
    response = client_for(world, "unit_officer").get(reverse("asset-map"))
    points = response.context["points"]
    assert codes(points) == {"MAP-U1"} and response.context["unlocated"] == 1
    body = response.content.decode()
    assert 'id="asset-map-points"' in body and "leaflet/leaflet.js" in body
    assert "MAP-U2" not in body and "MAP-B" not in body
    office = client_for(world, "office")
    filtered = office.get(reverse("asset-map"), {"status": "in_use"})
    assert codes(filtered.context["points"]) == {"MAP-U2"}
    with override_settings(PANHUO={**settings.PANHUO, "MAP_MAX_POINTS": 1}):
        cut = office.get(reverse("asset-map")).content.decode()
    assert "only the first 1 of 2 located assets are shown" in cut
    # The list links to the map with its filters.
    listing = office.get(reverse("asset-list"), {"status": "idle"}).content.decode()
    assert f'href="{reverse("asset-map")}?status=idle"' in listing


def test_map_page_in_chinese(world, located):
    c = client_for(world, "office")
    body = c.get(reverse("asset-map"), headers={"accept-language": "zh-hans"}).content.decode()
    assert "资产地图" in body


def test_asset_page_shows_its_point_or_says_it_has_none(world, located):
    c = client_for(world, "office")
    body = c.get(located["u1"].get_absolute_url()).content.decode()
    assert 'class="asset-map asset-map-small" data-lat="31.230400" data-lng="121.473700"' in body
    assert "leaflet/leaflet.js" in body
    nowhere = c.get(located["u1_nowhere"].get_absolute_url()).content.decode()
    assert "No coordinates recorded." in nowhere and "leaflet/leaflet.js" not in nowhere


def test_without_a_tile_server_the_policy_allows_only_this_sites_images(world, located):
    response = client_for(world, "office").get(reverse("asset-map"))
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy
    assert 'data-tiles=""' in response.content.decode()


def test_a_tile_server_is_drawn_and_allowed_by_the_policy(world, located):
    csp = {**settings.SECURE_CSP, "img-src": ["'self'", "data:", map_tile_source(TILES)]}
    panhuo = {**settings.PANHUO, "MAP_TILES": TILES, "MAP_ATTRIBUTION": "© District GIS"}
    with override_settings(SECURE_CSP=csp, PANHUO=panhuo):
        response = client_for(world, "office").get(located["u1"].get_absolute_url())
    assert "img-src 'self' data: https://gis.example.gov.cn;" in response["Content-Security-Policy"]
    body = response.content.decode()
    assert f'data-tiles="{TILES}"' in body and 'data-attribution="© District GIS"' in body


def test_tile_source_of_a_url_template():
    assert map_tile_source("") is None
    assert map_tile_source("/tiles/{z}/{x}/{y}.png") is None  # this site's own
    assert map_tile_source(TILES) == "https://gis.example.gov.cn"
    assert map_tile_source("http://10.1.2.3:8080/t/{z}/{x}/{y}") == "http://10.1.2.3:8080"
    assert map_tile_source("https://{s}.gis.example/{z}/{x}/{y}.png") == "https://*.gis.example"
    for bad in ("javascript:alert(1)", "ftp://gis/{z}", "//gis.example/{z}", "https://{z}.x/"):
        with pytest.raises(ImproperlyConfigured):
            map_tile_source(bad)


def test_the_environment_sets_the_tiles_and_the_policy():
    """PANHUO_MAP_TILES read at start-up: the settings carry it and its origin in img-src."""
    code = (
        "from django.conf import settings; import json;"
        "print(json.dumps([settings.PANHUO['MAP_TILES'], settings.SECURE_CSP['img-src']]))"
    )
    env = {**os.environ, "PANHUO_ENV": "test", "DJANGO_SETTINGS_MODULE": "panhuo.settings"}
    for tiles, sources in ((TILES, ["'self'", "data:", "https://gis.example.gov.cn"]), ("", None)):
        env["PANHUO_MAP_TILES"] = tiles
        out = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert json.loads(out.stdout) == [tiles, sources or ["'self'", "data:"]]
