"""A token call's fixed reads kept per process (organisation/memo.py): the token, its user and
the user's grants are read once, then taken from memory until the next audited write, which the
next call sees at once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from panhuo.core import read_cache
from panhuo.core.testing import AssetFactory, World
from panhuo.organisation import memo
from panhuo.organisation.models import ApiToken, RoleAssignment
from panhuo.organisation.services import api_token_create, api_token_revoke
from panhuo.register.services import asset_update

URL = "/api/v1/assets?page_size=50"


@pytest.fixture
def memoised(settings):
    settings.PANHUO = {**settings.PANHUO, "MEMO_SECONDS": 60}
    memo.clear()
    read_cache.clear()
    yield
    memo.clear()


def _units(client: Client) -> set[int]:
    response = client.get(URL)
    assert response.status_code == 200, response.content
    return {r["unit"]["id"] for r in response.json()["results"]}


@pytest.mark.django_db
def test_token_and_grants_are_read_once_until_an_audited_write(world: World, memoised):
    office = world.user("office")
    asset = AssetFactory(unit=world.unit)
    AssetFactory(unit=world.other_unit)
    token, key = api_token_create(actor=office, user=office, name="memo")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert _units(client) == {world.unit.pk}

    with CaptureQueriesContext(connection) as queries:
        assert _units(client) == {world.unit.pk}
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert ApiToken._meta.db_table not in sql
    assert RoleAssignment._meta.db_table not in sql

    # Moved without an audit entry (SQL by hand): the memo's head has not moved, so the next
    # audited write (any: here an asset's) is what makes every process read the grants again.
    RoleAssignment.objects.filter(user=office).update(jurisdiction=world.other_district)
    asset_update(actor=world.user("office2"), asset=asset, data={"name": "Renamed"})
    assert _units(client) == {world.other_unit.pk}

    api_token_revoke(actor=office, token=token)
    assert client.get(URL).status_code == 401
