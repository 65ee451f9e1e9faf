"""Schedule, reversal, strategy, risk-indicator, fiscal-input and trace pages: every role,
allowed and denied (denied writes change nothing), bad input named."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.api_support import USERS
from panhuo.core.tests.views_support import (
    MONEY_SECTION,
    READERS_A,
    READERS_B,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.finance import services as fs
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.models import FiscalInputs, ScheduleRow
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Allocation
from panhuo.finance.trace import trail

SEES_B = READERS_B | {"supervisor"}


@pytest.fixture
def sample(world):
    return build_sample(world)


def state():
    """The shared fingerprint plus what these pages alone can write."""
    return {
        **fingerprint(),
        "schedule": sorted(ScheduleRow.objects.values_list("debt_id", "due_date", "principal")),
        "fiscal": sorted(
            FiscalInputs.objects.values_list(
                "jurisdiction_id", "year", "comprehensive_fiscal_capacity", "budget_expenditure"
            )
        ),
    }


def traced_asset(world, sample):
    (row,) = list(trail(world.user("finance"), receipt=sample.a.receipt))
    from panhuo.register.models import Asset

    return Asset.objects.get(code=row.asset)


PAGES = {
    "risk-indicators": (lambda w, s: reverse("risk-indicators"), lambda: expected(MONEY_SECTION)),
    "trace-asset": (
        lambda w, s: reverse("trace-asset", args=[traced_asset(w, s).pk]),
        lambda: expected(READERS_A, MONEY_SECTION),
    ),
    "trace-debt": (
        lambda w, s: reverse("trace-debt", args=[s.a.debt.pk]),
        lambda: expected(READERS_A, MONEY_SECTION),
    ),
    "trace-debt-b": (
        lambda w, s: reverse("trace-debt", args=[s.b_debt.pk]),
        lambda: expected(SEES_B, MONEY_SECTION),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, sample, page):
    url, table = PAGES[page]
    assert statuses(world, url(world, sample)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, sample, page):
    assert_login_redirect(PAGES[page][0](world, sample))


def _each_user_posts(world, url, data, table, ok_check=None):
    """POST as every user (the allowed one last); refused posts must change nothing."""
    order = sorted(USERS, key=lambda n: table[n] in (200, 302))
    for who in order:
        before = state()
        response = client_for(world, who).post(url, data)
        assert response.status_code == table[who], (who, response.status_code)
        if table[who] in (200, 302) and ok_check:
            ok_check(who, response, before)
        elif table[who] != 302:
            assert state() == before, who


# --- schedules ------------------------------------------------------------------------------


def test_debt_page_shows_schedule_form_to_finance_only(world, sample):
    url = sample.a.debt.get_absolute_url()
    assert client_for(world, "finance").get(url).context["schedule_form"] is not None
    for who in ("head", "auditor", "supervisor"):
        response = client_for(world, who).get(url)
        assert response.context["schedule_form"] is None
        assert reverse("debt-schedule", args=[sample.a.debt.pk]).encode() not in response.content


def test_schedule_post_for_every_role(world, sample):
    debt = sample.a.debt
    table = expected({"finance"}, MONEY_SECTION, forbidden=READERS_A, ok_code=302)

    def ok(who, response, before):
        assert response["Location"] == debt.get_absolute_url()
        rows = ScheduleRow.objects.filter(debt=debt)
        assert rows.count() == 10  # annual, 2020 → 2030
        assert rows.aggregate(s=Sum("principal"))["s"] == debt.principal

    _each_user_posts(
        world,
        reverse("debt-schedule", args=[debt.pk]),
        {"method": "equal_principal", "frequency": "annual"},
        table,
        ok,
    )
    page = client_for(world, "auditor").get(debt.get_absolute_url())
    assert len(page.context["schedule"]) == 10 and b'data-testid="schedule"' in page.content


def test_custom_schedule_from_rows(world, sample):
    debt = sample.a.debt
    response = client_for(world, "finance").post(
        reverse("debt-schedule", args=[debt.pk]),
        {"method": "custom", "frequency": "annual",
         "rows": "2025-01-01, 4000000.00, 425000.00\n\n2030-01-01, 6000000.00, 255000"},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(ScheduleRow.objects.filter(debt=debt).values_list("principal", flat=True)) == [
        Decimal("4000000.00"),
        Decimal("6000000.00"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [({"method": "weird"}, "method", ""),
     ({"method": "annuity", "frequency": "daily"}, "frequency", ""),
     ({"method": "custom", "rows": ""}, "rows", "at least one row"),
     ({"method": "custom", "rows": "2025-13-01, 10000000.00, 0"}, "rows", "Row 1"),
     ({"method": "custom", "rows": "2025-01-01, 5000000, 0\n2026-01-01, ten, 0"}, "rows", "Row 2"),
     ({"method": "custom", "rows": "2025-01-01; 10000000"}, "rows", "Row 1"),
     ({"method": "custom", "rows": "2025-01-01, 9000000.00, 0"}, "rows", "difference"),
     ({"method": "custom", "rows": "2035-01-01, 10000000.00, 0"}, "rows", "Row 1"),
     ({"method": "custom", "rows": "2025-01-01, 5000000, 0\n2025-01-01, 5000000, 0"},
      "rows", "Row 2")],
)  # fmt: skip
def test_schedule_bad_input_names_the_field_and_row(world, sample, data, field, words):
    debt = sample.a.debt
    debt_schedule_set(actor=world.user("finance"), debt=debt, method="bullet")
    before = state()
    response = client_for(world, "finance").post(
        reverse("debt-schedule", args=[debt.pk]), {"frequency": "annual", **data}
    )
    assert response.status_code == 200
    errors = response.context["schedule_form"].errors
    assert field in errors, errors
    assert words in " ".join(errors[field])
    assert state() == before


# --- reversals ------------------------------------------------------------------------------


def test_reverse_for_every_role(world, sample):
    allocation = sample.a.allocation
    table = expected({"finance"}, MONEY_SECTION, forbidden=READERS_A, ok_code=302)

    def ok(who, response, before):
        reversal = Allocation.objects.get(reverses=allocation)
        assert reversal.reason == "Wrong debt"
        sample.a.debt.refresh_from_db()
        assert sample.a.debt.outstanding == Decimal("10000000.00")

    _each_user_posts(
        world, reverse("allocation-reverse", args=[allocation.pk]), {"reason": "Wrong debt"},
        table, ok,
    )  # fmt: skip
    page = client_for(world, "auditor").get(sample.a.debt.get_absolute_url())
    assert page.context["reversed_ids"] == {allocation.pk}
    assert page.context["repaid"] == Decimal("0.00")
    assert b'data-testid="reversal"' in page.content
    # Readers see no reverse buttons; finance sees none left to press.
    assert b"allocation-reverse" not in page.content and b"/reverse/" not in page.content


def test_finance_sees_a_reverse_form(world, sample):
    page = client_for(world, "finance").get(sample.a.debt.get_absolute_url())
    assert reverse("allocation-reverse", args=[sample.a.allocation.pk]).encode() in page.content


def test_reverse_needs_a_reason(world, sample):
    before = state()
    response = client_for(world, "finance").post(
        reverse("allocation-reverse", args=[sample.a.allocation.pk]), {"reason": "  "}
    )
    assert response.status_code == 200
    assert "reason" in response.context["reverse_form"].errors
    assert state() == before


def test_a_reversal_cannot_be_reversed(world, sample):
    reversal = fs.allocation_reverse(
        actor=world.user("finance"), allocation=sample.a.allocation, reason="x"
    )
    before = state()
    response = client_for(world, "finance").post(
        reverse("allocation-reverse", args=[reversal.pk]), {"reason": "again"}, follow=True
    )
    assert b"cannot itself be reversed" in response.content
    assert state() == before


# --- strategies -----------------------------------------------------------------------------


def test_suggestion_shows_the_plan_to_finance(world, sample):
    url = sample.a.receipt.get_absolute_url()
    response = client_for(world, "finance").get(url, {"strategy": "highest_rate"})
    plan = response.context["plan"]
    assert [(d.pk, a) for d, a in plan] == [(sample.a.debt.pk, Decimal("3000000.00"))]
    assert b'data-testid="plan"' in response.content
    assert reverse("receipt-apply-strategy", args=[sample.a.receipt.pk]).encode() in (
        response.content
    )
    for who in ("head", "auditor", "supervisor"):
        other = client_for(world, who).get(url, {"strategy": "highest_rate"})
        assert other.status_code == 200 and other.context["strategy_form"] is None
        assert other.context["plan"] is None


def test_bad_strategy_in_suggestion_is_named(world, sample):
    response = client_for(world, "finance").get(
        sample.a.receipt.get_absolute_url(), {"strategy": "bogus"}
    )
    assert response.status_code == 200
    assert "strategy" in response.context["strategy_form"].errors


def test_apply_strategy_for_every_role(world, sample):
    receipt = sample.a.receipt
    table = expected({"finance"}, MONEY_SECTION, forbidden=READERS_A, ok_code=302)

    def ok(who, response, before):
        receipt.refresh_from_db()
        assert receipt.allocated == Decimal("4000000.00")

    _each_user_posts(
        world, reverse("receipt-apply-strategy", args=[receipt.pk]),
        {"strategy": "earliest_maturity"}, table, ok,
    )  # fmt: skip


def test_apply_strategy_bad_input_names_the_field(world, sample):
    before = state()
    response = client_for(world, "finance").post(
        reverse("receipt-apply-strategy", args=[sample.a.receipt.pk]), {"strategy": "bogus"}
    )
    assert response.status_code == 200
    assert "strategy" in response.context["strategy_form"].errors
    assert state() == before


# --- risk indicators and fiscal inputs ------------------------------------------------------


def test_risk_page_shows_indicators_tiers_and_the_wall(world, sample):
    fiscal_inputs_set(
        actor=world.user("finance"), jurisdiction=world.district, year=2026,
        comprehensive_fiscal_capacity="1000000.00", budget_expenditure="2000000.00",
    )  # fmt: skip
    c = client_for(world, "finance")
    response = c.get(
        reverse("risk-indicators"), {"jurisdiction": world.district.pk, "as_of": "2026-06-30"}
    )
    assert response.status_code == 200
    ind = response.context["ind"]
    # As of 2026-06-30 the allocation (made today) had not happened: the ledger's 10,000,000,
    # in the indicators and in the maturity wall beside them (in the site's unit, 万元), which
    # is dated that day too.
    assert ind.outstanding == Decimal("10000000.00") and ind.capacity == Decimal("1000000.00")
    assert response.context["wall"] == [
        {"key": "2030", "label": "2030", "value": "1000.00", "display": "1,000.00",
         "css": "outstanding"}
    ]  # fmt: skip
    assert response.context["wall_as_of"] == dt.date(2026, 6, 30)
    html = response.content.decode()
    assert 'id="chart-maturity-wall"' in html and 'data-chart="columns"' in html
    assert '<td class="num">1,000.00</td>' in html  # also in the table
    # As of today the wall reads today's balance, after the allocation.
    today = c.get(
        reverse("risk-indicators"),
        {"jurisdiction": world.district.pk, "as_of": timezone.localdate().isoformat()},
    )
    assert [p["value"] for p in today.context["wall"]] == ["900.00"]
    # The sample's 425,000 of interest is on a loan, not general bonds: no general burden.
    assert ind.interest_next_year == Decimal("425000.00") and ind.interest_burden == 0
    assert 'data-testid="interest-trigger"' not in html and "below the trigger" in html
    assert response.context["fiscal_form"] is not None
    # A bank loan is not government debt: ratio 0, green.
    assert response.context["debt_tier"][0] == "tier-green"


def test_risk_page_scope_and_no_form_for_readers(world, sample):
    head = client_for(world, "head").get(reverse("risk-indicators"))
    assert head.context["fiscal_form"] is None
    assert head.context["jurisdiction"] == world.district
    outsider = client_for(world, "outsider_finance").get(
        reverse("risk-indicators"), {"jurisdiction": world.district.pk}
    )
    # Not a choice for them: they get their own district instead.
    assert outsider.context["jurisdiction"] == world.other_district
    assert outsider.context["ind"].outstanding == Decimal("500000.00")
    supervisor = client_for(world, "supervisor").get(reverse("risk-indicators"))
    assert supervisor.context["jurisdiction"] == world.city
    assert supervisor.context["ind"].outstanding == Decimal("9500000.00")
    assert json.loads(
        supervisor.content.decode().split('id="chart-maturity-wall" type="application/json">')[1]
        .split("</script>")[0]
    )  # fmt: skip


def test_nav_has_risk_for_readers_only(world, sample):
    url = reverse("risk-indicators").encode()
    assert url in client_for(world, "auditor").get(reverse("debt-list")).content
    assert url not in client_for(world, "unit_officer").get(reverse("dashboard")).content


def fiscal_data(world, **over):
    return {
        "jurisdiction": world.district.pk,
        "year": "2026",
        "comprehensive_fiscal_capacity": "1,000,000.00",
        "budget_expenditure": "800,000.00",
        **over,
    }


def test_fiscal_inputs_for_every_role(world, sample):
    table = expected({"finance", "outsider_finance"}, forbidden=MONEY_SECTION, ok_code=302)
    table["outsider_finance"] = 200  # not their jurisdiction: the field says so

    def ok(who, response, before):
        if who == "outsider_finance":
            assert "jurisdiction" in response.context["fiscal_form"].errors
            assert state() == before
        else:
            assert FiscalInputs.objects.get().comprehensive_fiscal_capacity == Decimal("1000000.00")

    _each_user_posts(world, reverse("fiscal-inputs"), fiscal_data(world), table, ok)
    assert FiscalInputs.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("year", "abc"), ("year", "1800"), ("comprehensive_fiscal_capacity", "-5"),
     ("comprehensive_fiscal_capacity", "0"), ("budget_expenditure", "0"),
     ("budget_expenditure", "1.001"), ("gdp", "-1"), ("jurisdiction", "999999")],
)  # fmt: skip
def test_fiscal_inputs_bad_input_names_the_field(world, sample, field, value):
    before = state()
    response = client_for(world, "finance").post(
        reverse("fiscal-inputs"), fiscal_data(world, **{field: value})
    )
    assert response.status_code == 200
    assert field in response.context["fiscal_form"].errors
    assert state() == before


# --- trace ----------------------------------------------------------------------------------


def test_trace_pages_and_csv(world, sample):
    asset = traced_asset(world, sample)
    c = client_for(world, "auditor")
    page = c.get(reverse("trace-debt", args=[sample.a.debt.pk]))
    (row,) = page.context["rows"]
    assert row.asset == asset.code and row.amount == Decimal("1000000.00")
    assert page.context["total"] == Decimal("1000000.00")
    csv = c.get(reverse("trace-asset", args=[asset.pk]), {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = b"".join(csv.streaming_content).decode()
    assert text.lstrip("\ufeff").startswith("asset,asset_name,package")
    assert sample.a.debt.code in text and "1000000.00" in text


def test_trace_links_on_debt_page(world, sample):
    url = reverse("trace-debt", args=[sample.a.debt.pk]).encode()
    assert url in client_for(world, "auditor").get(sample.a.debt.get_absolute_url()).content


def test_trace_link_on_asset_page(world, sample):
    asset = traced_asset(world, sample)
    url = reverse("trace-asset", args=[asset.pk]).encode()
    assert url in client_for(world, "auditor").get(asset.get_absolute_url()).content
    unit_page = client_for(world, "unit_officer").get(asset.get_absolute_url())
    assert unit_page.status_code == 200 and url not in unit_page.content


def test_one_allocation_is_one_allocation(world, sample):
    """Found by a newcomer: "1 allocations made"."""
    response = client_for(world, "finance").post(
        reverse("receipt-apply-strategy", args=[sample.a.receipt.pk]),
        {"strategy": "highest_rate"},
        follow=True,
    )
    html = response.content.decode()
    assert "1 allocation made by the chosen strategy." in html
    assert "1 allocations" not in html


def test_risk_ratios_read_with_two_decimals(world, sample):
    """Found by a newcomer: ratios with four decimals (19.1250). The figures keep theirs."""
    fiscal_inputs_set(
        actor=world.user("finance"), jurisdiction=world.district, year=2026,
        comprehensive_fiscal_capacity="1000000.00", budget_expenditure="2000000.00",
    )  # fmt: skip
    response = client_for(world, "finance").get(
        reverse("risk-indicators"), {"jurisdiction": world.district.pk, "as_of": "2026-06-30"}
    )
    ind = response.context["ind"]
    html = response.content.decode()
    table = html[html.index('data-testid="indicators"') :].split("</table>")[0]
    years = ind.average_years_to_maturity
    assert years is not None and years.as_tuple().exponent < -2  # more precise underneath
    # Rounded as people round (四舍五入: 19.125 reads 19.13).
    assert f">{years.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}</td>" in table
    cells = re.findall(r'<td class="num">([^<]*)</td>', table)
    assert all(not re.fullmatch(r"-?[\d,]+\.\d{3,}", c) for c in cells), cells
