"""The approval gates (issue 12 item 5): each named function at, below and above what it
judges, allowed and denied roles, refusals that name the rule, its article and the way through
in English and Chinese, and nothing written when they refuse."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.approvals import services as aps
from panhuo.approvals.models import ApprovalDecision, ApprovalRequest, ApprovalStatus
from panhuo.approvals.registry import PURPOSES, Purpose, register_purpose
from panhuo.approvals.services import gates
from panhuo.approvals.tests.support import approval_fingerprint, ask, legacy_chain, target
from panhuo.core.errors import Conflict
from panhuo.core.gates import GateRefused
from panhuo.core.testing import make_user
from panhuo.organisation.models import Role

pytestmark = pytest.mark.django_db

#: A purpose like the price exception, owned by no app: the head alone approves its last step,
#: and an approval document with its number must be on the record first.
register_purpose("strict", "Strict")
PURPOSES["strict"] = Purpose(
    "strict",
    "Strict",
    least_roles=frozenset({"head"}),
    default_steps=(("head",),),
    documents=("approval",),
)


def _codes(exc: GateRefused) -> tuple[str, str]:
    return exc.rule.code, exc.field


# --- chain_within_authority -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([["head"]], False),  # at the authority
        ([["deputy"], ["head"]], False),  # lower roles prepare; the head decides last
        ([["office", "deputy"], ["head"]], False),
        ([["head", "deputy"]], True),  # below: a deputy could decide the last step
        ([["head"], ["deputy"]], True),
        ([["deputy"]], True),
    ],
)
def test_chain_within_authority(steps, refused):
    if refused:
        with pytest.raises(GateRefused) as exc:
            gates.chain_within_authority(purpose="strict", channel="", steps=steps)
        assert _codes(exc.value) == ("approval_least_authority", "steps")
    else:
        gates.chain_within_authority(purpose="strict", channel="", steps=steps)


def test_a_weaker_chain_is_refused_when_saved_and_nothing_is_written(world):
    before = approval_fingerprint()
    with pytest.raises(GateRefused) as exc:
        aps.chain_set(
            actor=world.user("head"),
            jurisdiction=world.district,
            purpose="price_exception",
            steps=[["head", "deputy"]],
        )
    assert _codes(exc.value) == ("price_exception_authority", "steps")
    assert "Order 12 art. 13" in exc.value.message_dict["steps"][0]
    assert approval_fingerprint() == before
    # At the authority it is saved.
    chain = aps.chain_set(
        actor=world.user("head"),
        jurisdiction=world.district,
        purpose="price_exception",
        steps=[["deputy"], ["head"]],
    )
    assert chain.step_roles() == [["deputy"], ["head"]]


def test_the_default_price_exception_chain_is_the_head_alone(world):
    r = ask(world, purpose="price_exception")
    assert r.steps == [["head"]] and r.documents == ["approval"]
    with pytest.raises(PermissionDenied, match="Task-force head"):
        aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)


def test_a_negotiated_disposal_is_narrowed_to_the_head(world):
    """Any-channel disposal chains (head or deputy) apply to negotiated transfers too: the
    request's last step keeps only the head (Order 32 art. 31)."""
    obj = target(world)
    r = ask(world, obj, purpose="disposal", channel="negotiated")
    assert r.steps == [["head"]]
    auction = ask(world, target(world), purpose="disposal", channel="auction")
    assert auction.steps == [["head", "deputy"]]
    with pytest.raises(GateRefused) as exc:
        aps.chain_set(
            actor=world.user("head"),
            jurisdiction=world.district,
            purpose="disposal",
            channel="negotiated",
            steps=[["head", "deputy"]],
        )
    assert _codes(exc.value) == ("negotiated_transfer_authority", "steps")


# --- decider_has_authority (requests copied before the rule) --------------------------------


def test_the_reported_abuse_a_deputy_alone_cannot_approve_a_legacy_copy(world):
    """ "A deputy alone approved a relisting at 50 % of a 3,000,000 yuan appraisal": a request
    copied from a "head or deputy" chain is still the head's at its last step."""
    legacy_chain(world, [["head", "deputy"]], purpose="strict", min_amount=Decimal("0"))
    r = ask(world, purpose="strict", amount="1500000.00")
    assert r.steps == [["head"]]  # narrowed when it starts
    # A copy made before the rule (written directly) keeps the deputy in its steps...
    ApprovalRequest.objects.filter(pk=r.pk).update(steps=[["head", "deputy"]])
    r.refresh_from_db()
    before = approval_fingerprint()
    with pytest.raises(GateRefused) as exc:
        aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    assert _codes(exc.value) == ("approval_least_authority", "step")
    assert approval_fingerprint() == before
    # ...and the head's delegate acts in the head's name (recorded as such).
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    aps.delegation_set(
        actor=world.user("head"),
        to_user=world.user("deputy"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
    )
    from panhuo.core.testing import AssetFactory  # noqa: F401  (the record is an asset)

    _attach_approval(world, r)
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    d = r.decisions.get()
    assert (d.actor, d.on_behalf_of) == (world.user("deputy"), world.user("head"))
    assert gates.approved_by_least_authority(r)


def test_a_legacy_approval_by_a_deputy_does_not_count_as_the_heads(world):
    r = ask(world, purpose="strict")
    ApprovalRequest.objects.filter(pk=r.pk).update(
        status=ApprovalStatus.APPROVED, closed_at=r.created_at
    )
    r.refresh_from_db()
    ApprovalDecision.objects.create(
        request=r, step=1, actor=world.user("deputy"), outcome="approve"
    )
    assert not gates.approved_by_least_authority(r)
    ApprovalDecision.objects.filter(request=r).update(actor=world.user("head"))
    assert gates.approved_by_least_authority(r)


# --- chain_cannot_deadlock --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([["head", "deputy"], ["head"]], True),  # the reported chain
        ([["head"], ["head"]], True),
        ([["deputy"], ["office"], ["deputy"]], True),  # not only neighbours
        # Neither step's roles hold the other's, yet head at 1 and office at 2 strand step 3.
        ([["head", "deputy"], ["deputy", "office"], ["head", "office"]], True),
        ([["head", "deputy"], ["deputy", "head"]], False),  # two people, two roles: finishes
        ([["deputy"], ["head"]], False),
        ([["head", "deputy"], ["head", "finance"]], False),  # finance can take step 2
        ([["head"]], False),
    ],
)
def test_chain_cannot_deadlock(steps, refused):
    if refused:
        with pytest.raises(GateRefused) as exc:
            gates.chain_cannot_deadlock(steps)
        assert _codes(exc.value) == ("approval_chain_deadlock", "steps")
    else:
        gates.chain_cannot_deadlock(steps)


def test_the_reported_deadlock_is_refused_when_saved(world):
    before = approval_fingerprint()
    with pytest.raises(GateRefused) as exc:
        aps.chain_set(
            actor=world.user("head"),
            jurisdiction=world.district,
            purpose="disposal",
            steps=[["deputy", "head"], ["head"]],
        )
    text = exc.value.message_dict["steps"][0]
    assert "Step 2" in text and "step 1" in text and "To proceed" in text
    assert approval_fingerprint() == before


# --- decider_leaves_later_steps_open ------------------------------------------------------------


def test_the_only_head_may_not_take_step_one_of_a_legacy_deadlock(world):
    legacy_chain(world, [["head", "deputy"], ["head"]], min_amount=Decimal("0"))
    r = ask(world, amount="5")
    with pytest.raises(GateRefused) as exc:
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert _codes(exc.value) == ("approval_chain_deadlock", "step")
    # A deputy may (allowed), and the head then takes the last step.
    r = aps.approval_decide(actor=world.user("deputy"), request=r, approve=True)
    r = aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert r.status == ApprovalStatus.APPROVED
    # With a second head the first may take step one (nobody is stranded).
    make_user("head2", Role.HEAD, world.district)
    r2 = ask(world, amount="5")
    r2 = aps.approval_decide(actor=world.user("head"), request=r2, approve=True)
    assert r2.current_step == 2
    # Rejecting strands nobody: the only head may always send it back.
    r3 = ask(world, amount="5")
    r3 = aps.approval_decide(actor=world.user("head"), request=r3, approve=False, comment="No")
    assert r3.status == ApprovalStatus.REJECTED


# --- documents_present ---------------------------------------------------------------------------


def _attach_approval(world, r, number="Approval [2026] No. 3", kind="approval"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from panhuo.integrity.document_services import document_upload

    return document_upload(
        actor=world.user("office"),
        target=r.target,
        kind=kind,
        title=f"Written approval {kind} {number or 'none'}",
        number=number,
        file=SimpleUploadedFile("a.txt", b"Approved.\n"),
    )


def test_the_last_step_needs_its_approval_document_with_its_number(world):
    from panhuo.core.testing import AssetFactory
    from panhuo.integrity.document_registry import target_for_model

    r = ask(world, purpose="strict")
    if target_for_model(type(r.target)) is None:  # pragma: no cover - assets hold documents
        pytest.fail("assets hold documents")
    before = approval_fingerprint()
    with pytest.raises(GateRefused) as exc:
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert _codes(exc.value) == ("approval_document_required", "documents")
    assert approval_fingerprint() == before
    _attach_approval(world, r, kind="other")  # another kind: still missing
    with pytest.raises(GateRefused):
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    _attach_approval(world, r, number="")  # an approval without its number: still missing
    assert gates.missing_documents(r) == ["approval"]
    with pytest.raises(GateRefused):
        aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    _attach_approval(world, r)
    assert gates.missing_documents(r) == []
    r = aps.approval_decide(actor=world.user("head"), request=r, approve=True)
    assert r.status == ApprovalStatus.APPROVED
    # A rejection needs no document.
    r2 = aps.approval_request(
        actor=world.user("office"),
        obj=AssetFactory(unit=world.unit),
        purpose="strict",
        jurisdiction=world.district,
    )
    r2 = aps.approval_decide(actor=world.user("head"), request=r2, approve=False, comment="No")
    assert r2.status == ApprovalStatus.REJECTED


# --- chain_free_to_edit and deciding the same step twice ---------------------------------------


def test_two_deciders_of_the_same_step_one_conflicts_nothing_written(world):
    legacy_chain(world, [["head", "deputy"], ["head", "finance"]], min_amount=Decimal("0"))
    r = ask(world, amount="5")
    stale = ApprovalRequest.objects.get(pk=r.pk)
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True, step=1)
    before = approval_fingerprint()
    # The other officer read step 1 too: a conflict naming it, not a decision of step 2.
    with pytest.raises(Conflict, match="Step 1"):
        aps.approval_decide(actor=world.user("head"), request=stale, approve=True, step=1)
    with pytest.raises(Conflict):
        aps.approval_decide(
            actor=world.user("head"), request=stale, approve=True, version=stale.version
        )
    assert approval_fingerprint() == before


def test_the_api_answers_409_for_a_step_decided_meanwhile(world):
    from panhuo.core.tests.api_support import call, client_for

    r = ask(world, amount="5")  # default: head or deputy
    aps.approval_decide(actor=world.user("deputy"), request=r, approve=True, step=1)
    resp = call(
        client_for(world, "deputy2"),
        "post",
        f"/api/v1/approvals/{r.pk}/decision",
        {"approve": True, "step": 1},
    )
    assert resp.status_code in (400, 409)  # decided: 409 when read stale, 400 once closed
    assert resp.status_code != 500


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_the_same_step_at_once(world):
    """Two deputies press "approve" on step 1 at the same moment: one decision is written, the
    other gets a conflict (never a 500, never step 2 decided by mistake). On PostgreSQL they
    run in two threads (the row lock orders them); SQLite serialises writers, so there they
    run one after the other on the same stale object."""
    r = ask(world, amount="5")
    results: list[str] = []

    def decide(who):
        try:
            aps.approval_decide(actor=world.user(who), request=r, approve=True, step=1)
            results.append("ok")
        except (Conflict, PermissionDenied, ValidationError) as exc:
            results.append(type(exc).__name__)
        except Exception as exc:  # any other error is the failure looked for
            results.append(f"error {exc!r}")
        finally:
            if connection.vendor == "postgresql":
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=decide, args=(w,)) for w in ("deputy", "deputy2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        decide("deputy")
        decide("deputy2")
    assert sorted(results) == ["Conflict", "ok"] or sorted(results) == ["ValidationError", "ok"]
    assert ApprovalDecision.objects.filter(request=r).count() == 1


# --- refusals in English and Chinese ------------------------------------------------------------


def test_refusals_name_rule_article_and_way_through_in_both_languages():
    for lang, words in (("en", ("To proceed", "Order 12 art. 13")), ("zh-hans", ("第",))):
        with translation.override(lang):
            with pytest.raises(GateRefused) as exc:
                gates.chain_within_authority(
                    purpose="price_exception", channel="", steps=[["deputy"]]
                )
            text = exc.value.message_dict["steps"][0]
            assert exc.value.unblock
            for w in words:
                assert w in text, (lang, text)
            if lang == "zh-hans":
                assert "To proceed" not in text and "only" not in text


# --- the invariant: accepted chains never let a lower role decide, never deadlock ---------------

ROLES = ["head", "deputy", "office", "finance"]
chains = st.lists(
    st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True), min_size=1, max_size=4
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=chains, purpose=st.sampled_from(["strict", "review", "price_exception"]))
def test_accepted_chains_keep_the_authority_and_cannot_deadlock(steps, purpose):
    """Whatever chain_set's gates accept: the last step is decided only by the least
    authority, and for every assignment of one person per role (the hardest case: one head,
    one deputy ...), some order of distinct people finishes the chain."""
    try:
        gates.chain_within_authority(purpose=purpose, channel="", steps=steps)
        gates.chain_cannot_deadlock(steps)
    except GateRefused:
        return
    least = PURPOSES[purpose].least_for("")
    if least:
        assert set(steps[-1]) <= least

    # One holder per role: whatever holder takes a step, the later steps can still be taken
    # by people who took no step (a greedy walk over every choice).
    def finishable(i: int, used: frozenset[str]) -> bool:
        if i == len(steps):
            return True
        options = [r for r in steps[i] if r not in used]
        return bool(options) and all(finishable(i + 1, used | {r}) for r in options)

    assert finishable(0, frozenset())


def test_the_api_and_the_page_refuse_a_deadlocking_chain_naming_rule_and_field(world):
    from panhuo.core.tests.api_support import call, client_for

    before = approval_fingerprint()
    head = client_for(world, "head")
    body = {
        "jurisdiction": world.district.pk,
        "purpose": "disposal",
        "steps": [["deputy", "head"], ["head"]],
    }
    r = call(head, "post", "/api/v1/approval-chains", body)
    assert r.status_code == 400
    gate = r.json()["gate"]
    assert gate["rule"] == "approval_chain_deadlock" and gate["field"] == "steps"
    assert gate["unblock"] and "Separation of duties" in gate["source"]
    page = head.post(
        "/approvals/chains/new/",
        {
            "jurisdiction": world.district.pk,
            "purpose": "price_exception",
            "channel": "",
            "min_amount": "0",
            "step_1": ["head", "deputy"],
        },
    )
    assert page.status_code == 400 and "price_exception_authority" in page.content.decode()
    assert approval_fingerprint() == before
