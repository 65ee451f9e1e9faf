"""A token call's fixed reads kept per process (organisation/memo.py): the token, its user and
the user's grants are read once, then taken from memory until the next audited write, which the
next call sees at once."""

from __future__ import annotations

import time

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from panhuo.core import read_cache
from panhuo.core.testing import AssetFactory, World
from panhuo.integrity.services import audit_record
from panhuo.organisation import memo
from panhuo.organisation.models import ApiToken, RoleAssignment, SignInLock
from panhuo.organisation.services import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from panhuo.organisation.throttle import throttle
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

    # Moved without an audit entry (SQL by hand): the memo's key has not moved, so the next
    # audited write (any: here an asset's) is what makes every process read the grants again.
    RoleAssignment.objects.filter(user=office).update(jurisdiction=world.other_district)
    asset_update(actor=world.user("office2"), asset=asset, data={"name": "Renamed"})
    assert _units(client) == {world.other_unit.pk}

    # Each call gets its own copy of the memo's user: what one request sets stays its own.
    mark = memo.read_head()[1]
    first, second = (api_token_authenticate(key, memo_key=mark) for _ in range(2))
    assert first == second == office and first is not second
    first.language, first._state.fields_cache["probe"] = "xx", 1
    assert second.language != "xx" and "probe" not in second._state.fields_cache
    assert first._panhuo_memo_key == mark

    api_token_revoke(actor=office, token=token)
    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_access_neutral_writes_keep_the_key_and_the_token_lock_is_read_with_it(
    world: World, memoised
):
    """A bid's entry (``access=False``) moves the head but not the memo's key, so a hot lot's
    next calls still take the token and grants from memory; any other entry moves the key. The
    token lock read in the key's statement still refuses a locked address."""
    office = world.user("office")
    key = api_token_create(actor=office, user=office, name="m")[1]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert _units(client) == set()
    head, key, _ = memo.read_head()
    with transaction.atomic():
        audit_record(actor=office, action="lot.bid", obj=world.unit, access=False)
    moved, same, _ = memo.read_head()
    assert (moved != head, same) == (True, key)
    with CaptureQueriesContext(connection) as queries:
        assert _units(client) == set()
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    assert ApiToken._meta.db_table not in sql
    assert RoleAssignment._meta.db_table not in sql

    with transaction.atomic():
        audit_record(actor=office, action="unit.note", obj=world.unit)
    assert memo.read_head()[1] != key

    SignInLock.objects.create(scope="token-ip", subject=throttle._subject("127.0.0.1"),
                              until=time.time() + 60)  # fmt: skip
    assert client.get(URL).status_code == 429
