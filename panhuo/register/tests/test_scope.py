"""Scope rules propose candidates and exclusions with reasons; the head records the decision."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from panhuo.core.testing import AssetFactory, forget_fixture_scope
from panhuo.organisation.policy import NotPermitted
from panhuo.register import scope
from panhuo.register.models import Encumbrance, ScopeDecision

TODAY = dt.date.today()


def _idle(unit, months, **kw):
    since = TODAY.replace(day=1) - dt.timedelta(days=31 * months)
    kw.setdefault("title_complete", True)
    return AssetFactory(unit=unit, status="idle", idle_since=since, **kw)


@pytest.fixture
def register(world):
    assets = {
        "good": _idle(world.unit, 14),
        "young": _idle(world.unit, 2),
        "essential": _idle(world.unit, 30, criticality="essential"),
        "untitled": _idle(world.unit, 30, title_complete=False),
        "mortgaged": _idle(world.unit, 30),
        "in_use": AssetFactory(unit=world.unit, status="in_use", title_complete=True),
        "cheap": _idle(world.unit2, 30, book_value=Decimal("10.00")),
    }
    forget_fixture_scope()  # the decisions these tests count are the service's alone
    return assets


def _by_code(proposals):
    return {p.asset.code: p for p in proposals}


def test_proposals_with_reasons(world, register):
    Encumbrance.objects.create(asset=register["mortgaged"], kind="mortgage", holder="Bank")
    scope.scope_rules_update(
        actor=world.user("office"),
        jurisdiction=world.district,
        data={"min_value": Decimal("100.00")},
    )
    got = _by_code(scope.propose(world.user("office"), world.district))
    r = {k: got[a.code] for k, a in register.items()}
    assert r["good"].included and any("≥ 6" in x for x in r["good"].reasons)
    assert "clear title" in r["good"].reasons and "unencumbered" in r["good"].reasons
    assert not r["young"].included and any("< 6" in x for x in r["young"].reasons)
    assert r["essential"].reasons[0] == "essential public service"
    assert "title incomplete" in r["untitled"].reasons
    assert "1 encumbrance(s)" in r["mortgaged"].reasons
    assert "in use" in r["in_use"].reasons
    assert any("book value" in x for x in r["cheap"].reasons)
    assert [k for k, p in r.items() if p.included] == ["good"]


def test_decision_recorded_by_head_only(world, register):
    with pytest.raises(NotPermitted):
        scope.scope_decide(actor=world.user("office"), jurisdiction=world.district)
    with pytest.raises(ValidationError):
        scope.scope_decide(
            actor=world.user("head"),
            jurisdiction=world.district,
            include=[register["essential"].pk],
        )
    assert not ScopeDecision.objects.exists()
    d = scope.scope_decide(
        actor=world.user("head"), jurisdiction=world.district, note="first round"
    )
    included = set(d.items.filter(included=True).values_list("asset_id", flat=True))
    # Default rules here: no minimum value, and nothing is mortgaged in this test.
    assert included == {register[k].pk for k in ("good", "mortgaged", "cheap")}
    assert d.decided_by == world.user("head") and d.rules["min_idle_months"] == 6


def test_outsider_cannot_see_scope(world, register):
    with pytest.raises(NotPermitted):
        list(scope.propose(world.user("outsider_office"), world.district))
