"""Random walks over the two newest gates (issue 12): relisting before or after the current
listing's disclosure has ended (``relist_after_disclosure``, Order 32 art. 18), and packaging
assets in and out of the latest scope decision (``scope_not_included``).

The market walk (auction and exchange) lists on a date drawn from weeks back to today, then
relists, extends, concludes on dates drawn at, just before and just after the end of the
current round's disclosure, at reserves around the 90 per cent floor, with price exceptions
asked for and approved (with or without the written approval uploaded). After every step the
oracle re-counts each round from what was stored: no round follows one whose disclosure had
not ended, no deal before its round's disclosure ended, and no reserve or deal below the floor
without an approved exception.

The scope walk records scope decisions that include or leave out random assets, and packages
random assets (a new package, or added to one), some never covered by a decision: a package
call that succeeds holds only assets the latest decision included (by the walk's own record of
the decisions, not the gate's query), and a scope refusal names only assets that were not.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from panhuo.core.testing import AssetFactory
from panhuo.core.tests.api_support import call, client_for
from panhuo.core.tests.examples import examples as scaled
from panhuo.core.workdays import add_working_days
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import PackageItem
from panhuo.disposal.pricing_guard import written_approval
from panhuo.disposal.tests.stateful import EXPECTED, Scenario, run
from panhuo.pricing.rules import Thresholds

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
A = D("500000.00")  # below the 1 m band: the general 20 working days of disclosure
T = Thresholds()
ONE = dt.timedelta(days=1)


def _last_day(r: ListingRound, jurisdiction) -> dt.date:
    """The last day of a round's disclosure, counted here from what was stored (Order 32
    art. 13: 20 working days from the day after the listing, or the end chosen if later)."""
    minimum = add_working_days(r.listed_on, T.disclosure_days, jurisdiction=jurisdiction)
    return max(r.disclosure_ends or minimum, minimum)


def _open_last(ctx) -> dt.date | None:
    r = ListingRound.objects.filter(project_id=ctx["pid"], result="open").first()
    if r is None:
        return None
    return _last_day(r, r.project.package.jurisdiction)


def _around(last: dt.date | None) -> st.SearchStrategy[dt.date]:
    today = timezone.localdate()
    days = [today, today - ONE]
    if last is not None:
        days += [last - ONE, last, last + ONE, last + 5 * ONE]
    return st.sampled_from(days)


def _market_setup(w):
    return {"assets": [AssetFactory(unit=w.unit, appraisal=A).pk]}


def _market_bodies(name, ctx):
    today = timezone.localdate()
    if name == "list":
        back = st.sampled_from([0, 5, 25, 40, 60, 90])
        return st.builds(lambda d: {"listed_on": str(today - dt.timedelta(days=d))}, back)
    if name == "relist":
        reserve = st.sampled_from(["490000.00", "450000.00", "449999.99", "400000.00"])
        return st.builds(
            lambda day, r: {"listed_on": str(day), "reserve_price": r},
            _around(_open_last(ctx)),
            reserve,
        )
    if name == "extend_listing":
        last = _open_last(ctx)
        return st.just({"disclosure_ends": str((last or today) + 3 * ONE)})
    if name == "conclude":
        price = st.sampled_from(["500000.00", "450000.00", "449999.99"])
        return st.builds(
            lambda day, p, n: {
                "concluded_on": str(day),
                "deal_price": p,
                "bidders": n,
                "buyer": "Buyer Ltd",
            },
            _around(_open_last(ctx)),
            price,
            st.sampled_from([1, 2]),
        )
    return st.just({})


def _covered(p, ctx, key, amount) -> bool:
    """Whether the head's written approval covered ``amount`` when the walk first saw ``key``
    (a round or a deal) stored. The invariant runs after every step, so that is the step that
    stored it; the verdict is kept, because a later price-exception request (pending, or for
    another amount) becomes the project's latest and no longer covers an amount that the one
    approved at the time did."""
    seen = ctx.setdefault("covered", {})
    if key not in seen:
        seen[key] = written_approval(p, amount)
    return seen[key]


def _market_always(p, ctx):
    """Every stored round against the periods and the floor, whatever state the project is in."""
    failed = []
    rounds = list(p.rounds.order_by("number"))
    floor = A * T.approval_floor_pct / 100
    for before, after in itertools.pairwise(rounds):
        if after.listed_on <= _last_day(before, p.jurisdiction):
            failed.append(f"relist_after_disclosure (round {after.number})")
        if after.reserve < floor and not _covered(p, ctx, ("round", after.pk), after.reserve):
            failed.append(f"below_approval_floor (round {after.number})")
    for r in rounds:
        if r.result == ListingRound.Result.SOLD:
            if r.ended_on is None or r.ended_on <= _last_day(r, p.jurisdiction):
                failed.append("disclosure_period")
            if r.deal_price < floor and not _covered(p, ctx, ("deal", r.pk), r.deal_price):
                failed.append("below_approval_floor (deal)")
    return failed


def _market(channel: str) -> Scenario:
    return Scenario(
        channel,
        _market_setup,
        _market_bodies,
        lambda p, ctx: _market_always(p, ctx),
        exception_amounts=lambda ctx: st.sampled_from(["450000.00", "400000.00"]),
        reserve=str(A),
        always=_market_always,
        prelude=("submit", "approve"),
        exception_states=frozenset({"listed"}),
    )


@pytest.mark.parametrize("channel", ["auction", "exchange"])
def test_no_relisting_or_deal_before_the_disclosure_ends(world, channel):
    run(world, _market(channel), examples=8, steps=14)


# --- Scope ------------------------------------------------------------------------------------


def scope_machine(world) -> type[RuleBasedStateMachine]:
    class ScopeMachine(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            idle = timezone.localdate() - dt.timedelta(days=800)
            make = dict(unit=world.unit, idle_since=idle, title_complete=True)
            # Two covered by the fixture's decision, two that no decision covers.
            self.assets = [AssetFactory(**make).pk for _ in range(2)] + [
                AssetFactory(**make, scope=False).pk for _ in range(2)
            ]
            self.standing = {pk: i < 2 for i, pk in enumerate(self.assets)}  # None: never covered
            for pk in self.assets[2:]:
                self.standing[pk] = None
            self.packages: list[int] = []
            self.office, self.head = client_for(world, "office"), client_for(world, "head")

        def _check(self, r, sent: list[int]):
            assert r.status_code in EXPECTED, (r.status_code, r.content)
            if r.status_code in (200, 201):
                outside = [pk for pk in sent if self.standing[pk] is not True]
                assert not outside, f"packaged {outside}, which the latest decision did not include"
                event("scope: packaged")
            elif r.status_code == 400 and (r.json().get("gate") or {}).get("rule") == (
                "scope_not_included"
            ):
                assert any(self.standing[pk] is not True for pk in sent), r.content
                event("scope: refused by scope_not_included")

        @rule(data=st.data())
        def decide(self, data):
            include = data.draw(st.lists(st.sampled_from(self.assets), unique=True), "include")
            body = {"jurisdiction": world.district.pk, "include": include, "note": "Walk."}
            r = call(self.head, "POST", "/api/v1/scope/decisions", body)
            assert r.status_code in EXPECTED, (r.status_code, r.content)
            if r.status_code == 201:  # covers every asset of the district: in or out
                for pk in self.assets:
                    self.standing[pk] = pk in include
                event(f"scope: decided {len(include)} in")

        @rule(data=st.data())
        def package(self, data):
            sent = data.draw(st.lists(st.sampled_from(self.assets), min_size=1, unique=True))
            body = {"jurisdiction": world.district.pk, "name": "Lot", "channel": "auction",
                    "asset_ids": sent}  # fmt: skip
            r = call(self.office, "POST", "/api/v1/packages", body)
            self._check(r, sent)
            if r.status_code == 201:
                self.packages.append(r.json()["id"])

        @rule(data=st.data())
        def add(self, data):
            if not self.packages:
                return
            pid = data.draw(st.sampled_from(self.packages), "package")
            sent = data.draw(st.lists(st.sampled_from(self.assets), min_size=1, unique=True))
            r = call(self.office, "POST", f"/api/v1/packages/{pid}/assets", {"asset_ids": sent})
            self._check(r, sent)

        @rule(data=st.data())
        def remove(self, data):
            items = list(PackageItem.objects.filter(asset_id__in=self.assets, live=True))
            if not items:
                return
            item = data.draw(st.sampled_from(items), "item")
            url = f"/api/v1/packages/{item.package_id}/assets/{item.asset_id}"
            r = call(self.office, "DELETE", url)
            assert r.status_code in EXPECTED, (r.status_code, r.content)

        @invariant()
        def at_most_one_live_package(self):
            live = PackageItem.objects.filter(asset_id__in=self.assets, live=True)
            assert live.count() == live.values("asset").distinct().count()

        def teardown(self):
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    return ScopeMachine


def test_nothing_is_packaged_outside_the_latest_scope_decision(world):
    run_state_machine_as_test(
        scope_machine(world),
        settings=settings(
            max_examples=scaled(10),
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
