"""The allocations page and its API: the ledger the reader may see, reversals as entries of
their own (negative), filters, search, sort, totals and export of exactly what is shown."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.views_support import build_sample, client_for
from panhuo.finance import services as fs


@pytest.fixture
def ledger(world):
    """Sample A's allocation of 1,000,000 (today), a second of 500,000 reversed."""
    s = build_sample(world)
    finance = world.user("finance")
    second = fs.allocation_create(
        actor=finance, receipt=s.a.receipt, debt=s.a.debt, amount="500000.00"
    )
    reversal = fs.allocation_reverse(actor=finance, allocation=second, reason="Wrong debt")
    return s, second, reversal


def _rows(response) -> list[int]:
    return [a.pk for a in response.context["page"]]


def test_lists_allocations_and_reversals_with_the_net_total(world, ledger):
    s, second, reversal = ledger
    response = client_for(world, "finance").get(reverse("allocation-list"))
    assert response.status_code == 200
    assert set(_rows(response)) == {s.a.allocation.pk, second.pk, reversal.pk}
    # 1,000,000 + 500,000 - 500,000: a reversal counts against the debt's repayment.
    assert response.context["net_total"] == Decimal("1000000.00")
    assert "Wrong debt" in response.content.decode()


@pytest.mark.parametrize(
    ("entries", "expect"),
    [("allocations", {"first", "second"}), ("reversals", {"reversal"}), ("", None)],
)
def test_entries_filter(world, ledger, entries, expect):
    s, second, reversal = ledger
    names = {s.a.allocation.pk: "first", second.pk: "second", reversal.pk: "reversal"}
    response = client_for(world, "finance").get(reverse("allocation-list"), {"entries": entries})
    got = {names[pk] for pk in _rows(response)}
    assert got == (expect or {"first", "second", "reversal"})


def test_date_range_and_search(world, ledger):
    s = ledger[0]
    c = client_for(world, "auditor")
    today = timezone.localdate()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert _rows(c.get(reverse("allocation-list"), {"allocated_from": tomorrow})) == []
    assert len(_rows(c.get(reverse("allocation-list"), {"allocated_to": today.isoformat()}))) == 3
    assert len(_rows(c.get(reverse("allocation-list"), {"q": s.a.debt.code}))) == 3
    assert _rows(c.get(reverse("allocation-list"), {"q": "no such voucher"})) == []
    # A malformed date is left out, never a 500.
    assert c.get(reverse("allocation-list"), {"allocated_from": "2026-13-40"}).status_code == 200


def test_sort_by_amount_both_ways(world, ledger):
    c = client_for(world, "finance")

    def amounts(sort):
        return [a.amount for a in c.get(reverse("allocation-list"), {"sort": sort}).context["page"]]

    up, down = amounts("amount"), amounts("-amount")
    assert up == sorted(up) and down == sorted(down, reverse=True) and up[0] < up[-1]


def test_export_has_the_signed_amounts_of_exactly_the_filtered_rows(world, ledger):
    response = client_for(world, "finance").get(
        reverse("allocation-list"), {"export": "csv", "entries": "reversals"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2  # header + the reversal
    assert "-500000.00" in rows[1]
    assert "Wrong debt" in rows[1]


def test_another_jurisdiction_sees_none_and_a_unit_officer_is_refused(world, ledger):
    outsider = client_for(world, "outsider_finance").get(reverse("allocation-list"))
    assert outsider.status_code == 200 and _rows(outsider) == []
    assert client_for(world, "unit_officer").get(reverse("allocation-list")).status_code == 403


def test_api_takes_the_page_filters(world, ledger):
    s, _second, reversal = ledger
    c = client_for(world, "finance")
    r = c.get("/api/v1/allocations", {"entries": "reversals"})
    assert r.status_code == 200
    assert [row["id"] for row in r.json()["results"]] == [reversal.pk]
    r = c.get("/api/v1/allocations", {"sort": "-amount", "q": s.a.debt.code})
    assert r.json()["results"][0]["amount"] == "1000000.00"
    assert c.get("/api/v1/allocations", {"entries": "everything"}).status_code == 422
