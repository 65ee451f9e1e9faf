"""Scorecards: weights that must add up, scores computed by hand on a small world, who reads
which card, issuing (frozen figures) and rewards and punishments through the head."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.approvals import services as approvals
from panhuo.core.workdays import working_days_between
from panhuo.disposal.models import DisposalProject
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Unit
from panhuo.organisation.policy import NotPermitted
from panhuo.scorecards import compute, parts, selectors, services
from panhuo.scorecards.models import PARTS, Decision, DecisionStatus, Scorecard, ScoreWeights
from panhuo.scorecards.parts import Part
from panhuo.scorecards.tests.support import approved_plan, scored_world

pytestmark = pytest.mark.django_db
EVEN = {"completion": 20, "timeliness": 20, "price": 20, "compliance": 20, "quality": 20}


def _parts(card):
    return {p.name: p for p in card.parts}


def _figure(part, key):
    return next(f.value for f in part.figures if f.key == key)


def test_weights_must_add_up_to_100_in_the_service_and_the_database(world):
    w = world
    plan = approved_plan(w)
    with pytest.raises(ValidationError) as err:
        services.weights_set(actor=w.user("office"), plan=plan, data=EVEN | {"quality": 10})
    assert "add up to 90 %" in str(err.value.message_dict["weights"])
    with pytest.raises(ValidationError) as err:
        services.weights_set(actor=w.user("office"), plan=plan, data=EVEN | {"price": "x"})
    assert "price" in err.value.message_dict
    with pytest.raises(NotPermitted):
        services.weights_set(actor=w.user("head"), plan=plan, data=EVEN)
    assert not ScoreWeights.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoreWeights.objects.create(plan=plan, updated_by=w.user("office"), **EVEN | {"price": 30})
    row = services.weights_set(actor=w.user("office"), plan=plan, data=EVEN)
    assert compute.weights_of(plan) == EVEN == row.as_dict()
    assert AuditEntry.objects.filter(action="scorecard.weights").count() == 1
    # A revision of the plan keeps its weights until it sets its own.
    from panhuo.planning.services import plan_revise

    assert compute.weights_of(plan_revise(actor=w.user("office"), plan=plan)) == EVEN


def test_scores_are_the_hand_computed_figures_of_the_records(world):
    w = world
    s = scored_world(w)
    today = timezone.localdate()
    cards = compute.compute_cards(s.plan, "Y", today)
    by_unit = {c.unit.code: c for c in cards}
    assert set(by_unit) == {"U1", "U2"}  # district A's units; U3 is district B's
    u1, u2 = _parts(by_unit["U1"]), _parts(by_unit["U2"])
    # Completion: 1 of U1's 3 auctions (planning.progress counts the sale concluded today).
    assert u1["completion"].score == Decimal(100) / 3
    assert u2["completion"].score == 0  # 0 of 2 leases
    # Price: deal 3,000,000 over the latest appraisal, 4,000,000.
    assert u1["price"].score == 75 and _figure(u1["price"], "realisation") == Decimal("0.75")
    assert u2["price"].score is None  # no sale: the part drops out
    # Compliance: an open medium flag (10 points) and an open high finding (20).
    assert u1["compliance"].score == 70 and u2["compliance"].score == 100
    # Quality: U2's 2 assets, 4 checks, 2 failed (no address; no valuation).
    assert u2["quality"].score == 50
    assert _figure(u2["quality"], "incomplete") == 1
    assert _figure(u2["quality"], "stale_valuation") == 1
    # U2: (40×0 + 15×100 + 15×50) ÷ 70, the parts with nothing to score left out.
    assert by_unit["U2"].score == Decimal("32.14") and by_unit["U2"].tier == "poor"
    # U1's score is the weighted mean of its parts that score.
    scored = [p for p in by_unit["U1"].parts if p.score is not None]
    expected = sum(p.weight * p.score for p in scored) / sum(p.weight for p in scored)
    assert by_unit["U1"].score == expected.quantize(Decimal("0.01"))
    assert [c.rank for c in cards] == [1, 2] and cards[0].score >= cards[1].score
    # The sale's deadline passed ten days ago: overdue, by the calendar's working days.
    assert u1["timeliness"].score == 100
    due = today - dt.timedelta(days=10)
    DisposalProject.objects.filter(pk=s.project.pk).update(due_on=due)
    late = _parts(next(c for c in compute.compute_cards(s.plan, "Y", today) if c.unit == w.unit))
    assert late["timeliness"].score == 0
    days = working_days_between(due, today, jurisdiction=w.district)
    assert _figure(late["timeliness"], "days_overdue") == days
    assert late["timeliness"].figures[2].records[0][1] == f"/projects/{s.project.pk}/"


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    scores=st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 10000)), min_size=5, max_size=5),
        min_size=1, max_size=6,
    ),
    weights=st.lists(st.integers(0, 100), min_size=5, max_size=5),
)  # fmt: skip
def test_the_score_stays_within_0_and_100_and_the_ranking_is_a_permutation(scores, weights):
    w = dict(zip(PARTS, weights, strict=True))
    cards = []
    for i, row in enumerate(scores):
        parts = [Part(name, None if s is None else Decimal(s) / 100, [])
                 for name, s in zip(PARTS, row, strict=True)]  # fmt: skip
        score = compute.weighted(parts, w)
        assert 0 <= score <= 100
        unit = Unit(pk=i + 1, code=f"U{i:02d}")
        cards.append(compute.Card(None, unit, "Y", dt.date(2026, 1, 1), parts, score, "poor"))
    ranked = compute.rank(cards)
    assert sorted(c.rank for c in ranked) == list(range(1, len(cards) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(ranked))


def test_each_reader_sees_the_cards_of_their_jurisdiction_or_unit(world):
    w = world
    s = scored_world(w)
    seen = {
        who: {c.unit.code for c in selectors.scorecards_for(w.user(who), s.plan, "Y")}
        for who in (
            "office",
            "head",
            "supervisor",
            "auditor",
            "unit_officer",
            "other_unit_officer",
        )
    }
    assert seen == {"office": {"U1", "U2"}, "head": {"U1", "U2"}, "supervisor": {"U1", "U2"},
                    "auditor": {"U1", "U2"}, "unit_officer": {"U1"},
                    "other_unit_officer": {"U2"}}  # fmt: skip
    for who in ("outsider_head", "outsider_office", "outsider_unit_officer", "bidder", "norole"):
        assert not selectors.scored_plans(w.user(who)).exists(), who
        with pytest.raises(ObjectDoesNotExist):
            selectors.scorecard_for(w.user(who), s.plan.pk, w.unit.pk, "Y")
    with pytest.raises(Scorecard.DoesNotExist):
        selectors.scorecard_for(w.user("unit_officer"), s.plan.pk, w.unit2.pk, "Y")
    card = selectors.scorecard_for(w.user("unit_officer"), s.plan.pk, w.unit.pk, "Y")
    assert card.ranked_of == 2  # ranked among all the plan's units


def test_issued_cards_stay_as_issued_and_decisions_go_through_the_head(world):
    w = world
    s = scored_world(w)
    office, head = w.user("office"), w.user("head")
    with pytest.raises(NotPermitted):
        services.scorecards_issue(actor=w.user("finance"), plan=s.plan, period="Y")
    with pytest.raises(ValidationError) as err:
        services.scorecards_issue(actor=office, plan=s.plan, period="Q5")
    assert "period" in err.value.message_dict
    issued = services.scorecards_issue(actor=office, plan=s.plan, period="Y")
    assert len(issued) == 2
    with pytest.raises(ValidationError):
        services.scorecards_issue(actor=office, plan=s.plan, period="Y")
    u1 = next(sc for sc in issued if sc.unit == w.unit)
    # A new finding changes the live card, not the issued one.
    finding = {"record_kind": "asset", "record_id": s.asset.pk, "title": "Late", "description": "x"}
    from panhuo.findings.services import finding_raise

    finding_raise(actor=w.user("auditor"), severity="high", **finding)
    frozen = selectors.scorecard_for(office, s.plan.pk, w.unit.pk, "Y")
    live = selectors.scorecard_for(office, s.plan.pk, w.unit.pk, "Y", on=timezone.localdate())
    assert frozen.issued == u1 and frozen.score == u1.score
    assert live.issued is None and live.score < frozen.score
    # Decisions: bad input names the field; only the office proposes; the head decides.
    for kind, amount, field in (("budget_reward", None, "amount"), ("criticism", "5", "amount"),
                                ("praise", None, "kind")):  # fmt: skip
        with pytest.raises(ValidationError) as err:
            services.decision_propose(actor=office, scorecard=u1, kind=kind, reason="r",
                                      amount=amount)  # fmt: skip
        assert field in err.value.message_dict
    with pytest.raises(NotPermitted):
        services.decision_propose(actor=head, scorecard=u1, kind="commendation", reason="r")
    assert not Decision.objects.exists()
    reward = services.decision_propose(actor=office, scorecard=u1, kind="budget_reward",
                                       reason="Well done", amount="50000")  # fmt: skip
    request = approvals.pending_for(reward, "score_decision")
    approvals.approval_decide(actor=head, request=request, approve=True)
    reward.refresh_from_db()
    assert reward.status == DecisionStatus.APPROVED and reward.decided_by == head
    assert AuditEntry.objects.filter(action="scorecard.approve").count() == 1
    assert list(selectors.decision_list(w.user("unit_officer"))) == [reward]
    assert not selectors.decision_list(w.user("other_unit_officer")).exists()


def test_the_cards_cost_the_same_queries_for_more_units(world):
    """Each part reads every unit of the plan at once: more units, not more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from panhuo.core.testing import AssetFactory

    w = world
    s = scored_world(w)
    today = timezone.localdate()

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            compute.compute_cards(s.plan, "Y", today)
        return len(seen)

    queries()  # warm: what is read once per process (the calendar's cache)
    before = queries()
    for i in range(3):
        unit = Unit.objects.create(code=f"U9{i}", name=f"Unit {i}", kind="department",
                                   jurisdiction=w.district)  # fmt: skip
        AssetFactory(unit=unit)
    assert queries() == before
    assert len(compute.compute_cards(s.plan, "Y", today)) == 5


def test_a_past_day_reads_the_states_and_resolutions_of_that_day(world, monkeypatch):
    """Timeliness replays the projects' audit entries up to the day; compliance reads when
    each flag and finding was first seen, resolved (and how) or cleared; a justified
    resolution never counts, and the confirmed figures link to rectified or referred only."""
    from panhuo.core.testing import AssetFactory, concluded_project
    from panhuo.findings.models import Finding
    from panhuo.findings.services import finding_raise, finding_transition
    from panhuo.flags.models import Flag
    from panhuo.flags.services import flag_resolve

    w = world
    plan = approved_plan(w)
    today, real_now = timezone.localdate(), timezone.now
    # Three weeks ago the sale was concluded: its payment term ran out about two weeks ago.
    then = real_now() - dt.timedelta(days=21)
    monkeypatch.setattr(timezone, "now", lambda: then)
    project = concluded_project(
        w, deal_price=Decimal("3000000.00"), assets=[AssetFactory(unit=w.unit)]
    )
    due = project.due_on
    monkeypatch.setattr(timezone, "now", real_now)
    flag = Flag.objects.create(
        rule="deal_below_appraisal", severity="medium", jurisdiction=w.district, unit=w.unit,
        subject_type="disposal.disposalproject", subject_id=str(project.pk),
        subject_label=str(project), evidence={}, fingerprint="asof", first_seen=then,
        last_seen=then,
    )  # fmt: skip
    raise_ = {"actor": w.user("auditor"), "record_kind": "asset", "description": "-"}
    kept = finding_raise(record_id=project.package.items.first().asset_id, title="Kept",
                         severity="high", **raise_)  # fmt: skip
    dropped = finding_raise(record_id=kept.record_id, title="Dropped", severity="low", **raise_)
    Finding.objects.filter(pk__in=[kept.pk, dropped.pk]).update(raised_at=then)
    # Today: the flag is found justified, one finding rectified, the other justified; and the
    # project's row says closed (written outside the services: the past is not read from it).
    flag_resolve(actor=w.user("auditor"), flag=flag, resolution="justified", comment="Fine.")
    for finding, step in ((kept, "rectify"), (dropped, "justify")):
        finding_transition(actor=w.user("auditor"), finding=finding, step=step, comment="-")
    DisposalProject.objects.filter(pk=project.pk).update(status="closed")

    def card(day):
        return _parts(next(c for c in compute.compute_cards(plan, "Y", day) if c.unit == w.unit))

    week_ago = today - dt.timedelta(days=7)
    past, now = card(week_ago), card(today)
    # A week ago: the sale was concluded and late; the flag and both findings were open.
    assert past["timeliness"].score == 0
    late = working_days_between(due, week_ago, jurisdiction=w.district)
    assert late > 0 and _figure(past["timeliness"], "days_overdue") == late
    assert [_figure(past["compliance"], k) for k in ("open_flags", "open_findings")] == [1, 2]
    assert past["compliance"].score == 100 - 10 - 20 - 5
    # Before the sale existed: no project under a time limit, nothing seen yet.
    early = card(today - dt.timedelta(days=30))
    assert early["timeliness"].score is None and early["compliance"].score == 100
    # Today: the project is closed; the justified flag and finding no longer count.
    assert now["timeliness"].score is None
    assert _figure(now["compliance"], "confirmed_findings") == 1
    assert now["compliance"].score == 80
    # The confirmed figures' lists hold the rectified or referred only.
    from django.test import Client

    client = Client()
    client.force_login(w.user("auditor"))
    confirmed = next(f for f in now["compliance"].figures if f.key == "confirmed_findings")
    page = client.get(confirmed.url).content.decode()
    assert kept.code in page and dropped.code not in page
    flags = next(f for f in now["compliance"].figures if f.key == "confirmed_flags")
    assert "resolution=confirmed" in flags.url
    assert flag.subject_label not in client.get(flags.url).content.decode()


def test_a_past_days_register_quality_stays_as_it_was_when_an_asset_is_fixed_later(
    world, monkeypatch
):
    """Register quality for a past day replays the assets' audit entries up to it and counts
    the valuations recorded by then: fixing an asset today leaves last week's card as it was
    (and moves today's)."""
    from panhuo.core.testing import appraise
    from panhuo.register.models import ClassificationCode
    from panhuo.register.services import asset_create, asset_update

    w = world
    plan = approved_plan(w)
    office, today, real_now = w.user("office"), timezone.localdate(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - dt.timedelta(days=14))
    asset = asset_create(actor=office, data={"code": "Q1", "name": "Depot", "kind": "land",
                                             "unit": w.unit2.pk, "status": "idle"})  # fmt: skip
    asset_create(actor=office, data={"code": "Q0", "name": "Yard", "kind": "equipment",
                                     "unit": w.unit.pk, "status": "in_use",
                                     "address": "1 Renmin Road"})  # fmt: skip
    monkeypatch.setattr(timezone, "now", real_now)

    def quality(day):
        # Today's figures are counted in the database; the replay of the audit entries (the
        # past days' way) must give the same, every figure and the records named.
        if day == today:
            counted = parts.quality_figures(w.district.path, today)
            assert counted == parts.quality_figures(w.district.path, today, replay=True)
            assert set(counted) == {w.unit.pk, w.unit2.pk}
        card = next(c for c in compute.compute_cards(plan, "Y", day) if c.unit == w.unit2)
        part = _parts(card)["quality"]
        keys = ("assets", "incomplete", "stale_valuation", "stale_idle")
        return part.score, [_figure(part, k) for k in keys if part.figures]

    week_ago = today - dt.timedelta(days=7)
    before = quality(week_ago)
    assert quality(today) == before
    # No address, area, date, class or value; no valuation; idle without an idle date.
    assert before == (0, [1, 1, 1, 1])
    # Fixed today: every field, an idle date, and an appraisal based before last week.
    code = ClassificationCode.objects.create(code="SC-Q", name="Land")
    asset_update(actor=office, asset=asset, data={
        "address": "2 Renmin Road", "area": Decimal("800.00"), "acquired_on": dt.date(2010, 1, 1),
        "classification": code, "appraised_value": Decimal("900000.00"),
        "idle_since": dt.date(2024, 1, 1),
    })  # fmt: skip
    appraise(asset, Decimal("900000.00"), base_date=today - dt.timedelta(days=30))
    assert quality(week_ago) == before
    assert quality(today) == (100, [1, 0, 0, 0])
    # Valued twice in the year: still one asset held, one fresh valuation.
    appraise(asset, Decimal("950000.00"), base_date=today - dt.timedelta(days=10))
    assert quality(today) == (100, [1, 0, 0, 0])
    assert quality(today - dt.timedelta(days=20)) == (None, [])  # before it was registered
