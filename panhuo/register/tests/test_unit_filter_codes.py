"""Unit filters take the unit's code as well as its id (issue 14, item 5): on the asset list API,
its export, the package candidates API and the asset list page. A newcomer knows their units by
code (U1), not by the database's id; an unknown code is an error naming it, never every row."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from panhuo.core.testing import AssetFactory, build_world
from panhuo.core.tests.api_support import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    world.a1 = AssetFactory(unit=world.unit, code="A-U1", appraisal=False)
    world.a2 = AssetFactory(unit=world.unit2, code="A-U2", appraisal=False)
    world.b = AssetFactory(unit=world.other_unit, code="B-U3", appraisal=False)
    return world


def _client(w, name: str, language: str = "en") -> Client:
    user = w.user(name)
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["code"] for row in response.json()["results"])


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/packages/candidates"])
def test_the_code_filters_like_the_id(w, path):
    client = _client(w, "office")
    by_id = _codes(client.get(path, {"unit": w.unit2.pk}))
    assert by_id == ["A-U2"]
    assert _codes(client.get(path, {"unit": "U2"})) == by_id
    assert _codes(client.get(path, {"unit": " U1 "})) == ["A-U1"]


def test_the_export_takes_the_code(w):
    response = _client(w, "office").get("/api/v1/assets/export", {"unit": "U1"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "A-U1" in body and "A-U2" not in body


@pytest.mark.parametrize("path", ["/api/v1/assets", "/api/v1/packages/candidates"])
def test_an_unknown_or_invisible_code_is_a_422_naming_it(w, path):
    client = _client(w, "office")
    for code in ("NOPE", "U3"):  # U3 is district B's: to district A's office it does not exist
        response = client.get(path, {"unit": code})
        assert response.status_code == 422
        assert response.json()["errors"] == {
            "unit": [f"No holding unit you may see has the code “{code}”."]
        }
    zh = _client(w, "office", "zh-hans").get(path, {"unit": "NOPE"}).json()
    assert zh["errors"]["unit"] == ["您可查看的持有单位中没有编码为“NOPE”的单位。"]


def test_an_id_beyond_the_database_range_is_a_422_not_a_500(w):
    response = _client(w, "office").get("/api/v1/assets", {"unit": "9" * 25})
    assert response.status_code == 422 and "unit" in response.json()["errors"]


def test_the_asset_list_page_takes_the_code_and_names_an_unknown_one(w):
    client = _client(w, "office")
    html = client.get(reverse("asset-list"), {"unit": "U2"}).content.decode()
    assert "A-U2" in html and "A-U1" not in html
    assert f'<option value="{w.unit2.pk}" selected>' in html  # the select shows the unit named
    html = client.get(reverse("asset-list"), {"unit": "NOPE"}).content.decode()
    assert "No holding unit you may see has the code “NOPE”." in html
    zh = _client(w, "office", "zh-hans").get(reverse("asset-list"), {"unit": "NOPE"})
    assert "您可查看的持有单位中没有编码为“NOPE”的单位。" in zh.content.decode()


def test_a_code_no_unit_can_have_is_an_error_not_a_server_error(world):
    """Found by schemathesis on PostgreSQL: a unit filter holding NUL answered 500 (PostgreSQL
    refuses NUL in a query), and so would an over-long one be looked up for nothing."""
    client = client_for(world, "office")
    for bad in ("U\x001", "U" * 33):
        for url in ("/api/v1/assets", "/api/v1/packages/candidates"):
            r = client.get(url, {"unit": bad})
            assert r.status_code == 422, (url, r.status_code)
        r = client.get("/assets/", {"unit": bad})
        html = r.content.decode()
        assert r.status_code == 200 and "No holding unit you may see has the code" in html
