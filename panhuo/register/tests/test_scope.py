"""Scope rules propose candidates and exclusions with reasons; the head records the decision."""

import calendar
import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory, forget_fixture_scope
from panhuo.organisation.policy import NotPermitted
from panhuo.register import scope
from panhuo.register.models import Encumbrance, ScopeDecision, ScopeRuleSet

TODAY = dt.date.today()
EXAMPLES = itertools.count()


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


ASSET = st.fixed_dictionaries({
    "status": st.sampled_from(["idle", "under_used", "in_use"]),
    "criticality": st.sampled_from(["essential", "supporting", "non_essential"]),
    # Whole months back from today, give or take days: where a month count turns.
    "idle": st.one_of(st.none(), st.tuples(st.integers(0, 3), st.integers(-3, 3))),
    "title_complete": st.booleans(),
    "book_value": st.sampled_from([Decimal("99.99"), Decimal("100.00"), Decimal("5000.00")]),
    "encumbered": st.booleans(),
})  # fmt: skip
RULES = st.fixed_dictionaries({
    "min_idle_months": st.integers(0, 3), "include_under_used": st.booleans(),
    "exclude_supporting": st.booleans(), "require_clear_title": st.booleans(),
    "require_unencumbered": st.booleans(), "min_value": st.sampled_from([Decimal(0),
                                                                       Decimal("100.00")]),
})  # fmt: skip


def _back(today: dt.date, months: int, days: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(today.day, last)) + dt.timedelta(days=days)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(assets=st.lists(ASSET, min_size=1, max_size=8), rules=RULES,
       today=st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)))  # fmt: skip
def test_the_database_proposes_what_evaluate_proposes(world, assets, rules, today):
    """Issue 19, item 3: the proposal is counted and paged by the database (``in_scope``),
    and every asset it puts in or out is one ``evaluate`` puts there, reasons and all."""
    prefix = f"SQ{next(EXAMPLES)}-"
    made = []
    for i, a in enumerate(assets):
        since = None if a["idle"] is None else _back(today, *a["idle"])
        asset = AssetFactory(unit=world.unit, code=f"{prefix}{i}", status=a["status"],
                             criticality=a["criticality"], idle_since=since,
                             title_complete=a["title_complete"], book_value=a["book_value"],
                             accumulated_depreciation=Decimal(0))  # fmt: skip
        if a["encumbered"]:
            Encumbrance.objects.create(asset=asset, kind="mortgage", holder="Bank")
        made.append(asset)
    query = scope.proposal_query(world.user("office"), world.district)
    query.rules, query.today = ScopeRuleSet(jurisdiction=world.district, **rules), today
    mine = query.assets.filter(code__startswith=prefix)
    inside = set(mine.filter(*scope.in_scope(query.rules, today)).values_list("code", flat=True))
    expected = {p.asset.code for p in query.evaluated(mine) if p.included}
    assert inside == expected
    page = query.pages(False)[0:500]
    assert not any(p.included for p in page)


def test_the_database_counts_idle_months_as_evaluate_does(world):
    """Around every month's turn (month ends, a leap day), with the other rules passed."""
    days = [dt.date(2024, 3, 31), dt.date(2024, 2, 29), dt.date(2025, 1, 15), dt.date(2024, 5, 1)]
    for n, today in enumerate(days):
        for months, shift in itertools.product(range(4), range(-2, 3)):
            AssetFactory(unit=world.unit, code=f"SM{n}-{months}{shift}", status="idle",
                         idle_since=_back(today, months, shift), title_complete=True,
                         accumulated_depreciation=Decimal(0))  # fmt: skip
        for minimum in (1, 2):
            query = scope.proposal_query(world.user("office"), world.district)
            query.rules = ScopeRuleSet(jurisdiction=world.district, min_idle_months=minimum)
            query.today = today
            mine = query.assets.filter(code__startswith=f"SM{n}-")
            inside = set(mine.filter(*scope.in_scope(query.rules, today)).values_list("code"))
            expected = {(p.asset.code,) for p in query.evaluated(mine) if p.included}
            assert inside == expected and expected, (today, minimum)
