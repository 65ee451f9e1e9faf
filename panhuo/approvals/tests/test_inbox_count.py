"""The menu's approvals badge counts what the inbox lists (``inbox_count`` against ``inbox``),
for every person of the test world, through each rule of ``decide_check``: the step's roles and
place, the least authority at the last step, one person one step, the requester's own request,
and delegations (purposes, time, a delegator who left or decided already)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalRequest, Delegation
from panhuo.approvals.selectors import inbox, inbox_count
from panhuo.approvals.tests.support import ask, two_step_above_ten_million
from panhuo.core.testing import AssetFactory

pytestmark = pytest.mark.django_db


def _delegate(w, frm, to, *, purposes=(), hours=(-1, 24)):
    now = timezone.now()
    return Delegation.objects.create(
        from_user=w.user(frm),
        to_user=w.user(to),
        starts_at=now + dt.timedelta(hours=hours[0]),
        ends_at=now + dt.timedelta(hours=hours[1]),
        purposes=list(purposes),
    )


def _counts(w) -> dict[str, tuple[int, int]]:
    return {name: (inbox_count(u), len(inbox(u))) for name, u in w.users.items()}


def test_the_badge_counts_what_the_inbox_lists_for_everyone(world):
    w = world
    two_step_above_ten_million(w)
    small = ask(w, amount="100.00")  # step 1: head or deputy
    big = ask(w, who="finance", amount="20000000.00")
    aps.approval_decide(actor=w.user("deputy"), request=big, approve=True)  # step 2: head/finance
    own = ask(w, who="head", amount="20000000.00")  # the head asked: not theirs to decide
    # Copied before the least-authority rule: the last step "head or deputy" is the head's.
    legacy = ask(w, amount="300.00")
    ApprovalRequest.objects.filter(pk=legacy.pk).update(purpose="price_exception")
    aps.chain_set(actor=w.user("outsider_head"), jurisdiction=w.other_district,
                  purpose="review", steps=[["head", "deputy"]])  # fmt: skip
    aps.approval_request(actor=w.user("outsider_office"), obj=AssetFactory(unit=w.other_unit),
                         purpose="review", jurisdiction=w.other_district)  # fmt: skip
    _delegate(w, "head", "office2", purposes=["review"])
    _delegate(w, "deputy", "office")  # the deputy decided ``big``: not on their behalf there
    _delegate(w, "head", "auditor", purposes=["disposal"])  # another purpose
    _delegate(w, "finance", "unit_officer", hours=(-48, -24))  # ended
    _delegate(w, "deputy2", "norole")
    w.user("deputy2").__class__.objects.filter(pk=w.user("deputy2").pk).update(is_active=False)

    counts = _counts(w)
    assert all(badge == listed for badge, listed in counts.values()), counts
    # The cases are there, not all zero: the head decides small, big (step 2) and the legacy
    # request; the deputy small and the head's own (step 1), not the legacy one (its last step is
    # the head's); office2 small and big for the head (review only: not the legacy price
    # exception, nor the head's own); the office the head's own for the deputy (small and legacy
    # it asked; big the deputy decided); norole nothing for the deputy who left.
    assert {name: n for name, (n, _) in counts.items() if n} == {
        "head": 3, "deputy": 2, "office2": 2, "office": 1, "deputy2": 2,
        "outsider_head": 1, "outsider_deputy": 1,
    }  # fmt: skip
    assert own.pk not in {r.pk for r in inbox(w.user("head"))}
    assert {r.pk for r in inbox(w.user("office2"))} == {small.pk, big.pk}
