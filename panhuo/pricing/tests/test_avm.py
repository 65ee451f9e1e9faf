"""The valuation model on synthetic deals with a known price formula."""

import datetime as dt
import math
import random
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from panhuo.core.testing import AssetFactory
from panhuo.disposal.models import DisposalProject, Package, PackageItem, ProjectEvent
from panhuo.pricing import avm
from panhuo.pricing.models import AvmRun, Valuation
from panhuo.register.models import AssetStatus

TODAY = timezone.localdate()
CENTRE = (30.25, 120.15)


def true_price(kind: str, area: float, lat: float, lon: float, age: float) -> float:
    """The synthetic market: 9,000 yuan/m² for buildings, 6,000 for land, falling with the
    distance from the centre and with age."""
    per_m2 = 9000 if kind == "building" else 6000
    distance = math.hypot(lat - CENTRE[0], lon - CENTRE[1]) * 100  # ~km
    return area * per_m2 * math.exp(-0.04 * distance) * (1 - 0.008 * min(age, 40))


def make_asset(w, rng, *, kind=None, **over):
    kind = kind or rng.choice(["building", "land"])
    lat = CENTRE[0] + rng.uniform(-0.12, 0.12)
    lon = CENTRE[1] + rng.uniform(-0.12, 0.12)
    area = rng.uniform(300, 8000)
    age = rng.uniform(0, 35)
    fields = {
        "unit": w.unit,
        "kind": kind,
        "latitude": D(f"{lat:.6f}"),
        "longitude": D(f"{lon:.6f}"),
        "area": D(f"{area:.2f}"),
        "acquired_on": TODAY - dt.timedelta(days=int(age * 365.25)),
        "appraisal": False,
        **over,
    }
    return AssetFactory(**fields)


def seed_deals(w, n: int, seed: int = 7, noise: float = 0.03):
    """``n`` concluded deals of one asset each, priced by the formula with a little noise."""
    rng = random.Random(seed)
    office = w.user("office")
    for i in range(n):
        a = make_asset(w, rng)
        age = (TODAY - a.acquired_on).days / 365.25
        price = true_price(a.kind, float(a.area), float(a.latitude), float(a.longitude), age)
        price *= 1 + rng.uniform(-noise, noise)
        package = Package.objects.create(
            code=f"SYN{i:05d}",
            name="Synthetic",
            jurisdiction=w.district,
            channel="auction",
            status=Package.Status.DISPOSED,
            created_by=office,
        )
        PackageItem.objects.create(package=package, asset=a, live=False)
        p = DisposalProject.objects.create(
            code=f"SYNDP{i:05d}",
            package=package,
            channel="auction",
            reserve_price=D("1.00"),
            deal_price=D(f"{price:.2f}"),
            buyer="Buyer",
            status="concluded",
            created_by=office,
        )
        ProjectEvent.objects.create(
            project=p,
            transition="conclude",
            from_status="listed",
            to_status="concluded",
            actor=office,
        )
        a.status = AssetStatus.DISPOSED
        a.save(update_fields=["status"])


@pytest.fixture
def trained(world):
    seed_deals(world, 160)
    return avm.avm_train(actor=world.user("office"), jurisdiction=world.district)


def test_training_reports_the_error_on_held_out_deals(world, trained):
    run = trained
    assert run.n_test >= 30 and run.n_train + run.n_test == 160
    assert run.metrics["n_test_deals"] == run.n_test
    # The formula is smooth and the noise ±3 %: the held-out error is small but not zero.
    assert 0 < run.mape < D("0.15"), run.metrics
    assert 0 < run.median_ape <= run.mape * 2
    assert run.features == avm.FEATURES and run.blob_intact()


def test_training_is_deterministic(world, trained):
    again = avm.avm_train(actor=world.user("office"), jurisdiction=world.district)
    assert (again.mape, again.median_ape, again.n_test) == (
        trained.mape,
        trained.median_ape,
        trained.n_test,
    )


def test_estimates_are_within_reason_and_state_their_error(world, trained):
    rng = random.Random(99)
    errors = []
    for _ in range(20):
        a = make_asset(world, rng)
        age = (TODAY - a.acquired_on).days / 365.25
        truth = true_price(a.kind, float(a.area), float(a.latitude), float(a.longitude), age)
        v = avm.avm_estimate(actor=world.user("office"), asset=a)
        assert v.kind == "automated" and v.stated_error == trained.mape and v.model_run == trained
        assert v.inputs["log_area"] == pytest.approx(math.log(float(a.area)), rel=1e-6)
        errors.append(abs(float(v.value) - truth) / truth)
    assert sorted(errors)[len(errors) // 2] < 0.15, errors
    assert max(errors) < 0.5, errors


def test_an_estimate_is_never_an_appraisal(world, trained):
    from panhuo.pricing.selectors import latest_valid_appraisal

    a = make_asset(world, random.Random(1))
    avm.avm_estimate(actor=world.user("office"), asset=a)
    assert latest_valid_appraisal(a) is None


def test_only_land_and_buildings_with_an_area(world, trained):
    office = world.user("office")
    with pytest.raises(ValidationError) as e:
        avm.avm_estimate(actor=office, asset=AssetFactory(unit=world.unit, kind="vehicle"))
    assert "kind" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        avm.avm_estimate(actor=office, asset=AssetFactory(unit=world.unit, area=None))
    assert "area" in e.value.message_dict


def test_too_few_deals_refuse_to_train(world):
    seed_deals(world, avm.MIN_DEALS - 1)
    with pytest.raises(ValidationError) as e:
        avm.avm_train(actor=world.user("office"), jurisdiction=world.district)
    assert "at least 8" in str(e.value)
    assert not AvmRun.objects.exists()


def test_who_may_train_and_estimate(world):
    seed_deals(world, 12)
    for who in ("finance", "auditor", "unit_officer", "outsider_office", "bidder"):
        with pytest.raises(PermissionDenied):
            avm.avm_train(actor=world.user(who), jurisdiction=world.district)
    run = avm.avm_train(actor=world.user("head"), jurisdiction=world.district)
    a = make_asset(world, random.Random(3))
    for who in ("head", "finance", "outsider_office"):
        with pytest.raises(PermissionDenied):
            avm.avm_estimate(actor=world.user(who), asset=a, run=run)
    assert not Valuation.objects.filter(asset=a).exists()


def test_a_tampered_model_is_refused(world):
    seed_deals(world, 12)
    run = avm.avm_train(actor=world.user("office"), jurisdiction=world.district)
    AvmRun.objects.filter(pk=run.pk).update(model_blob=b"not a model")
    run.refresh_from_db()
    with pytest.raises(ValidationError):
        avm.avm_estimate(actor=world.user("office"), asset=make_asset(world, random.Random(2)))


def test_the_command_trains_and_prints_the_error(world, capsys):
    seed_deals(world, 12)
    call_command("avm", "train")
    out = capsys.readouterr().out
    assert "MAPE" in out and "12 deals" in out
    assert AvmRun.objects.get().jurisdiction is None
