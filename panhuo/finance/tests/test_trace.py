"""Every yuan is traceable from asset to repaid debt, and back, within what the caller sees."""

import datetime as dt
import io
from decimal import Decimal

from panhuo.core.testing import AssetFactory, concluded_project
from panhuo.finance import services as fs
from panhuo.finance.trace import trail, write_trail_csv

D = Decimal


def test_asset_to_debt_and_back(world):
    a1 = AssetFactory(unit=world.unit, appraised_value=D("300.00"))
    a2 = AssetFactory(unit=world.unit, appraised_value=D("100.00"))
    project = concluded_project(world, deal_price=D("400.00"), assets=[a1, a2])
    fin = world.user("finance")
    r = fs.receipt_create(
        actor=fin,
        project=project,
        amount="400.00",
        received_on=dt.date(2026, 1, 5),
        voucher="V-T",
        budget_class="non_tax",
    )
    debt = fs.debt_create(
        actor=fin,
        jurisdiction=world.district,
        data={
            "creditor": "Bond holders",
            "debt_type": "general_bond",
            "principal": "1000.00",
            "rate": D("3"),
            "issue_date": dt.date(2020, 1, 1),
            "maturity_date": dt.date(2030, 1, 1),
        },
    )
    alloc = fs.allocation_create(actor=fin, receipt=r, debt=debt, amount="250.00")
    fs.allocation_reverse(actor=fin, allocation=alloc, reason="posted twice")
    fs.allocation_create(actor=fin, receipt=r, debt=debt, amount="200.00")

    from_asset = list(trail(fin, asset=a1))
    assert [row.amount for row in from_asset] == [D("250.00"), D("-250.00"), D("200.00")]
    assert {row.debt for row in from_asset} == {debt.code}
    assert from_asset[0].asset_share == D("0.7500")
    back = list(trail(fin, debt=debt))
    assert {row.asset for row in back} == {a1.code, a2.code}
    # Net, through either asset, the debt got 200.
    assert sum(row.amount for row in back if row.asset == a2.code) == D("200.00")
    assert list(trail(world.user("outsider_finance"), debt=debt)) == []
    assert list(trail(world.user("unit_officer"), asset=a1)) == []  # no finance view
    buf = io.StringIO()
    write_trail_csv(back, buf)
    assert buf.getvalue().splitlines()[0].startswith("asset,asset_name,package,project")
    assert len(buf.getvalue().splitlines()) == 1 + 6


def test_the_trace_csv_keeps_reversals_numeric(world, client):
    """Issue 13: the trace CSV wrote reversals as text ('-7856500.00), so spreadsheet sums
    overstated repayments. Numbers stay numbers; a formula still gets its apostrophe."""
    import csv

    from django.urls import reverse

    from panhuo.core.ui import csv_cell

    project = concluded_project(world, deal_price=D("9000000.00"))
    fin = world.user("finance")
    r = fs.receipt_create(actor=fin, project=project, amount="7856500.00",
                          received_on=dt.date(2026, 1, 5), voucher="V-R",
                          budget_class="non_tax")  # fmt: skip
    debt = fs.debt_create(
        actor=fin,
        jurisdiction=world.district,
        data={"creditor": "=HYPERLINK(1)", "debt_type": "bank_loan", "principal": "9000000.00",
              "rate": D("3"), "issue_date": dt.date(2020, 1, 1),
              "maturity_date": dt.date(2030, 1, 1)},
    )  # fmt: skip
    alloc = fs.allocation_create(actor=fin, receipt=r, debt=debt, amount="7856500.00")
    fs.allocation_reverse(actor=fin, allocation=alloc, reason="posted twice")
    client.force_login(fin)
    response = client.get(reverse("trace-debt", args=[debt.pk]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["amount"] for row in rows) == ["-7856500.00", "7856500.00"]
    assert {row["creditor"] for row in rows} == {"'=HYPERLINK(1)"}
    assert csv_cell("-1,200.50") == "-1,200.50" and csv_cell("+3") == "+3"
    for formula in ("-2+3+cmd|' /C calc'!A0", "-1e5", "-inf", "@SUM(A1)", "+", "-"):
        assert csv_cell(formula) == "'" + formula


def test_the_trace_page_links_every_record(world, client):
    """Issue 14: the trace table named the package, project, receipt and debt without links;
    each cell now leads to its record's page (and the API gives the ids)."""
    from django.urls import reverse

    asset = AssetFactory(unit=world.unit, appraised_value=D("100.00"))
    project = concluded_project(world, deal_price=D("100.00"), assets=[asset])
    fin = world.user("finance")
    r = fs.receipt_create(actor=fin, project=project, amount="100.00",
                          received_on=dt.date(2026, 1, 5), voucher="V-L",
                          budget_class="non_tax")  # fmt: skip
    debt = fs.debt_create(
        actor=fin,
        jurisdiction=world.district,
        data={"creditor": "Bank", "debt_type": "bank_loan", "principal": "100.00",
              "rate": D("3"), "issue_date": dt.date(2020, 1, 1),
              "maturity_date": dt.date(2030, 1, 1)},
    )  # fmt: skip
    fs.allocation_create(actor=fin, receipt=r, debt=debt, amount="100.00")
    client.force_login(fin)
    page = client.get(reverse("trace-debt", args=[debt.pk])).content.decode()
    for name, pk in [("asset-detail", asset.pk), ("package-detail", project.package_id),
                     ("project-detail", project.pk), ("receipt-detail", r.pk),
                     ("debt-detail", debt.pk)]:  # fmt: skip
        assert f'href="{reverse(name, args=[pk])}"' in page, name
    body = client.get(f"/api/v1/trace?debt={debt.pk}").json()
    assert (body[0]["asset_id"], body[0]["receipt_id"], body[0]["debt_id"]) == (
        asset.pk, r.pk, debt.pk,
    )  # fmt: skip
