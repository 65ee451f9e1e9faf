"""Deadlines per state, the overdue list of each role, the board, and the channel records'
endpoints: every caller allowed or denied."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    build_api_world,
    check,
    client_for,
    each,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.workdays import add_working_days
from panhuo.disposal import deadlines
from panhuo.disposal.models import DisposalProject

SEES = READERS_A | {"unit_officer"}
LISTERS = READERS_A | READERS_B | UNIT_OFFICERS
#: Who may take the concluded auction's next step (confirm the payment) in district A.
PAYMENT_STEP = {"office", "office2", "finance"}


@pytest.fixture
def aw(world):
    aw = build_api_world(world)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    DisposalProject.objects.filter(pk=aw.concluded.pk).update(due_on=yesterday)
    return aw


def test_the_deal_starts_the_payment_term(world):
    from panhuo.core.testing import concluded_project

    p = concluded_project(world)
    today = timezone.localdate()
    assert p.state_since == today
    assert p.due_on == add_working_days(today, 5, jurisdiction=world.district)
    assert deadlines.deadline_kind("auction", "concluded") == "payment_due"
    assert deadlines.deadline_kind("debt_swap", "concluded") is None
    assert deadlines.deadline_kind("lease", "in_force") == "term_end"


@per_caller(CALLERS)
def test_overdue_list_is_each_roles_own(aw, who):
    r = check(
        aw, who, "GET", "/api/v1/projects/overdue", expected=expect(403, **each(LISTERS, 200))
    )
    if r.status_code == 200:
        rows = {row["id"]: row for row in r.json()}
        assert (aw.concluded.pk in rows) == (who in PAYMENT_STEP)
        if who in PAYMENT_STEP:
            row = rows[aw.concluded.pk]
            assert row["days_overdue"] == 1 and row["deadline"] == "payment_due"
            # The payment term runs while the office publishes the result notice; finance
            # (or the office) meets it by confirming the payment.
            assert row["next_steps"] == (
                ["publish_result", "confirm_payment"]
                if who in {"office", "office2"}
                else ["confirm_payment"]
            )


@per_caller(["auditor", "head", "unit_officer", "outsider_head"])
def test_overdue_list_of_everything_seen(aw, who):
    r = check(
        aw, who, "GET", "/api/v1/projects/overdue?all=true", expected=expect(403, **{who: 200})
    )
    assert (aw.concluded.pk in {row["id"] for row in r.json()}) == (who in SEES)


@per_caller(CALLERS)
def test_board(aw, who):
    r = check(aw, who, "GET", "/api/v1/projects/board", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        columns = {c["state"]: c for c in r.json()}
        assert next(iter(columns)) == "draft"
        cards = {p["id"]: p for p in columns["concluded"]["projects"]}
        assert (aw.concluded.pk in cards) == (who in SEES)
        if who in SEES:
            assert cards[aw.concluded.pk]["overdue"] is True


def test_board_of_one_channel_shows_its_states(aw):
    r = check(aw, "office", "GET", "/api/v1/projects/board?channel=lease", expected=expect(200))
    assert [c["state"] for c in r.json()] == [
        "draft", "submitted", "approved", "in_force", "in_arrears", "ended", "closed",
        "withdrawn",
    ]  # fmt: skip


@per_caller(CALLERS)
def test_rounds(aw, who):
    url = f"/api/v1/projects/{aw.concluded.pk}/rounds"
    r = check(aw, who, "GET", url, expected=expect(404, **each(SEES, 200)))
    if r.status_code == 200:
        assert [(x["number"], x["result"]) for x in r.json()] == [(1, "sold")]


@per_caller(CALLERS)
def test_expected_receipts(aw, who):
    url = f"/api/v1/projects/{aw.concluded.pk}/expected-receipts"
    r = check(aw, who, "GET", url, expected=expect(404, **each(READERS_A, 200), unit_officer=403))
    if r.status_code == 200:
        (line,) = r.json()
        assert line["kind"] == "payment" and line["amount"] == "6000000.00"
        # 4,000,000 of 6,000,000 in; the rest is due within the payment term, not yet late.
        assert line["paid"] == "4000000.00" and line["state"] == "part_paid"


@pytest.mark.parametrize(("who", "sees"), [("office", True), ("finance", True), ("auditor", False)])
def test_overdue_page(aw, who, sees):
    r = client_for(aw.w, who).get(reverse("project-overdue"))
    assert r.status_code == 200
    assert (aw.concluded.code in r.content.decode()) == sees
    r = client_for(aw.w, who).get(reverse("project-overdue") + "?all=1")
    assert aw.concluded.code in r.content.decode()


@per_caller(["office", "supervisor", "unit_officer"])
def test_board_page(aw, who):
    r = client_for(aw.w, who).get(reverse("project-board") + "?channel=auction")
    assert r.status_code == 200
    body = r.content.decode()
    assert aw.concluded.code in body and "board-card-overdue" in body


@per_caller(["norole", "bidder"])
def test_board_and_overdue_pages_denied(aw, who):
    for name in ("project-board", "project-overdue"):
        r = client_for(aw.w, who).get(reverse(name))
        assert r.status_code in {403, 404}


def test_the_jurisdictions_own_price_rules_set_the_periods(world):
    """The periods come from the pricing stage's rules for the place, not the defaults."""
    from panhuo.core.testing import concluded_project
    from panhuo.pricing.models import PriceRuleSet

    # The fixture's unit is a department: its assets follow the administrative rule set.
    PriceRuleSet.objects.create(
        jurisdiction=world.district, rule_class="administrative", payment_full_days=3
    )
    p = concluded_project(world)
    assert p.due_on == add_working_days(timezone.localdate(), 3, jurisdiction=world.district)
    listed_on = dt.date(2026, 9, 30)  # the National Day week follows
    assert deadlines.due("disclosure_due", p, listed_on) == add_working_days(
        listed_on, 10 if p.reserve_price <= 10_000_000 else 20, jurisdiction=world.district
    )
