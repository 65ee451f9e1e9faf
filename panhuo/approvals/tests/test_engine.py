"""The approval engine: chains matched by jurisdiction, channel and amount; decisions with
separation of duties; delegations; one request in progress per object and purpose."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStatus
from panhuo.approvals.registry import on_decided
from panhuo.approvals.selectors import inbox
from panhuo.approvals.tests.support import (
    TEN_MILLION,
    approval_fingerprint,
    ask,
    legacy_chain,
    target,
    two_step_above_ten_million,
)
from panhuo.core.gates import GateRefused
from panhuo.core.testing import make_user
from panhuo.core.tests.per_caller import per_caller
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.services import audit_verify
from panhuo.organisation.models import Role

pytestmark = pytest.mark.django_db


# --- chains -----------------------------------------------------------------------------------


def test_without_configuration_one_step_head_or_deputy(world):
    r = ask(world)
    assert r.steps == [["head", "deputy"]]
    assert r.chain is None and r.chain_name == aps.DEFAULT_CHAIN_NAME
    assert r.status == ApprovalStatus.PENDING and r.current_step == 1
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    assert r.status == ApprovalStatus.APPROVED and r.closed_at is not None


def test_above_the_threshold_the_head_decides_a_second_step(world):
    two_step_above_ten_million(world)
    small = ask(world, amount="9999999.99")
    big = ask(world, amount=str(TEN_MILLION))
    assert small.steps == [["deputy", "head"]]
    assert big.steps == [["deputy", "head"], ["finance", "head"]]
    assert big.chain_name == "Large: then the head or finance"
    big = aps.approval_decide(actor=world.user("deputy"), request=big, approve=True)
    assert big.status == ApprovalStatus.PENDING and big.current_step == 2
    with pytest.raises(PermissionDenied, match="Step 2 needs"):
        aps.approval_decide(actor=world.user("deputy2"), request=big, approve=True)
    big = aps.approval_decide(actor=world.user("head"), request=big, approve=True)
    assert big.status == ApprovalStatus.APPROVED
    assert list(big.decisions.values_list("step", "actor__username")) == [
        (1, "deputy"),
        (2, "head"),
    ]


def test_a_channel_match_beats_any_channel_and_the_nearest_jurisdiction_decides(world):
    head = world.user("head")
    city_head = make_user("city_head", Role.HEAD, world.city)
    aps.chain_set(
        actor=city_head,
        jurisdiction=world.city,
        purpose="disposal",
        steps=[["head"]],
        name="City: head only",
    )
    aps.chain_set(
        actor=head,
        jurisdiction=world.district,
        purpose="disposal",
        channel="auction",
        steps=[["deputy"]],
        name="Auctions: a deputy",
    )
    aps.chain_set(
        actor=head,
        jurisdiction=world.district,
        purpose="disposal",
        min_amount=Decimal("500"),
        steps=[["deputy"], ["head"]],
        name="Any channel from 500",
    )

    def chain(channel, amount, j=world.district):
        c = aps.match_chain(
            jurisdiction=j, purpose="disposal", channel=channel, amount=Decimal(amount)
        )
        return c.name if c else None

    assert chain("auction", "1000") == "Auctions: a deputy"  # channel beats the higher threshold
    assert chain("lease", "1000") == "Any channel from 500"
    assert chain("lease", "499.99") == "City: head only"  # nothing matches in the district
    assert chain("lease", "1", world.other_district) == "City: head only"
    assert chain("lease", "1", world.province) is None  # the default applies


def test_chain_set_replaces_by_key_and_keeps_requests_under_way(world):
    head = world.user("head")
    c1 = aps.chain_set(actor=head, jurisdiction=world.district, purpose="review", steps=[["head"]])
    r = ask(world)
    before = approval_fingerprint()
    # While a request started under it is pending, the chain is not changed (named refusal).
    with pytest.raises(GateRefused) as exc:
        aps.chain_set(actor=head, jurisdiction=world.district, purpose="review", steps=[["deputy"]])
    assert exc.value.rule.code == "approval_chain_in_use" and exc.value.field == "steps"
    assert f"#{r.pk}" in exc.value.message_dict["steps"][0]
    assert approval_fingerprint() == before
    r = aps.approval_decide(actor=head, request=r, approve=True)
    c2 = aps.chain_set(
        actor=head,
        jurisdiction=world.district,
        purpose="review",
        steps=[["deputy"], ["head"]],
    )
    assert c1.pk == c2.pk and c2.version == 2 and c2.step_roles() == [["deputy"], ["head"]]
    r.refresh_from_db()
    assert r.steps == [["head"]]
    assert AuditEntry.objects.filter(action="approval_chain.set").count() == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"purpose": "nope"}, "purpose"),
        ({"steps": []}, "steps"),
        ({"steps": [[]]}, "steps"),
        ({"steps": [["auditor"]]}, "steps"),
        ({"steps": "head"}, "steps"),
        ({"purpose": "disposal", "steps": [["office"]]}, "steps"),
        ({"min_amount": "-1"}, "min_amount"),
        ({"min_amount": "lots"}, "min_amount"),
        ({"channel": "barter"}, "channel"),
    ],
)
def test_chain_set_names_the_bad_field(world, kwargs, field):
    args = {"purpose": "review", "steps": [["head"]], **kwargs}
    with pytest.raises(ValidationError) as exc:
        aps.chain_set(actor=world.user("head"), jurisdiction=world.district, **args)
    assert field in exc.value.message_dict


@pytest.mark.parametrize(
    "who", ["unit_officer", "finance", "auditor", "supervisor", "bidder", "outsider_head"]
)
def test_chain_set_is_for_the_task_force_of_the_jurisdiction(world, who):
    with pytest.raises(PermissionDenied):
        aps.chain_set(
            actor=world.user(who), jurisdiction=world.district, purpose="disposal", steps=[["head"]]
        )


def test_chain_delete_is_audited_and_requests_keep_the_name(world):
    c = aps.chain_set(
        actor=world.user("office"),
        jurisdiction=world.district,
        purpose="review",
        steps=[["head"]],
        name="Mine",
    )
    r = ask(world)
    with pytest.raises(PermissionDenied):
        aps.chain_delete(actor=world.user("auditor"), chain=c)
    with pytest.raises(GateRefused, match="approval_chain_in_use"):
        aps.chain_delete(actor=world.user("deputy"), chain=c)
    aps.approval_withdraw(actor=world.user("office"), request=r)
    aps.chain_delete(actor=world.user("deputy"), chain=c)
    r.refresh_from_db()
    assert r.chain is None and r.chain_name == "Mine" and r.steps == [["head"]]
    assert AuditEntry.objects.filter(action="approval_chain.delete").exists()


# --- requests and decisions -------------------------------------------------------------------


def test_one_request_in_progress_per_object_and_purpose(world):
    obj = target(world)
    r = ask(world, obj)
    with pytest.raises(ValidationError, match="already has"):
        ask(world, obj)
    other = ask(world, obj, purpose="disposal")  # another purpose is another question
    assert other.pk != r.pk
    aps.approval_decide(actor=world.user("head"), request=r, approve=False, comment="No")
    again = ask(world, obj)  # decided: a new one may start
    assert again.status == ApprovalStatus.PENDING
    # The database refuses a second pending one even when the service is bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalRequest.objects.create(
            content_type=again.content_type,
            object_id=again.object_id,
            object_repr="x",
            purpose="review",
            jurisdiction=world.district,
            steps=[["head"]],
            requested_by=world.user("office"),
        )


def test_requester_never_decides_and_no_one_decides_two_steps(world):
    legacy_chain(world, [["head", "deputy"], ["head"]])  # saved before the deadlock gate
    r = ask(world, who="deputy", amount="20000000")
    with pytest.raises(PermissionDenied, match="requester"):
        aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    # The only head taking step 1 would leave step 2 to nobody: refused, nothing written.
    before = approval_fingerprint()
    with pytest.raises(GateRefused) as exc:
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert exc.value.rule.code == "approval_chain_deadlock" and exc.value.field == "step"
    assert approval_fingerprint() == before
    head2 = make_user("head2", Role.HEAD, world.district)
    r = aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    with pytest.raises(PermissionDenied, match="already decided"):
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert r.current_step == 2 and r.status == ApprovalStatus.PENDING
    # Nobody else may decide a head-only step: the other head does.
    r = aps.approval_decide(actor=head2, request=r, approve=True)
    assert r.status == ApprovalStatus.APPROVED
    # And the database holds the rule even if the service were bypassed.
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalDecision.objects.create(request=r, step=3, actor=head2, outcome="approve")


@pytest.mark.parametrize(
    "who",
    [
        "office",
        "unit_officer",
        "finance",
        "auditor",
        "supervisor",
        "bidder",
        "norole",
        "outsider_head",
        "outsider_deputy",
    ],
)
def test_only_the_steps_roles_in_scope_decide(world, who):
    r = ask(world)
    before = (ApprovalDecision.objects.count(), AuditEntry.objects.count())
    with pytest.raises(PermissionDenied):
        aps.approval_decide(actor=world.user(who), request=r, approve=True)
    r.refresh_from_db()
    assert r.status == ApprovalStatus.PENDING and r.version == 1
    assert (ApprovalDecision.objects.count(), AuditEntry.objects.count()) == before


def test_a_rejection_needs_a_reason_and_ends_the_request(world):
    two_step_above_ten_million(world)
    r = ask(world, amount="20000000")
    with pytest.raises(ValidationError) as exc:
        aps.approval_decide(actor=world.user("deputy"), request=r, approve=False, comment="  ")
    assert "comment" in exc.value.message_dict
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=False, comment="Low")
    assert r.status == ApprovalStatus.REJECTED and r.current_step == 1
    with pytest.raises(ValidationError, match="rejected"):
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)


def test_version_mismatch_is_a_conflict(world):
    from panhuo.core.errors import Conflict

    r = ask(world)
    with pytest.raises(Conflict):
        aps.approval_decide(actor=world.user("head"), request=r, approve=True, version=7)


def test_handlers_run_inside_the_deciding_transaction(world):
    seen = []

    @on_decided("review")
    def _listener(*, request, decision):
        seen.append((request.status, decision.actor.username))
        if decision.comment == "explode":
            raise ValidationError({"comment": ["Handler refused."]})

    try:
        r = ask(world)
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
        r2 = ask(world)
        with pytest.raises(ValidationError, match="Handler refused"):
            aps.approval_decide(
                actor=world.user("deputy"), request=r2, approve=False, comment="explode"
            )
        r2.refresh_from_db()
        assert r2.status == ApprovalStatus.PENDING and not r2.decisions.exists()
    finally:
        from panhuo.approvals import registry

        registry._HANDLERS["review"] = [
            h for h in registry._HANDLERS["review"] if h is not _listener
        ]
    assert seen == [("approved", "head"), ("rejected", "deputy")]


def test_withdraw_by_requester_or_task_force_only(world):
    r = ask(world, who="finance")
    with pytest.raises(PermissionDenied):
        aps.approval_withdraw(actor=world.user("auditor"), request=r)
    r = aps.approval_withdraw(actor=world.user("finance"), request=r, reason="Changed my mind")
    assert r.status == ApprovalStatus.WITHDRAWN
    with pytest.raises(ValidationError):
        aps.approval_withdraw(actor=world.user("finance"), request=r)
    r = ask(world, who="finance")
    assert aps.approval_withdraw(actor=world.user("office"), request=r).status == "withdrawn"
    assert AuditEntry.objects.filter(action="approval.withdrawn").count() == 2


def test_a_disposal_request_follows_its_project(world):
    r = ask(world, purpose="disposal")
    with pytest.raises(ValidationError, match="follows"):
        aps.approval_withdraw(actor=world.user("office"), request=r)


@per_caller(["auditor", "supervisor", "bidder", "norole", "outsider_office"])
def test_request_needs_a_role_in_scope(world, who):
    with pytest.raises(PermissionDenied):
        ask(world, who=who)
    assert not ApprovalRequest.objects.exists()


def test_unit_officer_asks_for_their_own_unit(world):
    obj = target(world)
    with pytest.raises(PermissionDenied):
        ask(world, obj, who="unit_officer")
    r = aps.approval_request(
        actor=world.user("unit_officer"),
        obj=obj,
        purpose="review",
        jurisdiction=world.district,
        units=[world.unit.pk],
    )
    assert r.requested_by == world.user("unit_officer") and r.amount is None


def test_approval_status_is_the_latest_request(world):
    obj = target(world)
    assert aps.approval_status(obj, "review") is None
    r1 = ask(world, obj)
    aps.approval_decide(actor=world.user("head"), request=r1, approve=False, comment="no")
    r2 = ask(world, obj)
    assert aps.approval_status(obj, "review").pk == r2.pk
    assert aps.approval_status(obj, "disposal") is None


def test_every_write_is_audited_and_the_chain_verifies(world):
    two_step_above_ten_million(world)
    r = ask(world, amount="20000000")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True, comment="ok")
    aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    actions = list(
        AuditEntry.objects.filter(object_type="approvals.approvalrequest")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["approval.request", "approval.approve", "approval.approve"]
    last = AuditEntry.objects.filter(action="approval.approve").order_by("-seq").first()
    assert last.after["status"] == "approved" and last.after["step"] == 2
    assert audit_verify().ok


# --- delegations ------------------------------------------------------------------------------


def _away(w, frm="head", to="office", purposes=(), days=7):
    now = timezone.now()
    return aps.delegation_set(
        actor=w.user(frm),
        to_user=w.user(to),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=days),
        purposes=purposes,
        reason="Travelling",
    )


def test_a_delegate_decides_on_the_delegators_behalf(world):
    two_step_above_ten_million(world)
    r = ask(world, who="finance", amount="20000000")
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    office = world.user("office")
    assert [x.pk for x in inbox(office)] == []
    _away(world, "head", "office", purposes=["review"])
    assert [(x.pk, x.on_behalf_of) for x in inbox(office)] == [(r.pk, world.user("head"))]
    r = aps.approval_decide(actor=office, request=r, approve=True, comment="For the head")
    d = r.decisions.get(step=2)
    assert (d.actor, d.on_behalf_of) == (office, world.user("head"))
    assert r.status == ApprovalStatus.APPROVED


def test_delegation_limits(world):
    two_step_above_ten_million(world)
    office = world.user("office")
    d = _away(world, "head", "office", purposes=["disposal"])
    r = ask(world, who="finance", amount="20000000")
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    with pytest.raises(PermissionDenied):  # another purpose
        aps.approval_decide(actor=office, request=r, approve=True)
    aps.delegation_revoke(actor=world.user("head"), delegation=d)
    _away(world, "head", "office", purposes=[])
    # the head decided step 1 of this one: their delegate cannot decide step 2 for them
    legacy_chain(world, [["head", "deputy"], ["head"]], min_amount=Decimal("30000000"))
    make_user("head2", Role.HEAD, world.district)
    r2 = ask(world, who="finance", amount="30000000")
    aps.approval_decide(actor=world.user("head"), request=r2, approve=True)
    with pytest.raises(PermissionDenied, match="Step 2 needs"):
        aps.approval_decide(actor=office, request=r2, approve=True)
    # a delegation for a requester's own request does not help either
    r3 = ask(world, who="head")
    with pytest.raises(PermissionDenied):
        aps.approval_decide(actor=office, request=r3, approve=True)


def test_an_expired_or_future_delegation_does_nothing(world):
    now = timezone.now()
    aps.delegation_set(
        actor=world.user("head"),
        to_user=world.user("office"),
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=2),
    )
    r = ask(world, who="finance")
    with pytest.raises(PermissionDenied):
        aps.approval_decide(actor=world.user("office"), request=r, approve=True)


@pytest.mark.parametrize(
    ("frm", "to", "shift", "field"),
    [
        ("head", "head", 0, "to_user"),
        ("head", "auditor", 0, "to_user"),
        ("head", "outsider_office", 0, "to_user"),
        ("head", "office", -30, "ends_at"),
    ],
)
def test_delegation_set_refuses(world, frm, to, shift, field):
    now = timezone.now() + dt.timedelta(days=shift)
    with pytest.raises(ValidationError) as exc:
        aps.delegation_set(
            actor=world.user(frm),
            to_user=world.user(to),
            starts_at=now - dt.timedelta(days=1),
            ends_at=now + dt.timedelta(days=1),
        )
    assert field in exc.value.message_dict


def test_delegation_needs_aware_times_and_a_deciding_role(world):
    with pytest.raises(ValidationError) as exc:
        aps.delegation_set(
            actor=world.user("head"),
            to_user=world.user("office"),
            starts_at=dt.datetime(2026, 1, 1),
            ends_at=dt.datetime(2036, 1, 1),
        )
    assert {"starts_at", "ends_at"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        _away(world, "auditor", "office")


def test_only_the_delegator_revokes(world):
    d = _away(world)
    with pytest.raises(PermissionDenied):
        aps.delegation_revoke(actor=world.user("office"), delegation=d)
    d = aps.delegation_revoke(actor=world.user("head"), delegation=d)
    assert d.revoked_at is not None
    assert AuditEntry.objects.filter(action__startswith="delegation.").count() == 2
