"""A users file imported again (issue 14's leftover): an existing username is the same person,
reported unchanged when the row says what they have, updated when it adds a name, an email or
a role, with a clear message per row for what cannot be done; never a failed file for usernames
that exist, never a new password, nothing half written.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from panhuo.core.tests.api_support import fingerprint
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import admin_users
from panhuo.organisation.models import Role, RoleAssignment, User
from panhuo.organisation.tests.site_admin_support import build_place
from panhuo.register.importing.report import shown_error
from panhuo.register.tests.test_org_import import USERS_CSV
from panhuo.register.tests.test_org_import import run as run_org_import


@pytest.fixture
def p(db):
    return build_place()


def run(p, text: str, commit: bool):
    return run_org_import(p, "users", text, commit=commit)


def test_the_same_file_again_is_unchanged_and_writes_nothing(p):
    first = run(p, USERS_CSV, commit=True)
    assert first.committed and first.new == 2
    passwords = {u.username: u.password for u in User.objects.all()}
    before, audited = fingerprint(), AuditEntry.objects.count()
    for commit in (False, True):
        again = run(p, USERS_CSV, commit=commit)
        assert (again.new, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
        assert not again.errors and not again.secrets
    assert fingerprint() == before and AuditEntry.objects.count() == audited
    assert {u.username: u.password for u in User.objects.all()} == passwords


def test_a_newer_file_updates_details_and_gives_new_roles(p):
    run(p, USERS_CSV, commit=True)
    newer = (
        "username,name,email,role,jurisdiction,unit\n"
        "LiuYang,刘洋,liu.yang@example.gov.cn,office,370102,\n"  # a new email (case ignored)
        "chenjing,陈静,,finance,370102,\n"  # a second role
        "wangfang,王芳,,auditor,370102,\n"  # a new user
    )
    dry = run(p, newer, commit=False)
    assert (dry.new, dry.updated, dry.unchanged, dry.rejected) == (1, 2, 0, 0), dry.errors
    assert User.objects.get(username="liuyang").email == "liuyang@example.gov.cn"
    done = run(p, newer, commit=True)
    assert done.committed and (done.new, done.updated) == (1, 2)
    assert set(done.secrets) == {"wangfang"}  # no new password for people who exist
    assert User.objects.get(username="liuyang").email == "liu.yang@example.gov.cn"
    roles = set(
        RoleAssignment.objects.current()
        .filter(user__username="chenjing")
        .values_list("role", flat=True)
    )
    assert roles == {Role.UNIT_OFFICER, Role.FINANCE}  # nothing taken away
    actions = list(AuditEntry.objects.order_by("-seq").values_list("action", flat=True)[:5])
    assert "user.update" in actions and "roleassignment.create" in actions
    # Once more: now unchanged.
    last = run(p, newer, commit=False)
    assert (last.updated, last.unchanged) == (0, 3)


@pytest.mark.parametrize(
    ("row", "words", "code"),
    [
        ("jinan_admin,已有,,office,370102,", "not one you administer", "user_not_administered"),
        ("lixia_admin,本人,,office,370102,", "your own account", "own_account"),
        ("lixia_head,区外,,office,370103,", None, ""),  # a role where the importer is not admin
        ("lixia_head,坏邮箱,not-an-email,head,370102,", "Enter a valid email address.", ""),
        ("deactivated,停用,,office,370102,", "deactivated", "user_deactivated"),
    ],
)
def test_an_existing_user_who_cannot_be_brought_to_the_row_is_a_named_row_error(
    p, row, words, code
):
    gone, _ = admin_users.user_create(
        actor=p.lixia_admin, username="deactivated",
        grants=[admin_users.Grant(Role.OFFICE, p.lixia)],
    )  # fmt: skip
    admin_users.user_deactivate(actor=p.lixia_admin, user=gone)
    text = USERS_CSV + row + "\n"
    before = fingerprint()
    for commit in (False, True):
        with translation.override("en"):
            report = run(p, text, commit=commit)
        assert [(e.row, e.column) for e in report.errors] == [(4, report.errors[0].column)]
        assert report.errors[0].column in {"username", "jurisdiction", "email"}
        if words:
            assert words in report.errors[0].message, report.errors
        assert not report.errors[0].message.startswith("["), report.errors  # no list repr
        assert not report.committed and report.rejected == 1
    assert fingerprint() == before  # all or nothing: the two good rows are not written either
    if code:  # stored as a message: read in each reader's language
        stored = report.errors[0].as_dict()
        assert stored["code"] == code
        with translation.override("zh-hans"):
            assert shown_error(stored)["message"] != report.errors[0].message
