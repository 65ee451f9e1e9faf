"""The repayment ledger through the API and the debt page: who may record, bad input answered
with the field named and nothing written, voided debts out of the lists."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import build_api_world, call, client_for, fingerprint
from panhuo.finance.models import Debt, Repayment


@pytest.fixture
def aw(world):
    return build_api_world(world)


def _url(aw, tail=""):
    return f"/api/v1/debts/{aw.debt.pk}" + (f"/{tail}" if tail else "")


def _body(aw, **over):
    day = aw.debt.issue_date.isoformat()
    doc = "财预〔2025〕3号"
    return {"source": "budget", "amount": "1000.00", "repaid_on": day, "document": doc, **over}


def test_api_records_lists_and_reverses(aw):
    c = client_for(aw.w, "finance")
    before = Debt.objects.get(pk=aw.debt.pk).outstanding
    r = call(c, "post", _url(aw, "repayments"), _body(aw, source="refinancing"))
    assert r.status_code == 201, r.content
    assert r.json()["source"] == "refinancing" and r.json()["document"] == "财预〔2025〕3号"
    assert Debt.objects.get(pk=aw.debt.pk).outstanding == before - Decimal("1000.00")
    listed = call(client_for(aw.w, "auditor"), "get", _url(aw, "repayments")).json()["results"]
    assert {e["source"] for e in listed} >= {"refinancing", "disposal"}
    only = call(c, "get", _url(aw, "repayments") + "?source=refinancing").json()["results"]
    assert [e["source"] for e in only] == ["refinancing"]
    detail = call(c, "get", _url(aw)).json()
    assert any(e["source"] == "refinancing" for e in detail["repayments"])
    rev = call(c, "post", _url(aw, f"repayments/{r.json()['id']}/reverse"), {"reason": "typo"})
    assert rev.status_code == 201 and rev.json()["signed_amount"] == "-1000.00"
    assert Debt.objects.get(pk=aw.debt.pk).outstanding == before


@pytest.mark.parametrize(
    "over,field",
    [
        ({"amount": "999999999.00"}, "amount"),
        ({"repaid_on": "2000-01-01"}, "repaid_on"),
        ({"document": ""}, "document"),
        ({"source": "disposal"}, "source"),
        ({"amount": "-1"}, "amount"),
    ],
)
def test_api_bad_repayments_name_the_field_and_write_nothing(aw, over, field):
    before = fingerprint()
    r = call(client_for(aw.w, "finance"), "post", _url(aw, "repayments"), _body(aw, **over))
    assert r.status_code in (400, 422), r.content
    assert field in r.content.decode()
    assert fingerprint() == before


def test_api_repayment_on_a_voided_debt(aw):
    c = client_for(aw.w, "finance")
    r = call(c, "post", "/api/v1/debts", {
        "jurisdiction": aw.w.district.pk, "creditor": "Typo Bank", "debt_type": "bank_loan",
        "principal": "100.00", "rate": "3", "issue_date": "2022-01-01",
        "maturity_date": "2027-01-01"})  # fmt: skip
    debt_id = r.json()["id"]
    assert call(c, "post", f"/api/v1/debts/{debt_id}/void", {"reason": ""}).status_code in (
        400,
        422,
    )
    v = call(c, "post", f"/api/v1/debts/{debt_id}/void", {"reason": "entered twice"})
    assert v.status_code == 200 and v.json()["voided_at"]
    before = fingerprint()
    r = call(c, "post", f"/api/v1/debts/{debt_id}/repayments", _body(aw, amount="1.00"))
    assert r.status_code == 400 and "voided" in r.content.decode()
    assert fingerprint() == before
    codes = {d["id"] for d in call(c, "get", "/api/v1/debts?page_size=100").json()["results"]}
    assert debt_id not in codes
    codes = {d["id"] for d in call(c, "get", "/api/v1/debts?voided=only").json()["results"]}
    assert codes == {debt_id}


def test_api_void_refused_while_proceeds_are_allocated(aw):
    r = call(client_for(aw.w, "finance"), "post", _url(aw, "void"), {"reason": "mistake"})
    assert r.status_code == 400 and "reverse the allocations" in r.content.decode()
    assert Debt.objects.get(pk=aw.debt.pk).voided_at is None


# --- the debt page ---------------------------------------------------------------------------


def test_debt_page_shows_the_ledger_and_the_form_to_finance_only(aw):
    url = reverse("debt-detail", args=[aw.debt.pk])
    page = client_for(aw.w, "finance").get(url).content.decode()
    assert 'data-testid="repayments"' in page and 'data-testid="repayment-form"' in page
    page = client_for(aw.w, "auditor").get(url).content.decode()
    assert 'data-testid="repayments"' in page and 'data-testid="repayment-form"' not in page


def test_debt_page_records_a_repayment(aw):
    url = reverse("debt-repayments", args=[aw.debt.pk])
    form = {"source": "budget", "amount": "2,000.00", "repaid_on": aw.debt.issue_date.isoformat(),
            "document": "财预1", "note": ""}  # fmt: skip
    r = client_for(aw.w, "finance").post(url, form)
    assert r.status_code == 302
    assert Repayment.objects.filter(debt=aw.debt, source="budget", document="财预1").exists()


@pytest.mark.parametrize("who,status", [("office", 403), ("auditor", 403), ("head", 403),
                                        ("outsider_finance", 404)])  # fmt: skip
def test_debt_page_refuses_other_roles_and_jurisdictions(aw, who, status):
    before = fingerprint()
    form = {"source": "budget", "amount": "1.00", "repaid_on": "2024-01-01", "document": "X"}
    for name in ("debt-repayments", "debt-void"):
        r = client_for(aw.w, who).post(reverse(name, args=[aw.debt.pk]), {**form, "reason": "x"})
        assert r.status_code == status, (name, r.status_code)
    assert fingerprint() == before


def test_debt_page_bad_repayment_shows_the_error(aw):
    before = fingerprint()
    url = reverse("debt-repayments", args=[aw.debt.pk])
    form = {"source": "budget", "amount": "1.00", "repaid_on": "2000-01-01", "document": "X"}
    r = client_for(aw.w, "finance").post(url, form)
    assert r.status_code == 400
    assert "before debt" in r.content.decode()
    assert fingerprint() == before


def test_debt_page_void_and_list(aw):
    from panhuo.finance import services as fs

    debt = fs.debt_create(actor=aw.w.user("finance"), jurisdiction=aw.w.district, data={
        "creditor": "Typo Bank", "debt_type": "bank_loan", "principal": "100.00", "rate": "3",
        "issue_date": dt.date(2022, 1, 1), "maturity_date": dt.date(2027, 1, 1)})  # fmt: skip
    c = client_for(aw.w, "finance")
    r = c.post(reverse("debt-void", args=[debt.pk]), {"reason": "entered twice"})
    assert r.status_code == 302
    page = c.get(reverse("debt-detail", args=[debt.pk])).content.decode()
    assert 'data-testid="debt-voided"' in page and "repayment-form" not in page
    assert debt.code not in c.get(reverse("debt-list")).content.decode()
    assert debt.code in c.get(reverse("debt-list") + "?voided=only").content.decode()
