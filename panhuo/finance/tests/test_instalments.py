"""Payment plans of concluded sales: the payment rule (in full within 5 working days, or ≥ 30 %
down and the rest within a year, with interest), refusals naming the row, overdue rows, and the
page and API for every caller."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.core import workdays
from panhuo.core.errors import ValidationError
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    build_api_world,
    call,
    client_for,
    expect,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import MONEY_SECTION, statuses
from panhuo.finance import services as fs
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.instalments import instalment_plan_set, plan_lines
from panhuo.integrity.models import AuditEntry
from panhuo.pricing.rules import add_months

D = Decimal
PRICE = D("6000000.00")


@pytest.fixture
def aw(world):
    return build_api_world(world)


def _wd(n: int, start=None) -> dt.date:
    return workdays.add_working_days(start or timezone.localdate(), n)


def _live(project, interest=False):
    """The live expected rows (principal only, unless ``interest``)."""
    qs = ExpectedReceipt.objects.filter(project=project, cancelled=False)
    if not interest:
        qs = qs.exclude(label__startswith="Interest")
    return list(qs.order_by("due_date", "pk").values_list("due_date", "amount", "label"))


#: The security every instalment plan records (Order 32 art. 28).
SECURED = {"security_kind": "guarantee", "security_reference": "BG-2026-001"}


DOWN = D("1800000.00")


def _plan(down=DOWN, n=2, last=None):
    today = timezone.localdate()
    last = last or add_months(today, 12)
    rest = PRICE - down
    rows = [{"due_date": _wd(5), "amount": down}]
    for k in range(1, n + 1):
        day = last if k == n else add_months(today, 12 * k // n) - dt.timedelta(days=1)
        each = (rest / n).quantize(D("0.01"), rounding="ROUND_DOWN")
        rows.append({"due_date": day, "amount": each if k < n else rest - each * (n - 1)})
    return rows


def test_payment_in_full_replaces_the_deal_row(aw):
    p = aw.concluded
    assert [r[1] for r in _live(p)] == [PRICE]
    instalment_plan_set(actor=aw.w.user("finance"), project=p, rows=[
        {"due_date": _wd(5), "amount": "6000000.00"}])  # fmt: skip
    assert _live(p) == [(_wd(5), PRICE, "")]
    assert p.expected_receipts.get(cancelled=False).get_kind_display() == "Payment in full"
    # The old row is kept, cancelled; the audit log has the plan.
    assert ExpectedReceipt.objects.filter(project=p, cancelled=True).count() == 1
    assert AuditEntry.objects.filter(action="instalment_plan.set").count() == 1


def test_down_payment_and_instalments(aw):
    p = aw.concluded
    made = instalment_plan_set(
        actor=aw.w.user("finance"), project=p, rows=_plan(), interest_rate="4.35", **SECURED
    )
    principal = [e for e in made if not e.label.startswith("Interest")]
    assert [e.amount for e in principal] == [D("1800000.00"), D("2100000.00"), D("2100000.00")]
    assert principal[0].label == "Down payment"
    assert "4.35" in principal[1].label
    assert sum(e.amount for e in principal) == PRICE
    # The interest is part of the expected receipts: one row per instalment.
    interest = [e for e in made if e.label.startswith("Interest")]
    assert len(interest) == 2 and all(e.amount > 0 for e in interest)
    assert p.deferred_terms.get(cancelled=False).interest_total == sum(e.amount for e in interest)


@pytest.mark.parametrize(
    ("rows", "rate", "field"),
    [
        # Paid in full, but a working day too late.
        ([{"due_date": "WD6", "amount": "6000000.00"}], None, "rows[0].due_date"),
        # 30 % is 1,800,000.00: a fen less is refused.
        ("DOWN-1799999.99", "4", "rows[0].amount"),
        # The last instalment a day after a year.
        ("LATE", "4", "rows[2].due_date"),
        # Rows not adding up to the deal price.
        ([{"due_date": "WD5", "amount": "1800000.00"}, {"due_date": "Y", "amount": "1.00"}],
         "4", "rows"),
        # Instalments without interest.
        ("OK", None, "interest_rate"),
        # Bad amount and date.
        ([{"due_date": "WD5", "amount": "-5"}], None, "rows[0].amount"),
        ([{"due_date": "31/12/2026", "amount": "6000000.00"}], None, "rows[0].due_date"),
        ([], None, "rows"),
        ("OK", "abc", "interest_rate"),
        # Interest a hundredth below the reference rate (3.00 % by default: the 1-year LPR).
        ("OK", "2.99", "interest_rate"),
        # Interest at the reference rate, but no security recorded.
        ("OK", "3.00", "security_kind"),
    ],
)  # fmt: skip
def test_bad_plans_name_the_field_and_write_nothing(aw, rows, rate, field):
    today = timezone.localdate()
    if rows == "OK":
        rows = _plan()
    elif rows == "LATE":
        rows = _plan(last=add_months(today, 12) + dt.timedelta(days=1))
    elif isinstance(rows, str):
        rows = _plan(down=D(rows.split("-")[1]))
    for r in rows:
        r["due_date"] = {"WD5": _wd(5), "WD6": _wd(6), "Y": add_months(today, 6)}.get(
            r["due_date"], r["due_date"]
        )
    before = (_live(aw.concluded), AuditEntry.objects.count())
    with pytest.raises(ValidationError) as exc:
        instalment_plan_set(
            actor=aw.w.user("finance"), project=aw.concluded, rows=rows, interest_rate=rate
        )
    assert field in exc.value.message_dict, exc.value.message_dict
    assert (_live(aw.concluded), AuditEntry.objects.count()) == before


@per_caller(["office", "head", "auditor", "outsider_finance", "unit_officer"])
def test_only_the_finance_officer_of_the_place_sets_a_plan(aw, who):
    before = _live(aw.concluded)
    with pytest.raises(PermissionDenied):
        instalment_plan_set(actor=aw.w.user(who), project=aw.concluded, rows=_plan(),
                            interest_rate="4")  # fmt: skip
    assert _live(aw.concluded) == before


def test_plans_only_for_concluded_sales(aw):
    with pytest.raises(ValidationError) as exc:
        instalment_plan_set(actor=aw.w.user("finance"), project=aw.project, rows=_plan(),
                            interest_rate="4")  # fmt: skip
    assert "project" in exc.value.message_dict


def _principal(lines):
    return [x for x in lines if not x.line.expected.label.startswith("Interest")]


def test_overdue_rows_in_working_days(aw):
    from panhuo.core.testing import concluded_project

    p = concluded_project(aw.w)  # nothing received yet
    instalment_plan_set(
        actor=aw.w.user("finance"), project=p, rows=_plan(), interest_rate="4", **SECURED
    )
    down_due = _wd(5)
    # On the down payment's day nothing is late; the next working day it is, by one.
    assert not any(x.overdue for x in plan_lines(p, today=down_due))
    late = _principal(plan_lines(p, today=_wd(1, down_due)))
    assert [x.overdue for x in late] == [True, False, False]
    assert late[0].working_days_late == 1
    assert late[0].line.due == DOWN
    # Paying the down payment clears it; half a year on the first instalment is late.
    fs.receipt_create(
        actor=aw.w.user("finance"), project=p, amount="1800000.00",
        received_on=timezone.localdate(), voucher="V-PLAN", budget_class="non_tax",
    )  # fmt: skip
    assert not any(x.overdue for x in plan_lines(p, today=_wd(1, down_due)))
    lines = _principal(plan_lines(p, today=add_months(timezone.localdate(), 7)))
    assert [(x.line.state, x.overdue) for x in lines] == [
        ("paid", False), ("arrears", True), ("open", False),
    ]  # fmt: skip
    assert lines[1].working_days_late > 0


def test_a_refusal_names_the_row_the_caller_wrote(aw):
    """The plan is checked in date order, but the refusal names the caller's own row: here
    the second row given is the one due first, and too small a down payment."""
    rows = [
        {"due_date": _wd(20), "amount": PRICE - D("100.00")},
        {"due_date": _wd(5), "amount": D("100.00")},
    ]
    with pytest.raises(ValidationError) as refused:
        instalment_plan_set(
            actor=aw.w.user("finance"), project=aw.concluded, rows=rows, interest_rate="3",
            **SECURED,
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["rows[1].amount"]


money = st.decimals(min_value=D("0.01"), max_value=D("6000000.00"), places=2)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    down=money,
    n=st.integers(1, 4),
    last_day=st.integers(6, 400),
)
def test_accepted_plans_keep_the_rule(aw, down, n, last_day):
    """Whatever plan is offered, one that is accepted adds up to the deal price, has at least
    30 % down within 5 working days and nothing due later than a year after the deal."""
    from django.db import transaction

    today = timezone.localdate()
    rest = PRICE - down
    if rest <= 0:
        return
    last = today + dt.timedelta(days=last_day)
    each = (rest / n).quantize(D("0.01"), rounding="ROUND_DOWN")
    rows = [{"due_date": _wd(5), "amount": down}]
    for k in range(1, n + 1):
        day = _wd(5) + (last - _wd(5)) * k // n
        rows.append({"due_date": day, "amount": each if k < n else rest - each * (n - 1)})
    with transaction.atomic():
        try:
            made = instalment_plan_set(
                actor=aw.w.user("finance"),
                project=aw.concluded,
                rows=rows,
                interest_rate="3",
                **SECURED,
            )
        except ValidationError:
            assert (
                down < D("1800000.00")
                or last > add_months(today, 12)
                or any(r["amount"] <= 0 for r in rows)
                or len({r["due_date"] for r in rows}) < len(rows)
                # The down payment is the row due first: on some weekdays a short plan's
                # last day falls before the row meant as the down payment.
                or min(rows, key=lambda r: r["due_date"])["amount"] < D("1800000.00")
            )
        else:
            principal = [e for e in made if not e.label.startswith("Interest")]
            assert sum(e.amount for e in principal) == PRICE
            assert made[0].amount >= D("1800000.00") and made[0].due_date <= _wd(5)
            assert made[-1].due_date <= add_months(today, 12)
        transaction.set_rollback(True)


# --- API and page per caller -------------------------------------------------------------------


@per_caller(CALLERS)
def test_plan_api_per_caller(aw, who):
    url = f"/api/v1/projects/{aw.concluded.pk}/instalment-plan"
    c = client_for(aw.w, who)
    r = call(c, "GET", url)
    assert r.status_code == expect(403, **dict.fromkeys(READERS_A, 200),
                                   **dict.fromkeys(READERS_B, 404))[who]  # fmt: skip
    if r.status_code == 200:
        assert [row["amount"] for row in r.json()["rows"]] == ["6000000.00"]
    body = {
        "rows": [{"due_date": str(x["due_date"]), "amount": str(x["amount"])} for x in _plan()],
        "interest_rate": "4.35",
        **SECURED,
    }
    before = _live(aw.concluded)
    r = call(c, "PUT", url, body)
    assert r.status_code == expect(403, finance=200, outsider_finance=404)[who]
    if r.status_code == 200:
        assert r.json()["rows"][0]["label"] == "Down payment"
        assert len(_live(aw.concluded)) == 3
    else:
        assert _live(aw.concluded) == before


def test_plan_api_refusal_names_the_row(aw):
    url = f"/api/v1/projects/{aw.concluded.pk}/instalment-plan"
    rows = _plan(down=D("1000000.00"))
    body = {"rows": [{"due_date": str(x["due_date"]), "amount": str(x["amount"])} for x in rows],
            "interest_rate": "4"}  # fmt: skip
    r = call(client_for(aw.w, "finance"), "PUT", url, body)
    assert r.status_code == 400 and "rows[0].amount" in r.json()["errors"]
    r = call(client_for(aw.w, "finance"), "PUT", url, {"rows": [{"due_date": "x", "amount": "1"}]})
    assert r.status_code == 422


def test_plan_page_per_user_and_form(aw):
    url = f"/projects/{aw.concluded.pk}/instalment-plan/"
    for name, status in statuses(aw.w, url).items():
        want = 200 if name in READERS_A else 404 if name in MONEY_SECTION else 403
        assert status == want, name
    c = client_for(aw.w, "finance")
    assert "Record the plan" in c.get(url).content.decode()
    assert "Record the plan" not in client_for(aw.w, "head").get(url).content.decode()
    data = {
        "down_payment": "1,800,000.00",
        "down_due": _wd(5).isoformat(),
        "instalments": "3",
        "last_due": add_months(timezone.localdate(), 12).isoformat(),
        "interest_rate": "4.1",
        **SECURED,
    }
    r = c.post(url, data)
    assert r.status_code == 302
    assert [a for _d, a, _l in _live(aw.concluded)] == [
        D("1800000.00"), D("1400000.00"), D("1400000.00"), D("1400000.00")]  # fmt: skip
    bad = c.post(url, {**data, "down_payment": "100.00"})
    assert bad.status_code == 200 and "form-errors" in bad.content.decode()
    assert client_for(aw.w, "head").post(url, data).status_code == 403
