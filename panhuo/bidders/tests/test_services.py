"""Registering bidders and the office's decisions: the services, their refusals (each naming the
field, nothing half written), the audit entries, and the selectors the auctions app reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from panhuo.bidders import services
from panhuo.bidders.models import Bidder, BidderStatus, DeclaredRelation
from panhuo.bidders.selectors import bidder_for, bidders_for, get_bidder_for, is_verified
from panhuo.bidders.tests.factories import company_details, id_number, make_bidder, person_details
from panhuo.core.testing import PASSWORD, build_world, make_user
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy
from panhuo.organisation.models import Role, RoleAssignment, User


@pytest.fixture
def w(db):
    return build_world()


def _signup(w, **overrides):
    data = {"username": "zhangwei", "password": "a-long-Pass-phrase-9", "email": "zw@example.cn",
            "jurisdiction": w.district.pk, **person_details(), **overrides}  # fmt: skip
    return services.self_register(**data)


def test_self_registration_makes_user_role_and_pending_bidder(w):
    b = _signup(w)
    assert b.status == BidderStatus.PENDING and b.jurisdiction == w.district
    user = User.objects.get(username="zhangwei")
    assert user.check_password("a-long-Pass-phrase-9") and not user.must_change_password
    ra = RoleAssignment.objects.get(user=user)
    # A bidder may bid anywhere: their role is held over the top of the tree.
    assert ra.role == Role.BIDDER and ra.jurisdiction == w.province
    actions = set(AuditEntry.objects.filter(actor=user).values_list("action", flat=True))
    assert actions == {"user.signup", "roleassignment.create", "bidder.register"}
    assert bidder_for(user) == b and not is_verified(user)


def test_company_registration(w):
    b = _signup(w, **company_details())
    assert b.kind == "company" and b.credit_code and b.id_number == ""


def test_every_wrong_field_named_and_nothing_written(w):
    with pytest.raises(ValidationError) as exc:
        _signup(w, username="", password="123", id_number="110105194912310021", phone="",
                jurisdiction="nope")  # fmt: skip
    errors = exc.value.message_dict
    assert set(errors) == {"username", "password", "id_number", "phone", "jurisdiction"}
    assert errors["id_number"] == ["Resident ID check digit does not match."]
    assert not User.objects.filter(username="").exists() and not Bidder.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="bidder.").exists()


def test_company_needs_its_code_and_the_code_is_checked(w):
    with pytest.raises(ValidationError) as exc:
        _signup(w, **company_details(credit_code="91350100M000100Y44"))
    assert exc.value.message_dict["credit_code"] == [
        "Unified social credit code check character does not match."
    ]
    with pytest.raises(ValidationError) as exc:
        _signup(w, **company_details(credit_code=""))
    assert "credit_code" in exc.value.message_dict


def test_one_number_one_bidder(w):
    number = id_number()
    _signup(w, id_number=number)
    with pytest.raises(ValidationError) as exc:
        _signup(w, username="other", id_number=number)
    assert "id_number" in exc.value.message_dict
    assert not User.objects.filter(username="other").exists()
    # The database holds it too.
    assert Bidder.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Bidder.objects.create(**{**person_details(id_number=number), "user": w.user("norole"),
                                 "jurisdiction": w.district})  # fmt: skip


def test_database_refuses_a_person_with_a_credit_code(w):
    with pytest.raises(IntegrityError), transaction.atomic():
        Bidder.objects.create(**{**person_details(credit_code="91350100M000100Y43"),
                                 "user": w.user("norole"), "jurisdiction": w.district})  # fmt: skip


def test_signed_in_user_registers_only_themself(w):
    norole = w.user("norole")
    with pytest.raises(policy.NotPermitted):
        services.register_bidder(actor=w.user("office"), user=norole, jurisdiction=w.district,
                                 **person_details())  # fmt: skip
    b = services.register_bidder(actor=norole, user=norole, jurisdiction=w.district,
                                 **person_details())  # fmt: skip
    assert RoleAssignment.objects.get(user=norole).role == Role.BIDDER
    with pytest.raises(ValidationError) as exc:
        services.register_bidder(actor=norole, user=norole, jurisdiction=w.district,
                                 **person_details())  # fmt: skip
    assert "user" in exc.value.message_dict
    assert bidder_for(norole) == b


@pytest.mark.parametrize("who", ["office"])
def test_office_of_the_place_verifies(w, who):
    b = make_bidder(w.user("bidder"), w.district)
    b = services.bidder_transition(w.user(who), b, "verified")
    assert b.status == BidderStatus.VERIFIED and b.decided_by == w.user(who)
    assert is_verified(w.user("bidder"))
    assert AuditEntry.objects.filter(action="bidder.verify", object_id=str(b.pk)).exists()


@pytest.mark.parametrize(
    "who", ["head", "deputy", "unit_officer", "finance", "auditor", "supervisor", "norole",
            "outsider_office", "bidder"],
)  # fmt: skip
def test_others_may_not_verify(w, who):
    b = make_bidder(w.user("bidder"), w.district)
    with pytest.raises(policy.NotPermitted):
        services.bidder_transition(w.user(who), b, "verified")
    b.refresh_from_db()
    assert b.status == BidderStatus.PENDING


def test_state_machine_refuses_unknown_and_impossible_steps(w):
    office = w.user("office")
    b = make_bidder(w.user("bidder"), w.district)
    with pytest.raises(ValidationError) as exc:
        services.bidder_transition(office, b, "suspended", "x")
    assert "to" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.bidder_transition(office, b, "nonsense")
    with pytest.raises(ValidationError) as exc:
        services.bidder_transition(office, b, "rejected")
    assert "reason" in exc.value.message_dict
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.bidder_transition(office, b, "rejected")
    assert exc.value.message_dict["reason"] == ["请填写理由（竞买人可见）。"]


def test_rejected_bidder_corrects_and_asks_again_then_is_suspended_and_reinstated(w):
    office, user = w.user("office"), w.user("bidder")
    b = make_bidder(user, w.district, status="rejected", office=office)
    assert b.reason == "test"
    b = services.bidder_update(actor=user, bidder=b, name="张伟伟")
    with pytest.raises(policy.NotPermitted):
        services.bidder_transition(office, b, "pending")
    b = services.bidder_transition(user, b, "pending")
    b = services.bidder_transition(office, b, "verified")
    with pytest.raises(ValidationError):  # verified: no longer editable
        services.bidder_update(actor=user, bidder=b, name="Another")
    b = services.bidder_transition(office, b, "suspended", "Broke the rules")
    assert not is_verified(user)
    b = services.bidder_transition(office, b, "verified", "Cleared")
    assert is_verified(user) and b.name == "张伟伟"


def test_relations_editable_until_verified(w):
    office, user = w.user("office"), w.user("bidder")
    b = make_bidder(user, w.district)
    r = services.relation_add(actor=user, bidder=b, kind="relative", who="李四, 住建局副局长",
                              unit=w.unit.pk)  # fmt: skip
    assert r.unit == w.unit
    with pytest.raises(ValidationError) as exc:
        services.relation_add(actor=user, bidder=b, kind="cousin", who="", unit="x")
    assert set(exc.value.message_dict) == {"kind", "who", "unit"}
    with pytest.raises(policy.NotPermitted):
        services.relation_add(actor=office, bidder=b, kind="employee", who="X")
    services.bidder_transition(office, b, "verified")
    with pytest.raises(ValidationError):
        services.relation_remove(actor=user, relation=r)
    assert DeclaredRelation.objects.filter(pk=r.pk).exists()
    assert AuditEntry.objects.filter(action="bidder.relation_add").count() == 1


def test_office_reads_only_bidders_of_its_place(w):
    mine = make_bidder(w.user("bidder"), w.district)
    theirs = make_bidder(w.user("outsider_bidder"), w.other_district)
    assert set(bidders_for(w.user("office"))) == {mine}
    assert set(bidders_for(w.user("supervisor"))) == {mine, theirs}  # the city's supervisor
    with pytest.raises(Bidder.DoesNotExist):
        get_bidder_for(w.user("office"), theirs.pk)
    for who in ("bidder", "unit_officer", "norole"):
        assert not bidders_for(w.user(who)).exists()


def test_selectors_for_anonymous_and_staff(w):
    from django.contrib.auth.models import AnonymousUser

    assert bidder_for(AnonymousUser()) is None and not is_verified(AnonymousUser())
    assert bidder_for(w.user("office")) is None and not is_verified(None)
    staff = make_user("staffer", Role.OFFICE, w.district)
    assert staff.check_password(PASSWORD)
