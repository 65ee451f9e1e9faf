"""Valuation, price-rule and model pages for every role; forms allowed, denied, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.core.tests.per_caller import per_caller
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    REGISTER_SECTION,
    assert_login_redirect,
    build_sample,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.pricing.models import PriceRuleSet, Valuation

TODAY = timezone.localdate()
SEES_U1 = READERS_A | {"unit_officer"}
WRITERS = {"office", "office2", "unit_officer", "other_unit_officer", "outsider_office",
           "outsider_unit_officer"}  # fmt: skip
RULES_SECTION = READERS_A | READERS_B


@pytest.fixture
def sample(world):
    return build_sample(world)


def a_valuation(s):
    return Valuation.objects.filter(asset=s.a.asset).get()


PAGES = {
    "valuation-list": (lambda s: reverse("valuation-list"), lambda: expected(REGISTER_SECTION)),
    "valuation-export": (lambda s: reverse("valuation-export"), lambda: expected(REGISTER_SECTION)),
    "valuation-create": (
        lambda s: reverse("valuation-create"),
        lambda: expected(WRITERS, forbidden=REGISTER_SECTION),
    ),
    "valuation-detail": (
        lambda s: reverse("valuation-detail", args=[a_valuation(s).pk]),
        lambda: expected(SEES_U1, REGISTER_SECTION),
    ),
    "price-rules": (lambda s: reverse("price-rules"), lambda: expected(RULES_SECTION)),
    "avm-runs": (lambda s: reverse("avm-runs"), lambda: expected(RULES_SECTION)),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, sample, page):
    url, table = PAGES[page]
    assert statuses(world, url(sample)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, sample, page):
    assert_login_redirect(PAGES[page][0](sample))


def test_list_filters_sorts_and_exports(world, sample):
    c = client_for(world, "office")
    response = c.get(reverse("valuation-list"), {"q": sample.a.asset.code, "sort": "-value"})
    assert [v.asset_id for v in response.context["page"]] == [sample.a.asset.pk]
    assert c.get(reverse("valuation-list"), {"kind": "book"}).context["page"].paginator.count == 0
    text = b"".join(c.get(reverse("valuation-export")).streaming_content).decode()
    assert sample.a.asset.code in text and sample.b_package.items.get().asset.code not in text
    assert text.startswith("\ufeffAsset code")


def form_data(target, **over):
    return {
        "asset": target.code,
        "kind": "appraisal",
        "value": "4,800,000.00",
        "base_date": (TODAY - dt.timedelta(days=5)).isoformat(),
        "method": "market",
        "appraiser": "Lianhe Appraisal Co.",
        "licence_number": "33010021",
        "report_number": "LH-2026-031",
        **over,
    }


def test_office_records_an_appraisal(world, sample):
    asset = sample.a.asset_free
    response = client_for(world, "office").post(reverse("valuation-create"), form_data(asset))
    v = Valuation.objects.get(report_number="LH-2026-031")
    assert response.status_code == 302 and response["Location"] == v.get_absolute_url()
    assert v.asset == asset and str(v.value) == "4800000.00"
    page = client_for(world, "office").get(v.get_absolute_url())
    assert b"4,800,000.00" in page.content and b"LH-2026-031" in page.content


def test_form_errors_name_the_field_and_write_nothing(world, sample):
    before = fingerprint()
    count = Valuation.objects.count()
    c = client_for(world, "office")
    for over, field in (
        ({"appraiser": ""}, "appraiser"),
        ({"asset": "NOPE"}, "asset"),
        ({"asset": sample.b_package.items.get().asset.code}, "asset"),
        ({"value": "lots"}, "value"),
    ):
        response = c.post(reverse("valuation-create"), form_data(sample.a.asset_free, **over))
        assert response.status_code == 200 and field in response.context["form"].errors, over
    assert fingerprint() == before and Valuation.objects.count() == count


@per_caller(["head", "finance", "auditor", "bidder"])
def test_create_denied_writes_nothing(world, sample, who):
    count = Valuation.objects.count()
    response = client_for(world, who).post(
        reverse("valuation-create"), form_data(sample.a.asset_free)
    )
    assert response.status_code == 403 and Valuation.objects.count() == count


def rules_data(**over):
    data = {
        "appraisal_validity_months": 12,
        "first_listing_reserve_pct": "100",
        "approval_floor_pct": "95",
        "reappraise_after_months": 12,
        "disclosure_days": 20,
        "disclosure_days_physical_mid": 10,
        "physical_mid_from": "1000000",
        "physical_mid_to": "10000000",
        "disclosure_days_physical_high": 20,
        "payment_full_days": 5,
        "payment_down_pct": "30",
        "payment_rest_months": 12,
        "notice_days": 5,
        "plausible_low_pct": "50",
        "plausible_high_multiple": "5",
        "reference_rate_pct": "3.00",
        "land_announce_days": 20,
        "land_listing_days": 10,
        "finance_approval_above": "1000000",
        "token_price_pct": "70",
        "lease_max_years": 5,
        "lease_tender_rent": "100000",
        "approval_days": 30,
        "finance_approval_days": 60,
    }
    data.update(over)
    return data


def test_head_sets_the_rules_of_the_district(world, sample):
    url = reverse("price-rules") + f"?jurisdiction={world.district.pk}"
    page = client_for(world, "head").get(url)
    assert page.status_code == 200 and page.context["form"] is not None
    response = client_for(world, "head").post(url, rules_data())
    assert response.status_code == 302
    rules = PriceRuleSet.objects.get(jurisdiction=world.district)
    assert rules.approval_floor_pct == 95 and rules.updated_by == world.user("head")
    assert (rules.token_price_pct, rules.lease_max_years) == (70, 5)
    # Readers see the rules, without a form.
    page = client_for(world, "finance").get(url)
    assert page.context["form"] is None and b"95.00" in page.content


def test_rule_form_errors_and_stale_versions(world, sample):
    url = reverse("price-rules") + f"?jurisdiction={world.district.pk}"
    c = client_for(world, "office")
    response = c.post(url, rules_data(approval_floor_pct="250"))
    assert response.status_code == 400 and "approval_floor_pct" in response.context["form"].errors
    assert not PriceRuleSet.objects.exists()
    assert c.post(url, rules_data()).status_code == 302
    assert c.post(url, rules_data(notice_days=6, version="1")).status_code == 302
    response = c.post(url, rules_data(notice_days=7, version="1"))
    assert response.status_code == 409
    assert PriceRuleSet.objects.get().notice_days == 6


@per_caller(["finance", "auditor", "supervisor", "outsider_head"])
def test_rule_edit_denied_writes_nothing(world, sample, who):
    url = reverse("price-rules") + f"?jurisdiction={world.district.pk}"
    response = client_for(world, who).post(url, rules_data())
    # Outsiders cannot pick district A at all: they see their own district's rules, and
    # may change only those.
    assert response.status_code in (403, 302)
    assert not PriceRuleSet.objects.filter(jurisdiction=world.district).exists()


def test_training_without_enough_deals_says_so(world, sample):
    response = client_for(world, "office").post(
        reverse("avm-runs"), {"jurisdiction": world.district.pk}, follow=True
    )
    assert b"at least 8 needed" in response.content
    assert (
        client_for(world, "finance")
        .post(reverse("avm-runs"), {"jurisdiction": world.district.pk})
        .status_code
        == 403
    )
