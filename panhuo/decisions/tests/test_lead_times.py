"""The optimiser's approval lead times come from the price rules of each package's jurisdiction
(issue 20, item 2): the defaults (30 calendar days, 60 for the finance bureau above its
threshold) put a small package's money in the first quarter; a district whose rules say a year
moves it to the fifth, and a run's override still wins. Bad lead times are refused naming the
field on the page, the service and the database, nothing written; a change is audit-logged."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from panhuo.core.testing import AssetFactory, appraise
from panhuo.core.tests.api_support import client_for
from panhuo.decisions.optimiser.gather import gather, lead_quarters, params_of
from panhuo.decisions.tests.test_decision_pages import _debt
from panhuo.disposal.models import Package, PackageItem
from panhuo.integrity.models import AuditEntry
from panhuo.pricing.models import PriceRuleSet
from panhuo.pricing.rules import Thresholds
from panhuo.pricing.selectors import package_rule_classes, thresholds_for_package
from panhuo.pricing.services import price_rules_update
from panhuo.pricing.tests.test_views import rules_data

ON = dt.date(2026, 6, 30)


def _earliest(world, params=None) -> dict[str, int]:
    """The first quarter of each channel's options of the one package."""
    problem, _meta = gather(world.user("office"), world.district, on=ON,
                            params=params_of(params or {}))  # fmt: skip
    out: dict[str, int] = {}
    for channel, start in zip(problem.channels, problem.start, strict=True):
        out[channel] = min(out.get(channel, 99), int(start))
    return out


def test_a_district_with_longer_lead_times_shifts_the_earliest_quarter(world):
    a = AssetFactory(unit=world.unit, annual_income=D("100000"))
    appraise(a, D("900000.00"), base_date=dt.date(2026, 3, 1))  # below the finance threshold
    pkg = Package.objects.create(code="PK-L1", name="L", jurisdiction=world.district,
                                 channel="auction", created_by=world.users["office"])  # fmt: skip
    PackageItem.objects.create(package=pkg, asset=a)
    _debt(world, "D-L", "4.0")
    # 30 days' approval + 20 working days' disclosure + 5 to pay: within the first quarter.
    assert (thresholds_for_package(pkg).approval_days, _earliest(world)) == (30, {"auction": 0})
    for rule_class in package_rule_classes(pkg):  # the district's own rules: a year's approval
        price_rules_update(actor=world.user("head"), jurisdiction=world.district,
                           rule_class=rule_class, data={"approval_days": 365})  # fmt: skip
    t = thresholds_for_package(pkg)
    assert (t.approval_days, t.finance_approval_days) == (365, 60)
    assert lead_quarters(t, a.kind, D("900000.00"), "auction") == 4
    assert _earliest(world) == {"auction": 4}
    # Above the finance threshold the finance bureau's 60 days count, not the department's year.
    assert lead_quarters(t, a.kind, D("2000000.00"), "auction") == 0
    # A run's override applies to every package instead of its rules.
    assert _earliest(world, {"approval_days": 0}) == {"auction": 0}
    entry = AuditEntry.objects.filter(action="pricerules.update").latest("pk")
    assert entry.after["approval_days"] == 365


def test_bad_lead_times_are_refused_by_name_nothing_written(world):
    head = world.user("head")
    with pytest.raises(ValidationError) as err:
        price_rules_update(actor=head, jurisdiction=world.district,
                           data={"finance_approval_days": 400})  # fmt: skip
    assert list(err.value.message_dict) == ["finance_approval_days"]
    assert "at most 365 calendar days (given: 400)" in err.value.messages[0]
    assert not PriceRuleSet.objects.exists()
    url = reverse("price-rules") + f"?jurisdiction={world.district.pk}"
    page = client_for(world, "office").post(url, rules_data(approval_days="-3"))
    assert page.status_code == 400 and list(page.context["form"].errors) == ["approval_days"]
    with translation.override("zh-hans"):
        zh = client_for(world, "office", headers={"accept-language": "zh-hans"})
        page = zh.post(url, rules_data(approval_days="366"))
    assert page.status_code == 400 and list(page.context["form"].errors) == ["approval_days"]
    assert "审批周期最长 365 个日历日（填写的是 366）" in page.content.decode()
    api = client_for(world, "head").put(
        f"/api/v1/price-rules/{world.district.pk}",
        {"approval_days": 366},
        content_type="application/json",
    )
    assert api.status_code == 422 and "approval_days" in api.json()["errors"]
    assert not PriceRuleSet.objects.exists()
    # The database holds the bound too, whoever writes.
    row = PriceRuleSet.objects.create(
        jurisdiction=world.district, **Thresholds(finance_approval_days=365).values()
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceRuleSet.objects.filter(pk=row.pk).update(finance_approval_days=366)
