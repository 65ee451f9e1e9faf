"""A jurisdiction's risk settings: tiers and the missing-year choice, nearest ancestor wins;
set by finance of that jurisdiction only, named errors, audited, and used by the indicators."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from panhuo.core.errors import ValidationError
from panhuo.core.tests.api_support import call, client_for
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.indicators_db import settings_for
from panhuo.finance.debts.models import RiskSettings
from panhuo.finance.debts.risk_settings import risk_settings_clear, risk_settings_set
from panhuo.finance.models import Debt
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted

D = Decimal
AS_OF = dt.date(2026, 6, 30)


def _bond(world, outstanding="1500.00"):
    return Debt.objects.create(
        code="RS1", jurisdiction=world.district, creditor="c", debt_type="general_bond",
        principal=D("1500.00"), outstanding=D(outstanding), rate=D("3"), rate_type="fixed",
        issue_date=dt.date(2020, 1, 1), maturity_date=dt.date(2030, 1, 1),
    )  # fmt: skip


def _figures(world, year):
    fiscal_inputs_set(
        actor=world.user("finance"), jurisdiction=world.district, year=year,
        comprehensive_fiscal_capacity="1000.00", budget_expenditure="1000.00",
    )  # fmt: skip


def test_nearest_ancestor_wins_and_a_jurisdictions_own_settings_move_its_tiers(world):
    _bond(world)
    _figures(world, 2026)
    finance = world.user("finance")
    # 150 %: yellow by the MoF tiers.
    assert indicators_for(finance, world.district, AS_OF).debt_ratio_tier == "yellow"
    # The province lowers orange to 140 %: the district below it follows.
    RiskSettings.objects.create(jurisdiction=world.province, debt_yellow=D("100"),
                                debt_orange=D("140"), debt_red=D("250"))  # fmt: skip
    assert settings_for(world.district).jurisdiction_id == world.province.pk
    assert indicators_for(finance, world.district, AS_OF).debt_ratio_tier == "orange"
    # The district's own settings win over the province's.
    audit = AuditEntry.objects.count()
    risk_settings_set(actor=finance, jurisdiction=world.district, debt_yellow="160.00")
    assert settings_for(world.district).jurisdiction_id == world.district.pk
    assert indicators_for(finance, world.district, AS_OF).debt_ratio_tier == "green"
    assert AuditEntry.objects.count() == audit + 1
    assert AuditEntry.objects.order_by("seq").last().action == "risk_settings.set"
    # Dropped again: the province's hold.
    risk_settings_clear(actor=finance, jurisdiction=world.district)
    assert indicators_for(finance, world.district, AS_OF).debt_ratio_tier == "orange"
    assert AuditEntry.objects.order_by("seq").last().action == "risk_settings.clear"


def test_a_missing_year_is_missing_unless_the_settings_allow_an_earlier_one(world):
    _bond(world)
    finance = world.user("finance")
    _figures(world, 2025)
    ind = indicators_for(finance, world.district, AS_OF)
    assert ind.debt_ratio is None and ind.fiscal_year is None and ind.capacity is None
    assert any("2026" in note for note in ind.notes)
    risk_settings_set(actor=finance, jurisdiction=world.district, use_earlier_fiscal_year=True)
    ind = indicators_for(finance, world.district, AS_OF)
    assert ind.fiscal_year == 2025 and ind.debt_ratio == D("150.0000")
    assert any("2025" in note and "2026" in note for note in ind.notes)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"debt_orange": "110.00"}, "debt_orange"),  # below yellow's 120
        ({"debt_yellow": "0"}, "debt_yellow"),
        ({"overdue_severe": "1000"}, "overdue_severe"),
        ({"overdue_medium": "lots"}, "overdue_medium"),
        ({"interest_trigger": "10.005"}, "interest_trigger"),
        ({"interest_trigger": 10.5}, "interest_trigger"),
        ({"overdue_initial": "25.00"}, "overdue_medium"),  # medium's 20 is no longer above
    ],
)
def test_bad_settings_are_named_and_nothing_is_written(world, values, field):
    audit = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        risk_settings_set(actor=world.user("finance"), jurisdiction=world.district, **values)
    assert field in caught.value.message_dict
    assert not RiskSettings.objects.exists() and AuditEntry.objects.count() == audit


@pytest.mark.parametrize("who", ["office", "head", "auditor", "supervisor", "outsider_finance"])
def test_only_finance_of_the_jurisdiction_sets_them(world, who):
    with pytest.raises(NotPermitted):
        risk_settings_set(actor=world.user(who), jurisdiction=world.district, debt_red="400.00")
    assert not RiskSettings.objects.exists()


def test_the_api_reads_sets_and_drops_them(world):
    url = f"/api/v1/risk-settings?jurisdiction={world.district.pk}"
    finance = client_for(world, "finance")
    body = call(finance, "GET", url).json()
    assert body["own"] is False and body["from_jurisdiction_id"] is None
    assert body["debt_red"] == "300.00" and body["use_earlier_fiscal_year"] is False
    r = call(finance, "PUT", url, {"debt_red": "350.00", "use_earlier_fiscal_year": True})
    assert r.status_code == 200, r.content
    assert r.json()["own"] is True and r.json()["debt_red"] == "350.00"
    bad = call(finance, "PUT", url, {"debt_red": "150.00"})  # below orange's 200
    assert bad.status_code == 400 and "debt_red" in bad.json()["errors"]
    assert call(finance, "PUT", url, {"debt_rouge": "1"}).status_code == 422
    # Read-only roles see them; they may not set them.
    assert call(client_for(world, "auditor"), "GET", url).json()["debt_red"] == "350.00"
    assert call(client_for(world, "auditor"), "PUT", url, {}).status_code == 403
    assert call(client_for(world, "auditor"), "DELETE", url).status_code == 403
    assert call(finance, "DELETE", url).status_code == 204
    assert call(finance, "GET", url).json()["own"] is False


def test_the_risk_page_sets_them_and_shows_the_tiers_in_use(world):
    finance = client_for(world, "finance")
    page = finance.get(reverse("risk-indicators"), {"jurisdiction": world.district.pk})
    assert page.status_code == 200 and 'action="/risk/settings/"' in page.content.decode()
    form = {"jurisdiction": world.district.pk, "debt_yellow": "110.00", "debt_orange": "",
            "use_earlier_fiscal_year": "on"}  # fmt: skip
    r = finance.post(reverse("risk-settings"), form, follow=True)
    assert r.status_code == 200
    saved = RiskSettings.objects.get(jurisdiction=world.district)
    assert saved.debt_yellow == D("110.00") and saved.debt_orange == D("200.00")
    assert saved.use_earlier_fiscal_year
    assert "yellow from 110.00 %" in r.content.decode()
    # A refusal is shown on the form, nothing written.
    r = finance.post(reverse("risk-settings"), {**form, "debt_orange": "100.00"})
    assert r.status_code == 200 and "debt_orange" in r.context["settings_form"].errors
    assert RiskSettings.objects.get().debt_orange == D("200.00")
    # The auditor sees the tiers but no form; posting is refused.
    page = client_for(world, "auditor").get(reverse("risk-indicators"))
    assert page.status_code == 200 and 'action="/risk/settings/"' not in page.content.decode()
    assert client_for(world, "auditor").post(reverse("risk-settings"), form).status_code == 403
