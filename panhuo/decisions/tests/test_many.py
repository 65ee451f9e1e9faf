"""The many-assets path (``decisions.many``) gives every asset and package the very inputs
(each figure with its source and note) and figures of the one-asset path, or the same refusal:
on the demo's assets and packages with inputs set for a place and an asset, and on generated
assets (hypothesis)."""

import datetime as dt
from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory, appraise
from panhuo.core.tests.api_support import client_for
from panhuo.decisions import many, npv
from panhuo.decisions.inputs import gather, gather_package
from panhuo.decisions.models import AssetInput, PlaceInput
from panhuo.decisions.tests.test_decision_pages import ON, _debt
from panhuo.disposal.models import Package
from panhuo.organisation.models import User
from panhuo.pricing.models import Valuation
from panhuo.register.models import Asset


def _one(fn, *args, **kw):
    try:
        return fn(*args, **kw)
    except ValidationError as exc:
        return exc.message_dict


def _same_as_one_by_one(user, assets, on, **kw) -> int:
    """Both paths agree on each asset of ``assets``; how many were decided."""
    got = dict(many.gather_assets(user, assets, on=on, **kw))
    assert set(got) == {a.pk for a in assets}
    decided = 0
    for asset in assets.select_related("unit__jurisdiction"):
        one, mine = _one(gather, user, asset, on=on, **kw), got[asset.pk]
        if isinstance(mine, ValidationError):
            assert mine.message_dict == one, asset.code
            continue
        assert mine == one, asset.code
        assert npv.decide(mine) == npv.decide(one), asset.code
        decided += 1
    return decided


def test_the_demo_is_decided_alike_by_both_paths(small_demo):
    office = User.objects.get(username="office")
    on = timezone.localdate()  # the demo's day
    district = office.assignments.get(ended_at=None).jurisdiction
    assets = Asset.objects.filter(unit__jurisdiction__path__startswith=district.path)
    first, second = assets.filter(valuations__kind="appraisal").distinct().order_by("pk")[:2]
    PlaceInput.objects.create(jurisdiction=district, name="vacancy_pct", value=D("20"),
                              reason="old stock", set_by=office)  # fmt: skip
    AssetInput.objects.create(asset=first, name="discount_rate_pct", value=D("6.5"),
                              reason="risky", set_by=office)  # fmt: skip
    # Out of bounds: refused alike.
    AssetInput.objects.create(asset=second, name="price_factor", value=D("9"), reason="bad",
                              set_by=office)  # fmt: skip
    assert _same_as_one_by_one(office, assets, on) > 10
    # A value left out of the request (None) is not asked for: the second asset's own
    # out-of-bounds input still stands, and both paths refuse it alike.
    asked = {"discount_rate_pct": D("5.5"), "price_factor": None}
    assert _same_as_one_by_one(office, assets.filter(pk__in=[first.pk, second.pk]), on,
                               given=asked) == 1  # fmt: skip
    packages = list(Package.objects.filter(jurisdiction__path__startswith=district.path)
                    .select_related("jurisdiction"))  # fmt: skip
    got = many.gather_packages(office, packages, on=on)
    for p in packages:
        mine, one = got[p.pk], _one(gather_package, office, p, on=on)
        assert (mine.message_dict if isinstance(mine, ValidationError) else mine) == one, p.code


def test_the_api_gives_every_asset_the_figures_of_its_own_decision(world, asset):
    _debt(world, "DA", "6.0")
    bare = AssetFactory(unit=world.unit)  # no appraisal: refused in its row, named
    office = client_for(world, "office")
    url = f"/api/v1/decisions/assets?on={ON}&discount_rate_pct=5"
    body = office.get(url).json()
    items = {i["asset_id"]: i for i in body["items"]}
    one = office.get(f"/api/v1/assets/{asset.pk}/decision?on={ON}&discount_rate_pct=5").json()
    keys = ("best", "hold", "lease", "sell", "net_proceeds", "interest_saved", "value_destroyed",
            "value_destroying")  # fmt: skip
    assert {k: items[asset.pk][k] for k in keys} == {k: one[k] for k in keys}
    assert list(items[bare.pk]["refused"]) == ["asset"] and bare.code in str(items[bare.pk])
    assert body["count"] == len(items) >= 2
    page = office.get(url + "&offset=1&limit=1").json()["items"]
    assert page == body["items"][1:2]
    assert client_for(world, "unit_officer").get(url).status_code == 403
    bad = office.get(url + "&limit=0")
    assert bad.status_code == 422 and "limit" in bad.content.decode()


ASSET = st.tuples(
    st.sampled_from(["appraisal", "automated", None]),
    st.one_of(st.none(), st.integers(1, 900_000)),  # rent appraisal
    st.integers(0, 600_000),  # income
    st.integers(0, 90_000),  # holding cost
    st.sampled_from(["in_use", "idle"]),
    st.one_of(st.none(), st.decimals(D("0.5"), D("12"), places=1)),  # its own rate
)


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(ASSET, min_size=1, max_size=4), st.sampled_from([True, True, False]),
       st.booleans())  # fmt: skip
@example([("appraisal", 9000, 0, 100, "in_use", D("6.5")), ("automated", None, 70, 9, "idle", None),
          (None, 10, 0, 0, "idle", D("2.5"))], True, False)  # fmt: skip
def test_generated_assets_are_decided_alike(world, specs, scheduled, named):
    """Generated assets with or without an appraisal, an automated estimate, a rent appraisal,
    income, an own-use status, a rate of their own; a debt with or without a schedule, named
    or the place's dearest."""
    try:
        with transaction.atomic():  # undone after each example
            _generated(world, specs, scheduled, named)
            raise _Undo
    except _Undo:
        pass


class _Undo(Exception):
    pass


def _generated(world, specs, scheduled, named):
    on = dt.date(2026, 6, 30)
    debt = _debt(world, "DG", "9.5", schedule=scheduled)
    office = world.users["office"]
    made = []
    for kind, rent, income, cost, status, rate in specs:
        a = AssetFactory(unit=world.unit, annual_income=D(income), status=status,
                         annual_holding_cost=D(cost))  # fmt: skip
        if kind == "appraisal":
            appraise(a, D("4000000.00") + income, base_date=dt.date(2026, 1, 5))
        elif kind == "automated":
            Valuation.objects.create(asset=a, kind="automated", value=D("3100000.50"),
                                     base_date=dt.date(2026, 2, 1),
                                     stated_error=D("0.1"))  # fmt: skip
        if rent is not None:
            Valuation.objects.create(
                asset=a, kind="rent", value=D(rent), base_date=dt.date(2026, 3, 1),
                valid_until=dt.date(2027, 3, 1), appraiser="X", licence_number="L",
                report_number=f"R{a.pk}",
            )  # fmt: skip
        if rate is not None:
            AssetInput.objects.create(asset=a, name="discount_rate_pct", value=rate,
                                      reason="set", set_by=office)  # fmt: skip
        made.append(a.pk)
    kw = {"debt_id": debt.pk} if named else {}
    decided = _same_as_one_by_one(office, Asset.objects.filter(pk__in=made), on, **kw)
    assert decided == (scheduled and sum(k is not None for k, *_r in specs))
