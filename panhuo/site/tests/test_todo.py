"""The to-do list (dashboard) and the menu's badges: each role sees what it can clear, in its
own places, with a link to the list that shows the same rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from panhuo.approvals.models import Delegation
from panhuo.approvals.tests.support import ask, two_step_above_ten_million
from panhuo.core.tests.api_support import build_api_world
from panhuo.disposal.models import Channel, DisposalProject, ProjectStatus
from panhuo.disposal.selectors import overdue_count, overdue_for
from panhuo.finance import services as fs
from panhuo.organisation.models import User
from panhuo.register.import_models import ImportRun
from panhuo.site.todo import badges, todo_for

pytestmark = pytest.mark.django_db


def _counts(user) -> dict[str, int]:
    return {t.key: t.count for t in todo_for(user)}


@pytest.fixture
def aw(world):
    return build_api_world(world)


def test_finance_sees_receipts_to_allocate_until_allocated(aw):
    """4,000,000 received, 1,000,000 allocated: one receipt to allocate, until the rest is."""
    finance = aw.w.user("finance")
    assert _counts(finance)["receipts_to_allocate"] == 1
    (item,) = [t for t in todo_for(finance) if t.key == "receipts_to_allocate"]
    assert item.href == reverse("receipt-list") + "?unallocated_only=on"
    assert badges(todo_for(finance))["receipts"] == 1
    fs.allocation_create(actor=finance, receipt=aw.receipt, debt=aw.debt, amount="3000000.00")
    assert "receipts_to_allocate" not in _counts(finance)
    # Who cannot allocate is not asked to; the other district's finance sees none of ours.
    assert "receipts_to_allocate" not in _counts(aw.w.user("auditor"))
    assert "receipts_to_allocate" not in _counts(aw.w.user("outsider_finance"))


def test_deciders_see_their_approvals(aw):
    w = aw.w
    two_step_above_ten_million(w)
    ask(w, amount="100.00")
    assert _counts(w.user("head")).get("approvals") == 1
    assert "approvals" not in _counts(w.user("office"))  # asked for it, does not decide it
    assert "approvals" not in _counts(w.user("outsider_head"))


def test_overdue_projects_for_the_role_whose_step_is_next(aw):
    """A drafted project past its time limit waits for the office to submit it."""
    DisposalProject.objects.filter(pk=aw.project.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    assert _counts(aw.w.user("office")).get("overdue_projects") == 1
    assert "overdue_projects" not in _counts(aw.w.user("outsider_office"))


def test_failed_imports_are_the_owners_and_recent(aw):
    office = aw.w.user("office")
    run = ImportRun.objects.create(
        owner=office, target="assets", file_name="x.csv", file_sha256="0" * 64, file_size=10,
        stored_path="-", status=ImportRun.Status.FAILED,
    )  # fmt: skip
    assert _counts(office).get("failed_imports") == 1
    assert "failed_imports" not in _counts(aw.w.user("office2"))
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    assert "failed_imports" not in _counts(office)


def test_dashboard_lists_and_menu_counts(aw, client):
    client.force_login(aw.w.user("finance"))
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-todo="receipts_to_allocate"' in page
    assert f'href="{reverse("receipt-list")}?unallocated_only=on"' in page
    # Every page's menu carries the badge.
    other = client.get(reverse("debt-list")).content.decode()
    assert 'class="nav-badge"' in other
    # Nothing waiting: no list, no badge.
    client.force_login(aw.w.user("auditor"))
    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="todo"' not in page and 'class="nav-badge"' not in page


def test_the_office_is_asked_to_verify_its_pending_bidders(world):
    from panhuo.bidders.tests.factories import make_bidder

    make_bidder(world.user("bidder"), world.district)
    make_bidder(world.user("outsider_bidder"), world.other_district)
    (item,) = [t for t in todo_for(world.user("office")) if t.key == "bidders_to_verify"]
    assert item.count == 1 and item.href == reverse("bidder-list") + "?status=pending"
    # Readers who cannot verify are not asked to.
    assert "bidders_to_verify" not in _counts(world.user("head"))
    assert "bidders_to_verify" not in _counts(world.user("bidder"))


def test_the_overdue_badge_counts_what_the_overdue_list_shows(aw):
    """``overdue_count`` (the badge, one COUNT) equals ``len(overdue_for(...))`` for each role
    and place, whatever state and channel the late projects are in: the states to wait out, the
    closed, the ones whose next step is another role's, and a project not yet due."""
    w = aw.w
    people = ["head", "office", "finance", "unit_officer", "outsider_office"]
    late = timezone.localdate() - dt.timedelta(days=2)
    soon = timezone.localdate() + dt.timedelta(days=2)
    DisposalProject.objects.exclude(pk=aw.project.pk).update(due_on=soon)
    seen = set()
    for channel in (Channel.AUCTION, Channel.NEGOTIATED):
        for status in ProjectStatus.values:
            DisposalProject.objects.filter(pk=aw.project.pk).update(
                channel=channel, status=status, due_on=late, deal_price=1, buyer="B"
            )
            for who in people:
                user = w.user(who)
                n = overdue_count(user)
                assert n == len(overdue_for(user, mine=True)), (channel, status, who)
                seen.add(n)
    assert seen == {0, 1}  # both outcomes met


def test_the_badges_read_one_statement_per_item(aw, django_assert_max_num_queries):
    """Every page pays for the badges: the grants, one statement per item the person has, and
    for the approvals two (a delegation held? the pending requests; a delegate also reads the
    delegations, the delegator's grants and the requests' decisions), never the inbox's requests
    with their history (issue 11: 4-5 statements, then 2-3 more per page)."""
    w = aw.w
    two_step_above_ten_million(w)
    ask(w, amount="100.00")  # the office asks: the head decides, or office2 for the head
    now = timezone.now()
    Delegation.objects.create(from_user=w.user("head"), to_user=w.user("office2"),
                              starts_at=now, ends_at=now + dt.timedelta(days=1))  # fmt: skip
    for who, most, waiting in (("head", 4, 1), ("office", 6, None), ("office2", 9, 1)):
        user = User.objects.get(pk=w.user(who).pk)  # its grants not read yet, as on a page
        with django_assert_max_num_queries(most):
            items = todo_for(user)
        assert {t.key: t.count for t in items}.get("approvals") == waiting
