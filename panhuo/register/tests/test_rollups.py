"""The register's roll-up after any sequence of writes through the services: every row equals a
recomputation from the assets, and a row that disagrees is reported, never corrected."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core import rollups
from panhuo.register import rollups as register_rollups
from panhuo.register.models import Asset, AssetKind, AssetPlaceRollup, AssetRollup, AssetStatus
from panhuo.register.selectors import asset_summary, unit_asset_figures
from panhuo.register.services import asset_create, asset_set_status, asset_update

UNITS = ("unit", "unit2", "other_unit")
money = st.decimals(min_value=Decimal("0"), max_value=Decimal("1e12"), places=2)
write = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(UNITS), st.sampled_from(AssetKind.values), money),
    st.tuples(st.just("update"), st.integers(0, 20), st.sampled_from(AssetKind.values), money),
    st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from(UNITS[:2]), st.none()),
    st.tuples(
        st.just("status"), st.integers(0, 20), st.sampled_from(AssetStatus.values), st.none()
    ),
)


def _actor(world, unit):
    return world.user("outsider_office" if unit == "other_unit" else "office")


def _apply(world, op, a, b, value, made):
    if op == "create":
        made.append(asset_create(actor=_actor(world, a), data={
            "code": f"R{len(made)}", "name": "Depot", "kind": b, "status": "idle",
            "unit": getattr(world, a).pk, "book_value": value,
        }))  # fmt: skip
        return
    if not made:
        return
    asset = Asset.objects.select_related("unit__jurisdiction").get(pk=made[a % len(made)].pk)
    unit = "other_unit" if asset.unit_id == world.other_unit.pk else "unit"
    if op == "update":
        asset_update(actor=_actor(world, unit), asset=asset, data={"kind": b, "book_value": value})
    elif op == "move" and unit != "other_unit":
        asset_update(actor=_actor(world, unit), asset=asset, data={"unit": getattr(world, b).pk})
    elif op == "status":
        asset_set_status(actor=_actor(world, unit), assets=[asset], status=b, reason="test")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(write, max_size=10))
def test_rollup_equals_the_assets_recounted_after_any_writes(world, writes):
    with transaction.atomic():
        made: list = []
        for op, a, b, value in writes:
            try:
                with transaction.atomic():
                    _apply(world, op, a, b, value, made)
            except ValidationError:
                pass  # a refused write (a status change the register forbids) writes nothing
            assert rollups.verify(register_rollups.ASSETS) == []
            assert rollups.verify(register_rollups.PLACES) == []
        for who in ("office", "unit_officer", "outsider_office", "supervisor"):
            user = world.user(who)
            # The dashboard's series (per jurisdiction; per unit for the unit officer) are
            # the visible assets recounted.
            seen = Asset.objects.visible_to(user)
            summary = asset_summary(user)
            assert {r["status"]: (r["n"], r["value"]) for r in summary["by_status"]} == {
                r["status"]: (r["n"], r["v"])
                for r in seen.values("status").annotate(n=Count("id"), v=Sum("book_value"))
            }, who
            assert summary["total"] == seen.count(), who
            for unit in (world.unit, world.unit2):
                mine = Asset.objects.visible_to(user).filter(unit=unit)
                got = unit_asset_figures(user=user, unit=unit)
                assert got["figures"] == mine.aggregate(n=Count("id"), book=Sum("book_value"))
                assert dict(got["by_status"]) == {
                    AssetStatus(s).label: mine.filter(status=s).count()
                    for s in set(mine.values_list("status", flat=True))
                }
        transaction.set_rollback(True)


def test_verify_reports_a_disagreeing_row_and_corrects_nothing(world, capsys):
    asset_create(actor=world.user("office"), data={
        "code": "R1", "name": "Depot", "kind": "land", "unit": world.unit.pk,
        "book_value": Decimal("10.00"),
    })  # fmt: skip
    call_command("rollups", "verify")
    AssetRollup.objects.filter(unit=world.unit).update(book_value=Decimal("11.00"))
    AssetPlaceRollup.objects.filter(jurisdiction=world.district).update(n=2)
    with pytest.raises(CommandError, match="2 roll-up figures disagree"):
        call_command("rollups", "verify")
    out = capsys.readouterr().out
    assert "District A" in out and "Housing bureau" in out and "book_value kept 11" in out
    assert "n kept 2" in out
    assert AssetPlaceRollup.objects.get(jurisdiction=world.district).n == 2
    assert AssetRollup.objects.get(unit=world.unit).book_value == Decimal("11.00")
    call_command("rollups", "rebuild")
    call_command("rollups", "verify")
    assert AssetRollup.objects.get(unit=world.unit).book_value == Decimal("10.00")


def _rows():
    return sorted(AssetRollup.objects.values_list("unit_id", "status", "kind", "n", "book_value"))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=st.lists(write, min_size=1, max_size=10))
def test_deferred_rollups_equal_the_assets_recounted_once_the_block_ends(world, writes):
    """``deferred()`` (the demo's register of 2,160 assets): the writes inside leave the roll-ups
    as they were, and when the block ends they equal a recomputation, as after every write."""
    with transaction.atomic():
        asset_create(actor=world.user("office"), data={
            "code": "R-before", "name": "Depot", "kind": "land", "unit": world.unit.pk,
            "book_value": Decimal("5.00"),
        })  # fmt: skip
        before, places = _rows(), sorted(AssetPlaceRollup.objects.values_list("n", "book_value"))
        with register_rollups.deferred():
            made: list = []
            for op, a, b, value in writes:
                try:
                    with transaction.atomic(), register_rollups.deferred():  # nested: outer's
                        _apply(world, op, a, b, value, made)
                except ValidationError:
                    pass
            assert _rows() == before
            assert sorted(AssetPlaceRollup.objects.values_list("n", "book_value")) == places
        assert rollups.verify(register_rollups.ASSETS) == []
        assert rollups.verify(register_rollups.PLACES) == []
        transaction.set_rollback(True)


def test_rollups_are_deferred_only_inside_a_transaction(monkeypatch):
    """Outside one, the writes inside would commit with roll-ups behind them."""
    outside = SimpleNamespace(in_atomic_block=False)
    monkeypatch.setattr(register_rollups.transaction, "get_connection", lambda: outside)
    with pytest.raises(RuntimeError, match="inside a transaction"), register_rollups.deferred():
        pass
