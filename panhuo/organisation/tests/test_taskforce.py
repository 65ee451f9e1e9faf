"""The task force as a record: founding document, members over time, and the role assignments
that follow them; the page and the API for every role (allowed and denied)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.core.testing import build_world, make_user
from panhuo.core.tests.api_support import call
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import policy
from panhuo.organisation import taskforce as tf
from panhuo.organisation.models import Role, RoleAssignment, TaskForce, TaskForceMember

API = "/api/v1/taskforce"
VIEWERS = {"head", "deputy", "office", "finance", "auditor", "supervisor", "siteadmin"}
MANAGERS = {"head", "siteadmin"}
NOT_VIEWERS = {"unit_officer", "bidder", "norole"}


@pytest.fixture
def w(db):
    world = build_world()
    world.users["siteadmin"] = make_user("siteadmin", Role.SITE_ADMIN, world.district)
    world.users["newcomer"] = make_user("newcomer", Role.UNIT_OFFICER, world.district, world.unit)
    return world


@pytest.fixture
def force(w):
    return TaskForce.objects.get(jurisdiction=w.district)


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def join(w, force, who="newcomer", position="staff", actor="siteadmin", **kw):
    return tf.member_join(
        actor=w.user(actor),
        task_force=force,
        user=w.user(who),
        position=position,
        seconded_from=kw.pop("seconded_from", "finance"),
        **kw,
    )


def current_roles(user, place):
    return set(
        RoleAssignment.objects.current()
        .filter(user=user, jurisdiction=place)
        .values_list("role", flat=True)
    )


# --- Services ----------------------------------------------------------------------------------


def test_join_starts_the_role_of_the_position_and_leave_ends_it(w, force):
    newcomer = w.user("newcomer")
    member = join(w, force, joined_on=dt.date(2025, 2, 1))
    assert member.assignment is not None
    assert Role.OFFICE in current_roles(newcomer, w.district)
    assert AuditEntry.objects.filter(action="taskforcemember.create").count() == 1
    assert AuditEntry.objects.filter(action="roleassignment.create").count() == 1

    tf.member_leave(actor=w.user("siteadmin"), member=member, left_on=dt.date(2025, 6, 1))
    member.refresh_from_db()
    assert member.left_on == dt.date(2025, 6, 1)
    assert Role.OFFICE not in current_roles(newcomer, w.district)
    # History kept: the membership and the ended assignment are both still there.
    assert RoleAssignment.objects.get(pk=member.assignment_id).ended_at is not None
    assert TaskForceMember.objects.filter(user=newcomer).count() == 1
    # The unit officer role they held before is untouched.
    assert Role.UNIT_OFFICER in current_roles(newcomer, w.district)


def test_a_role_already_held_is_not_started_again_nor_ended_on_leaving(w, force):
    member = join(w, force, who="deputy2", position="deputy", actor="head")
    assert member.assignment is None
    tf.member_leave(actor=w.user("head"), member=member)
    assert Role.DEPUTY in current_roles(w.user("deputy2"), w.district)


def test_a_change_of_position_closes_one_membership_and_opens_the_next(w, force):
    member = join(w, force, joined_on=dt.date(2025, 2, 1))
    newer = tf.member_change_position(
        actor=w.user("head"), member=member, position="deputy", on=dt.date(2025, 9, 1)
    )
    member.refresh_from_db()
    assert member.left_on == dt.date(2025, 9, 1) and newer.left_on is None
    assert newer.joined_on == dt.date(2025, 9, 1) and newer.seconded_from == "finance"
    roles = current_roles(w.user("newcomer"), w.district)
    assert Role.DEPUTY in roles and Role.OFFICE not in roles
    assert [m.position for m in tf.members_of(force)] == ["staff", "deputy"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"position": "chairman"}, "position"),
        ({"seconded_from": "police"}, "seconded_from"),
        ({"joined_on": timezone.localdate() + dt.timedelta(days=3)}, "joined_on"),
        ({"who": "outsider_office"}, "user"),
    ],
)
def test_bad_input_to_join_is_named_and_writes_nothing(w, force, kwargs, field):
    before = (TaskForceMember.objects.count(), RoleAssignment.objects.count())
    with pytest.raises(ValidationError) as exc:
        join(w, force, **kwargs)
    assert field in exc.value.message_dict
    assert (TaskForceMember.objects.count(), RoleAssignment.objects.count()) == before


def test_one_open_membership_and_leaving_before_joining_refused(w, force):
    member = join(w, force, joined_on=dt.date(2025, 2, 1))
    with pytest.raises(ValidationError) as exc:
        join(w, force)
    assert "user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tf.member_leave(actor=w.user("head"), member=member, left_on=dt.date(2025, 1, 1))
    assert "left_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        tf.member_change_position(actor=w.user("head"), member=member, position="staff")
    assert "position" in exc.value.message_dict
    tf.member_leave(actor=w.user("head"), member=member)
    with pytest.raises(ValidationError) as exc:
        tf.member_leave(actor=w.user("head"), member=member)
    assert "member" in exc.value.message_dict
    # The database holds the invariants too.
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskForceMember.objects.create(
            task_force=force, user=w.user("office"), position="staff", seconded_from="tax",
            joined_on=dt.date(2025, 3, 1), left_on=dt.date(2025, 2, 1),
        )  # fmt: skip


@pytest.mark.parametrize("who", ["deputy", "office", "finance", "auditor", "supervisor"])
def test_only_the_head_and_the_site_administrator_keep_the_task_force(w, force, who):
    with pytest.raises(policy.NotPermitted):
        join(w, force, actor=who)
    with pytest.raises(policy.NotPermitted):
        tf.taskforce_set(
            actor=w.user(who), jurisdiction=w.district, name="X", established_on=dt.date(2025, 1, 1)
        )
    member = join(w, force)
    with pytest.raises(policy.NotPermitted):
        tf.member_leave(actor=w.user(who), member=member)


def test_outsiders_and_oneself_are_refused(w, force):
    with pytest.raises(policy.NotPermitted):
        join(w, force, actor="outsider_head")
    with pytest.raises(policy.NotPermitted):
        join(w, force, who="head", position="head", actor="head")


def test_taskforce_set_founds_and_corrects_with_named_errors(w):
    with pytest.raises(ValidationError) as exc:
        tf.taskforce_set(
            actor=w.user("outsider_head"), jurisdiction=w.other_district, name="",
            document_number="x" * 101, established_on=None,
        )  # fmt: skip
    assert set(exc.value.message_dict) == {"name", "document_number", "established_on"}
    made = tf.taskforce_set(
        actor=w.user("outsider_head"), jurisdiction=w.other_district, name="B 专班",
        document_number="B区政府办〔2025〕3号", established_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    again = tf.taskforce_set(
        actor=w.user("outsider_head"), jurisdiction=w.other_district, name="B 专班",
        document_number="B区政府办〔2025〕4号", established_on=dt.date(2025, 4, 1),
    )  # fmt: skip
    assert again.pk == made.pk and again.document_number.endswith("4号")
    assert AuditEntry.objects.filter(action="taskforce.update").count() == 1


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_members_now_and_past_to_every_viewer(w, force):
    past = join(w, force, joined_on=dt.date(2025, 2, 1))
    tf.member_leave(actor=w.user("head"), member=past)
    join(w, force, who="deputy2", position="deputy", actor="head")
    url = reverse("taskforce")
    for name in VIEWERS:
        response = client(w.user(name)).get(url)
        assert response.status_code == 200, name
        text = response.content.decode()
        assert "deputy2" in text and "newcomer" in text, name
        assert ('name="join"' in text) == (name in MANAGERS), name
    for name in NOT_VIEWERS:
        assert client(w.user(name)).get(url).status_code == 403, name
    assert Client().get(url).status_code == 302
    # District B's head does not see district A's task force.
    outsider = client(w.user("outsider_head"))
    assert outsider.get(url + f"?jurisdiction={w.district.pk}").status_code == 404
    head = client(w.user("head"))
    for bad in ("x", "-1", "9" * 30):
        assert head.get(url + f"?jurisdiction={bad}").status_code == 404, bad


def test_the_page_adds_a_member_for_managers_only(w, force):
    url = reverse("taskforce") + f"?jurisdiction={w.district.pk}"
    form = {
        "join": "1",
        "user": w.user("newcomer").pk,
        "position": "staff",
        "seconded_from": "tax",
        "joined_on": "2025-03-01",
    }
    for name in ("deputy", "office", "auditor", "supervisor"):
        assert client(w.user(name)).post(url, form).status_code == 403, name
    assert not TaskForceMember.objects.exists()
    bad = client(w.user("head")).post(url, {**form, "seconded_from": "police"})
    assert bad.status_code == 400
    response = client(w.user("head")).post(url, form)
    assert response.status_code == 302
    member = TaskForceMember.objects.get()
    assert member.seconded_from == "tax" and member.assignment is not None
    leave = {"leave": "1", "member": member.pk, "left_on": "2025-02-01"}
    assert client(w.user("siteadmin")).post(url, leave).status_code == 400
    leave["left_on"] = "2025-05-01"
    assert client(w.user("siteadmin")).post(url, leave).status_code == 302
    member.refresh_from_db()
    assert member.left_on == dt.date(2025, 5, 1)


# --- The API -----------------------------------------------------------------------------------


def test_the_api_reads_for_viewers_and_writes_for_managers(w, force):
    for name in VIEWERS:
        response = client(w.user(name)).get(API)
        assert response.status_code == 200, name
        assert force.pk in [t["id"] for t in response.json()], name
    for name in NOT_VIEWERS:
        assert client(w.user(name)).get(API).status_code == 403, name
    assert Client().get(API).status_code == 401
    outsider = client(w.user("outsider_head")).get(API).json()
    assert force.pk not in [t["id"] for t in outsider]

    body = {
        "task_force": force.pk,
        "user": w.user("newcomer").pk,
        "position": "office_director",
        "seconded_from": "audit",
    }
    for name in ("deputy", "office", "finance", "auditor", "supervisor"):
        assert call(client(w.user(name)), "POST", f"{API}/members", body).status_code == 403
    assert call(client(w.user("outsider_head")), "POST", f"{API}/members", body).status_code == 404
    made = call(client(w.user("head")), "POST", f"{API}/members", body)
    assert made.status_code == 201, made.content
    member_id = made.json()["id"]
    again = call(client(w.user("head")), "POST", f"{API}/members", body)
    assert again.status_code == 400 and "user" in again.json()["errors"]

    moved = call(
        client(w.user("siteadmin")), "POST", f"{API}/members/{member_id}/position",
        {"position": "deputy"},
    )  # fmt: skip
    assert moved.status_code == 200, moved.content
    assert moved.json()["position"] == "deputy" and moved.json()["current"]
    new_id = moved.json()["id"]
    refused = call(client(w.user("office")), "POST", f"{API}/members/{new_id}/leave", {})
    assert refused.status_code == 403
    left = call(client(w.user("head")), "POST", f"{API}/members/{new_id}/leave", {})
    assert left.status_code == 200 and left.json()["left_on"] is not None
    assert Role.DEPUTY not in current_roles(w.user("newcomer"), w.district)

    found = call(
        client(w.user("head")), "POST", API,
        {"jurisdiction": w.district.pk, "name": "A 专班", "document_number": "A〔2025〕1号",
         "established_on": "2025-01-06"},
    )  # fmt: skip
    assert found.status_code == 200 and found.json()["document_number"] == "A〔2025〕1号"
    refused = call(
        client(w.user("deputy")), "POST", API,
        {"jurisdiction": w.district.pk, "name": "X", "established_on": "2025-01-06"},
    )  # fmt: skip
    assert refused.status_code == 403
