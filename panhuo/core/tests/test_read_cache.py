"""The asset list's reuse of answers (core/read_cache.py): the same bytes until a write, never
another user's answer, and a fresh answer as soon as any audited write lands."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from panhuo.core import read_cache
from panhuo.core.testing import AssetFactory, World
from panhuo.register.models import Asset
from panhuo.register.services import asset_update

URL = "/api/v1/assets?page_size=50&sort=code"


@pytest.fixture
def cached(settings):
    settings.PANHUO = {**settings.PANHUO, "READ_CACHE": True}
    read_cache.clear()
    yield
    read_cache.clear()


def _client(w: World, name: str) -> Client:
    client = Client()
    client.force_login(w.user(name))
    return client


def _get(client: Client):
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return response


@pytest.mark.django_db
def test_second_request_is_answered_from_memory_without_reading_assets(world, cached):
    AssetFactory.create_batch(3, unit=world.unit)
    client = _client(world, "office")
    first = _get(client)
    with CaptureQueriesContext(connection) as queries:
        second = _get(client)
    assert (first["X-Panhuo-Cache"], second["X-Panhuo-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    table = Asset._meta.db_table
    assert not [q for q in queries.captured_queries if table in q["sql"]]


@pytest.mark.django_db
def test_an_audited_write_is_seen_at_once(world, cached):
    asset = AssetFactory(unit=world.unit, name="Old name")
    client = _client(world, "office")
    assert json.loads(_get(client).content)["results"][0]["name"] == "Old name"
    asset_update(actor=world.user("office"), asset=asset, data={"name": "New name"})
    again = _get(client)
    assert again["X-Panhuo-Cache"] == "miss"
    assert json.loads(again.content)["results"][0]["name"] == "New name"


@pytest.mark.django_db
def test_users_never_share_answers(world, cached):
    AssetFactory(unit=world.unit)
    AssetFactory(unit=world.other_unit)
    office = json.loads(_get(_client(world, "office")).content)
    outsider = _get(_client(world, "outsider_office"))
    # The second user asks the same URL with nothing written in between: still computed anew.
    assert outsider["X-Panhuo-Cache"] == "miss"
    assert {r["unit"]["id"] for r in office["results"]} == {world.unit.pk}
    assert {r["unit"]["id"] for r in json.loads(outsider.content)["results"]} == {
        world.other_unit.pk
    }


@pytest.mark.django_db
def test_refusals_are_never_kept(world, cached):
    client = _client(world, "bidder")
    for _ in range(2):
        response = client.get(URL)
        assert response.status_code == 403
        assert "X-Panhuo-Cache" not in response


@pytest.mark.django_db
def test_off_unless_configured(world):
    AssetFactory(unit=world.unit)
    read_cache.clear()
    client = _client(world, "office")
    assert "X-Panhuo-Cache" not in _get(client)
    assert "X-Panhuo-Cache" not in _get(client)


@pytest.mark.django_db
def test_a_role_change_is_seen_at_once(world, cached):
    """Issue 13: after a role change the list answered the old list from memory (role
    assignments are changed in the admin, without an audited write)."""
    from panhuo.organisation.models import RoleAssignment

    AssetFactory(unit=world.unit)
    AssetFactory(unit=world.other_unit)
    office = world.user("office")
    client = _client(world, "office")
    assert {r["unit"]["id"] for r in json.loads(_get(client).content)["results"]} == {world.unit.pk}
    RoleAssignment.objects.filter(user=office).update(jurisdiction=world.other_district)
    moved = _get(client)
    assert moved["X-Panhuo-Cache"] == "miss"
    assert {r["unit"]["id"] for r in json.loads(moved.content)["results"]} == {world.other_unit.pk}
    RoleAssignment.objects.filter(user=office).delete()
    assert client.get(URL).status_code == 403
