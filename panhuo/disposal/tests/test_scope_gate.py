"""Gate ``scope_not_included`` (issue 12, item 2): an asset enters a package only when the
latest scope decision includes it. An asset no decision ever covered is refused as well as one
the latest decision left out, through the service, the API (400 with the ``gate`` body) and the
pages, in English and Chinese; nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from panhuo.core.gates import RULES, GateRefused
from panhuo.core.testing import AssetFactory, put_in_scope
from panhuo.core.tests.api_support import call, client_for
from panhuo.disposal import services as ds
from panhuo.disposal.candidates import assets_in_scope, confirmed_candidates
from panhuo.disposal.models import Package, PackageItem

pytestmark = pytest.mark.django_db


def _refused(assets) -> GateRefused:
    with pytest.raises(GateRefused) as exc:
        assets_in_scope(assets)
    return exc.value


def _create(world, *assets):
    return ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot",
        channel="auction", asset_ids=[a.pk for a in assets],
    )  # fmt: skip


def test_the_rule_is_registered_with_its_source():
    assert "scope_not_included" in RULES
    assert "scope decision" in str(RULES["scope_not_included"].source)


def test_never_covered_refused_included_accepted(world):
    covered = AssetFactory(unit=world.unit)  # the factory puts it in scope
    never = AssetFactory(unit=world.unit, scope=False)
    assert assets_in_scope([covered]) is None
    e = _refused([covered, never])
    assert e.rule.code == "scope_not_included" and e.field == "assets"
    assert f"No scope decision covers asset(s) {never.code}." in e.text
    assert covered.code not in e.text
    assert e.unblock == "record a scope decision that includes the asset."
    assert e.as_json()["rule"] == "scope_not_included"


def test_left_out_refused_naming_the_decision(world):
    a = AssetFactory(unit=world.unit, scope=False)
    out = put_in_scope(a, included=False)
    e = _refused([a])
    assert f"The latest scope decision (#{out.pk}) left out asset(s) {a.code}." in e.text


def test_latest_decision_wins_both_ways(world):
    a = AssetFactory(unit=world.unit)  # included first
    put_in_scope(a, included=False)  # then left out: out
    assert _refused([a]).rule.code == "scope_not_included"
    put_in_scope(a)  # then included again: in
    assert assets_in_scope([a]) is None
    assert list(confirmed_candidates(world.user("office"))) == [a]


def test_many_codes_are_named_up_to_twenty(world):
    assets = AssetFactory.create_batch(23, unit=world.unit, scope=False)
    text = _refused(assets).text
    codes = sorted(a.code for a in assets)
    assert codes[19] in text and codes[20] not in text and "and 3 more" in text


def test_refusal_in_chinese(world):
    a = AssetFactory(unit=world.unit, scope=False)
    with translation.override("zh-hans"):
        e = _refused([a])
    assert "界定范围" in e.text and a.code in e.text
    assert "没有" in e.text and "记录" in e.unblock


def test_service_create_and_add_write_nothing(world):
    ok = AssetFactory(unit=world.unit)
    never = AssetFactory(unit=world.unit, scope=False)
    with pytest.raises(GateRefused, match="No scope decision covers"):
        _create(world, ok, never)
    assert not Package.objects.exists() and not PackageItem.objects.exists()
    package = _create(world, ok)
    with pytest.raises(GateRefused, match="No scope decision covers"):
        ds.package_add_assets(actor=world.user("office"), package=package, asset_ids=[never.pk])
    assert list(package.items.values_list("asset_id", flat=True)) == [ok.pk]


def test_api_answers_400_with_the_gate(world):
    never = AssetFactory(unit=world.unit, scope=False)
    ok = AssetFactory(unit=world.unit)
    office = client_for(world, "office")
    body = {"name": "Lot", "jurisdiction": world.district.pk, "channel": "auction",
            "asset_ids": [never.pk]}  # fmt: skip
    r = call(office, "POST", "/api/v1/packages", body)
    assert r.status_code == 400, r.content
    out = r.json()
    assert out["gate"]["rule"] == "scope_not_included" and out["gate"]["field"] == "assets"
    assert "scope decision" in out["gate"]["source"]
    assert out["gate"]["unblock"] == "record a scope decision that includes the asset."
    assert never.code in out["errors"]["assets"][0]
    assert not Package.objects.exists()
    made = call(office, "POST", "/api/v1/packages", {**body, "asset_ids": [ok.pk]})
    assert made.status_code == 201
    r = call(office, "POST", f"/api/v1/packages/{made.json()['id']}/assets",
             {"asset_ids": [never.pk]})  # fmt: skip
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "scope_not_included"
    assert PackageItem.objects.count() == 1


def test_pages_show_the_refusal(world):
    never = AssetFactory(unit=world.unit, scope=False)
    ok = AssetFactory(unit=world.unit)
    office = client_for(world, "office")
    r = office.post(
        reverse("package-create"),
        {"jurisdiction": world.district.pk, "name": "Lot", "channel": "auction",
         "assets": f"{never.code}\n"},
    )  # fmt: skip
    assert r.status_code == 200 and not Package.objects.exists()
    html = r.content.decode()
    assert "scope_not_included" in html and never.code in html
    assert "record a scope decision that includes the asset." in html
    package = _create(world, ok)
    r = office.post(package.get_absolute_url() + "assets/", {"pick": [never.pk]})
    assert "No scope decision covers" in r.content.decode() and package.items.count() == 1
