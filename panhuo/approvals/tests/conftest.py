"""Fixtures of the approval tests: requests in every shape, for the API and the pages."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalChain, ApprovalRequest, Delegation
from panhuo.approvals.tests.support import ask, two_step_above_ten_million
from panhuo.core.testing import AssetFactory, World


@dataclass
class Records:
    w: World
    chain: ApprovalChain
    small: ApprovalRequest  # one step, asked by the office
    big: ApprovalRequest  # two steps (from 10 million)
    unit_req: ApprovalRequest  # asked by the unit officer for their unit's asset
    b_req: ApprovalRequest  # district B
    delegation: Delegation  # head → office2, price exceptions


@pytest.fixture
def rec(world) -> Records:
    w = world
    chain = two_step_above_ten_million(w)
    small = ask(w, amount="100.00")
    big = ask(w, amount="20000000.00")
    unit_req = aps.approval_request(
        actor=w.user("unit_officer"),
        obj=AssetFactory(unit=w.unit),
        purpose="review",
        amount=None,
        jurisdiction=w.district,
        units=[w.unit.pk],
    )
    b_req = aps.approval_request(
        actor=w.user("outsider_office"),
        obj=AssetFactory(unit=w.other_unit),
        purpose="review",
        jurisdiction=w.other_district,
    )
    now = timezone.now()
    delegation = aps.delegation_set(
        actor=w.user("head"),
        to_user=w.user("office2"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=5),
        purposes=["review"],
    )
    return Records(w, chain, small, big, unit_req, b_req, delegation)
