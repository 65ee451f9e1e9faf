"""Properties of the engine under random sequences of requests, decisions and withdrawals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalRequest, ApprovalStatus
from panhuo.approvals.selectors import inbox, inbox_count
from panhuo.approvals.tests.support import target
from panhuo.organisation.models import RoleAssignment

pytestmark = pytest.mark.django_db

PEOPLE = [
    "head",
    "deputy",
    "deputy2",
    "office",
    "office2",
    "finance",
    "auditor",
    "unit_officer",
    "outsider_head",
]
REQUESTERS = ["office", "finance", "deputy", "head", "auditor"]
AMOUNTS = ["10.00", "9999999.99", "10000000.00", "50000000.00", "200000000.00"]

op = st.one_of(
    st.tuples(st.just("request"), st.sampled_from(REQUESTERS), st.sampled_from(AMOUNTS),
              st.sampled_from([0, 1])),
    st.tuples(st.just("decide"), st.sampled_from(PEOPLE), st.booleans(),
              st.sampled_from(["", "because"])),
    st.tuples(st.just("withdraw"), st.sampled_from(PEOPLE), st.just(""), st.just("")),
)  # fmt: skip


def _configure(w):
    head = w.user("head")
    aps.chain_set(actor=head, jurisdiction=w.district, purpose="review",
                  steps=[["head", "deputy"]])  # fmt: skip
    aps.chain_set(actor=head, jurisdiction=w.district, purpose="review",
                  min_amount=Decimal("10000000"), steps=[["deputy"], ["head"]])  # fmt: skip
    aps.chain_set(actor=head, jurisdiction=w.district, purpose="review",
                  min_amount=Decimal("100000000"),
                  steps=[["deputy"], ["deputy", "finance"], ["head"]])  # fmt: skip
    now = timezone.now()
    for frm, to in (("head", "office2"), ("deputy", "office")):
        aps.delegation_set(actor=w.user(frm), to_user=w.user(to), starts_at=now,
                           ends_at=now + dt.timedelta(days=1))  # fmt: skip


def _roles_in_district(user, w) -> set[str]:
    paths = {
        a.role
        for a in RoleAssignment.objects.filter(user=user).select_related("jurisdiction")
        if w.district.path.startswith(a.jurisdiction.path)
    }
    return paths


def _check_invariants(w):
    # Never two requests in progress for one object and purpose.
    assert not (
        ApprovalRequest.objects.filter(status=ApprovalStatus.PENDING)
        .values("content_type", "object_id", "purpose")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    for r in ApprovalRequest.objects.prefetch_related(
        "decisions__actor", "decisions__on_behalf_of"
    ):
        decisions = list(r.decisions.all())
        assert [d.step for d in decisions] == list(range(1, len(decisions) + 1))
        principals = [d.on_behalf_of or d.actor for d in decisions]
        people = {d.actor_id for d in decisions} | {p.pk for p in principals}
        # distinct people, none of them the requester
        assert len({d.actor_id for d in decisions}) == len(decisions)
        assert len({p.pk for p in principals}) == len(decisions)
        assert r.requested_by_id not in people
        # a delegate never decides for someone who also decided in person
        assert not ({d.actor_id for d in decisions} & {
            d.on_behalf_of_id for d in decisions if d.on_behalf_of_id
        })  # fmt: skip
        for d, who in zip(decisions, principals, strict=True):
            assert _roles_in_district(who, w) & set(r.steps[d.step - 1]), (d, r.steps)
        if r.status == ApprovalStatus.APPROVED:
            assert len(decisions) == len(r.steps)
            assert all(d.outcome == "approve" for d in decisions)
        elif r.status == ApprovalStatus.REJECTED:
            assert decisions and decisions[-1].outcome == "reject" and decisions[-1].comment
            assert all(d.outcome == "approve" for d in decisions[:-1])
        else:
            assert all(d.outcome == "approve" for d in decisions)
            assert len(decisions) < len(r.steps)
            if r.status == ApprovalStatus.PENDING:
                assert r.current_step == len(decisions) + 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op, max_size=14))
def test_random_sequences_keep_the_rules(world, ops):
    with transaction.atomic():
        _configure(world)
        objects = [target(world), target(world)]
        for kind, who, a, b in ops:
            user = world.user(who)
            try:
                if kind == "request":
                    aps.approval_request(
                        actor=user,
                        obj=objects[b],
                        purpose="review",
                        amount=Decimal(a),
                        jurisdiction=world.district,
                    )
                else:
                    pending = list(ApprovalRequest.objects.filter(status="pending"))
                    for r in pending:
                        if kind == "decide":
                            aps.approval_decide(actor=user, request=r, approve=a, comment=b)
                        else:
                            aps.approval_withdraw(actor=user, request=r)
            except (ValidationError, PermissionDenied):
                pass
            _check_invariants(world)
        # The menu's badge counts what the inbox lists (delegations included: _configure's).
        for who in PEOPLE:
            user = world.user(who)
            assert inbox_count(user) == len(inbox(user)), who
        transaction.set_rollback(True)
