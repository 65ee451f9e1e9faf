"""Test data for the auctions: a listed public-auction project whose disclosure has run, its
lot, verified bidders registered for it with confirmed deposits, and a clock the tests set
(``bidding.now`` replaced: the services never take a time from the caller)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone
from django.utils import timezone as django_timezone

from panhuo.auctions import bidding, services
from panhuo.bidders.models import Bidder
from panhuo.core.testing import AssetFactory, World, appraise, approved, make_user, recorded_late
from panhuo.core.tests.recorded import recorded
from panhuo.disposal import services as ds
from panhuo.finance.deposits.parties import deposit_declare_paid
from panhuo.finance.deposits.services import deposit_transition

D = Decimal
_ids = itertools.count(1)


def listed_project(w: World, *, conditions: str = ""):
    """A public-auction project listed 80 days ago (its disclosure has run), reserve 5.5 m:
    built for real once per worker and condition, replayed after that (``@recorded``, as the
    API world is: about 60 items per database build one)."""
    return _recorded_listing(w, conditions)


def list_a_project(w: World, conditions: str = ""):
    """``listed_project`` built for real each time: for a caller that builds it once in a
    world of its own (the authorization matrix), where a recording would never be replayed."""
    asset = AssetFactory(unit=w.unit)
    appraise(asset, D("5500000.00"))
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel="auction",
        asset_ids=[asset.pk],
    )  # fmt: skip
    sure = {"confirm_amount": True}
    p = ds.project_create(
        actor=w.user("office"), package=package, reserve_price=D("5500000.00"), **sure
    )
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit", **sure)
    p = approved(w, p)
    extra = {"buyer_conditions": conditions, "conditions_basis": "Rule 1"} if conditions else {}
    return ds.project_transition(
        actor=w.user("office"), project=p, transition="list", **recorded_late("list"), **extra,
        **sure,
    )  # fmt: skip


_recorded_listing = recorded(list_a_project)


class Clock:
    """The auction's clock, set by the test."""

    def __init__(self, monkeypatch, at: dt.datetime | None = None):
        self.at = at or timezone.now()
        monkeypatch.setattr(bidding, "now", lambda: self.at)
        monkeypatch.setattr(services, "now", lambda: self.at)
        # Today is the clock's day too: a lot the clock closes two hours ahead is awarded on
        # the day it closed, and the deal's step-date gate (no step after today) must agree,
        # or the tests fail whenever they run within two hours of local midnight.
        real_localdate = timezone.localdate

        def localdate(value=None, timezone=None):
            return real_localdate(value or self.at, timezone)

        monkeypatch.setattr(django_timezone, "localdate", localdate)

    def move(self, **delta) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


def make_lot(w: World, project=None, *, start=None, minutes=60, deposit="100000.00", **kw):
    project = project or listed_project(w)
    start = start or timezone.now() - dt.timedelta(minutes=1)
    terms = dict(start_price=D("5500000.00"), increment=D("50000.00"),
                 deposit_amount=D(deposit), start_at=start,
                 end_at=start + dt.timedelta(minutes=minutes))  # fmt: skip
    terms.update(kw)
    return services.lot_create(actor=w.user("office"), round=project.rounds.get(), **terms)


def make_bidder(w: World, name: str | None = None, *, status: str = "verified", user=None):
    """A bidder (verified unless ``status`` says), with a new user unless ``user`` is given."""
    n = next(_ids)
    user = user or make_user(f"bidder_{n}", None, w.district)
    bidder = Bidder.objects.create(
        user=user, kind="person", name=name or f"Bidder Person {n}",
        id_number=f"1101051949123{n:04d}"[:17] + "X", phone="13800000000", address="Road 1",
        jurisdiction=w.district, status=status,
    )  # fmt: skip
    return user, bidder


def registered(w: World, lot, *, confirmed: bool = True, name: str | None = None, **kw):
    """A verified bidder registered for ``lot``, their deposit paid and (unless not
    ``confirmed``) confirmed by finance."""
    user, _bidder = make_bidder(w, name, **kw)
    reg = services.lot_register(actor=user, lot_id=lot.pk, accept_conditions=True)
    if reg.deposit is not None:
        d = deposit_declare_paid(
            actor=user, deposit=reg.deposit, voucher=f"V-{lot.pk}-{user.pk}",
            paid_on=timezone.localdate(),
        )  # fmt: skip
        if confirmed:
            deposit_transition(actor=w.user("finance"), deposit=d, action="confirm")
    return user
