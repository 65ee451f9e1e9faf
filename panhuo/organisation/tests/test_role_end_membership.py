"""Ending a user's role from the user pages ends the task-force membership that stood on it
(issue 14's leftover): a member whose role the site administrator ends is no longer listed as a
member, the membership is closed today (its history kept) and the closing is audited, in the
same transaction as the role's end. A role the membership did not stand on leaves it open."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panhuo.core.testing import build_world, make_user
from panhuo.integrity.models import AuditEntry
from panhuo.integrity.reconcile import reconcile
from panhuo.organisation import admin_users as au
from panhuo.organisation import taskforce as tf
from panhuo.organisation.models import Role, RoleAssignment, TaskForce, TaskForceMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = build_world()
    world.users["siteadmin"] = make_user("siteadmin", Role.SITE_ADMIN, world.district)
    world.users["newcomer"] = make_user("newcomer", Role.UNIT_OFFICER, world.district, world.unit)
    return world


def _join(w, who: str, position: str = "staff") -> TaskForceMember:
    force = TaskForce.objects.get(jurisdiction=w.district)
    return tf.member_join(actor=w.user("siteadmin"), task_force=force, user=w.user(who),
                          position=position, seconded_from="finance")  # fmt: skip


def _left(member: TaskForceMember) -> bool:
    member.refresh_from_db()
    return member.left_on == timezone.localdate()


def _leave_entries(member: TaskForceMember):
    return AuditEntry.objects.filter(action="taskforcemember.leave", object_id=str(member.pk))


def test_ending_the_role_from_the_user_page_closes_the_membership(w):
    member = _join(w, "newcomer")
    page = Client()
    page.force_login(w.user("siteadmin"))
    url = reverse("admin-role-end", args=[w.user("newcomer").pk, member.assignment_id])
    assert page.post(url).status_code == 302
    assert RoleAssignment.objects.get(pk=member.assignment_id).ended_at is not None
    assert _left(member)
    entry = _leave_entries(member).get()
    assert entry.actor_id == w.user("siteadmin").pk
    assert entry.after["left_on"] == timezone.localdate().isoformat()
    # The task force lists them no more; the closed membership stays as history.
    assert not tf.members_of(member.task_force).filter(user=w.user("newcomer"), left_on=None)
    assert TaskForceMember.objects.filter(pk=member.pk).exists()
    # The role's end is replayed from its audit like any other (the world's own rows are
    # not audited, so only this assignment is looked at).
    ended = str(member.assignment_id)
    assert not [d for d in reconcile().differences if d.object_id == ended]


def test_ending_it_through_the_api_closes_it_too(w):
    member = _join(w, "newcomer", "deputy")
    api = Client()
    api.force_login(w.user("siteadmin"))
    url = f"/api/v1/organisation/users/{w.user('newcomer').pk}/roles/{member.assignment_id}/end"
    assert api.post(url).status_code == 200
    assert _left(member) and _leave_entries(member).count() == 1


def test_a_member_who_held_the_role_before_joining_leaves_when_it_ends(w):
    office = w.user("office")  # holds the office role already: the membership starts none
    member = _join(w, "office", "office_director")
    assert member.assignment_id is None
    held = RoleAssignment.objects.current().get(user=office, role=Role.OFFICE)
    au.role_end(actor=w.user("siteadmin"), assignment=held)
    assert _left(member) and _leave_entries(member).count() == 1


def test_another_role_leaves_the_membership_open(w):
    member = _join(w, "newcomer")
    other = au.role_assign(actor=w.user("siteadmin"), user=w.user("newcomer"),
                           grant=au.Grant(Role.FINANCE, w.district))  # fmt: skip
    au.role_end(actor=w.user("siteadmin"), assignment=other)
    member.refresh_from_db()
    assert member.left_on is None and not _leave_entries(member).exists()
    # A second office role over the place: ending the one the membership did not start
    # leaves it open; ending its own closes it.
    unit_role = RoleAssignment.objects.current().get(user=w.user("newcomer"),
                                                     role=Role.UNIT_OFFICER)  # fmt: skip
    au.role_end(actor=w.user("siteadmin"), assignment=unit_role)
    member.refresh_from_db()
    assert member.left_on is None


def test_a_refused_end_closes_nothing(w):
    member = _join(w, "newcomer")
    ra = RoleAssignment.objects.get(pk=member.assignment_id)
    au.role_end(actor=w.user("siteadmin"), assignment=ra)
    with pytest.raises(Exception, match="already ended"):
        au.role_end(actor=w.user("siteadmin"), assignment=ra)
    assert _leave_entries(member).count() == 1
