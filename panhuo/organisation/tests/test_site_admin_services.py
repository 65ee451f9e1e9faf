"""The site administrator's services (admin_places.py, admin_users.py): what they may do over
their jurisdictions, what they are refused, and bad input named by field with nothing written."""

import pytest
from django.core.exceptions import ValidationError

from panhuo.core.tests.api_support import fingerprint
from panhuo.integrity.models import AuditEntry
from panhuo.organisation import admin_places as ap
from panhuo.organisation import admin_users as au
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, Unit, User
from panhuo.organisation.tests.site_admin_support import (
    LIXIA_CENTRE,
    LIXIA_FREE,
    SHIZHONG_FREE,
    build_place,
)


@pytest.fixture
def p(db):
    return build_place()


def refused_with(fields, write):
    """``write`` raises a ValidationError naming exactly ``fields``, and nothing changed."""
    before = fingerprint()
    with pytest.raises(ValidationError) as refused:
        write()
    assert set(refused.value.message_dict) == set(fields), refused.value.message_dict
    assert fingerprint() == before
    return refused.value.message_dict


def not_permitted(write):
    before = fingerprint()
    with pytest.raises(policy.NotPermitted):
        write()
    assert fingerprint() == before


# --- Jurisdictions ------------------------------------------------------------------------------


def test_a_site_administrator_adds_and_edits_a_jurisdiction_under_theirs(p):
    j = ap.jurisdiction_create(
        actor=p.admin, code="370104", name="槐荫区", name_en="Huaiyin", parent=p.jinan
    )
    assert (j.level, j.parent, j.path.startswith(p.jinan.path)) == ("district", p.jinan, True)
    ap.jurisdiction_update(actor=p.admin, jurisdiction=j, changes={"name_en": "Huaiyin District"})
    j.refresh_from_db()
    assert j.name_en == "Huaiyin District"
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["jurisdiction.create", "jurisdiction.update"]
    assert AuditEntry.objects.order_by("seq").last().after == {"name_en": "Huaiyin District"}


@pytest.mark.parametrize(
    ("code", "level", "field"),
    [
        ("37010", "", "code"),  # five digits
        ("990102", "", "code"),  # no province 99
        ("370201", "", "code"),  # Qingdao's district under Jinan: prefix 3701 expected
        ("370102", "", "code"),  # exists
        ("370200", "", "parent"),  # a city under a city
        ("370105", "city", "level"),  # the code says district
    ],
)
def test_bad_division_codes_are_named_and_nothing_is_written(p, code, level, field):
    refused_with(
        {field},
        lambda: ap.jurisdiction_create(
            actor=p.admin, code=code, name="X", parent=p.jinan, level=level
        ),
    )


def test_a_new_code_must_agree_with_the_children(p):
    refused_with(
        {"code"},
        lambda: ap.jurisdiction_update(
            actor=p.admin, jurisdiction=p.jinan, changes={"code": "370200"}
        ),
    )


def test_outside_their_jurisdiction_or_without_the_role_is_refused(p):
    not_permitted(
        lambda: ap.jurisdiction_create(actor=p.lixia_admin, code="370104", name="X", parent=p.jinan)
    )
    not_permitted(
        lambda: ap.jurisdiction_create(actor=p.lixia_head, code="370104", name="X", parent=p.jinan)
    )
    not_permitted(
        lambda: ap.jurisdiction_update(
            actor=p.lixia_admin, jurisdiction=p.shizhong, changes={"name": "Y"}
        )
    )


# --- Units --------------------------------------------------------------------------------------


def test_a_site_administrator_adds_and_edits_a_unit(p):
    unit = ap.unit_create(
        actor=p.admin, credit_code=LIXIA_FREE.lower(), name="新中心", kind="institution",
        jurisdiction=p.lixia, supervisor=p.organ,
    )  # fmt: skip
    assert (unit.credit_code, unit.code, unit.supervisor) == (LIXIA_FREE, LIXIA_FREE, p.organ)
    ap.unit_update(actor=p.lixia_admin, unit=unit, changes={"name_en": "New centre"})
    unit.refresh_from_db()
    assert unit.name_en == "New centre"
    assert AuditEntry.objects.filter(action__in=["unit.create", "unit.update"]).count() == 2


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"credit_code": "12370102495214704X"}, {"credit_code"}),  # wrong check character
        ({"credit_code": "1237010249521470"}, {"credit_code"}),  # too short
        ({"credit_code": LIXIA_CENTRE}, {"credit_code"}),  # taken
        ({"credit_code": SHIZHONG_FREE}, {"jurisdiction"}),  # registered in Shizhong
        ({"kind": "company"}, {"kind"}),
        ({"name": " "}, {"name"}),
    ],
)
def test_bad_units_are_named_and_nothing_is_written(p, changes, fields):
    data = dict(credit_code=LIXIA_FREE, name="新中心", kind="institution", jurisdiction=p.lixia)
    data.update(changes)
    refused_with(fields, lambda: ap.unit_create(actor=p.admin, **data))


def test_the_supervising_department_is_an_organ_there_or_above_and_no_circle(p):
    data = dict(credit_code=LIXIA_FREE, name="新中心", kind="institution", jurisdiction=p.lixia)
    refused_with({"supervisor"}, lambda: ap.unit_create(actor=p.admin, supervisor=p.centre, **data))
    refused_with(
        {"supervisor"}, lambda: ap.unit_create(actor=p.admin, supervisor=p.shizhong_organ, **data)
    )
    refused_with(
        {"supervisor"},
        lambda: ap.unit_update(actor=p.admin, unit=p.organ, changes={"supervisor": p.organ}),
    )
    refused_with(
        {"jurisdiction"},
        lambda: ap.unit_update(actor=p.admin, unit=p.organ, changes={"jurisdiction": p.shizhong}),
    )


def test_units_outside_their_jurisdiction_are_refused(p):
    not_permitted(
        lambda: ap.unit_create(
            actor=p.lixia_admin,
            credit_code=SHIZHONG_FREE,
            name="X",
            kind="department",
            jurisdiction=p.shizhong,
        )
    )
    not_permitted(
        lambda: ap.unit_update(actor=p.lixia_admin, unit=p.shizhong_organ, changes={"name": "Y"})
    )


# --- Users and roles ----------------------------------------------------------------------------


def test_a_user_is_created_with_a_role_and_a_generated_password_to_change(p):
    user, password = au.user_create(
        actor=p.admin, username="zhouqi", first_name="周琦", language="zh-hans",
        grants=[au.Grant(Role.OFFICE, jurisdiction=p.lixia)],
    )  # fmt: skip
    assert user.check_password(password) and user.must_change_password
    assert [a.role for a in user.assignments.all()] == [Role.OFFICE]
    entry = AuditEntry.objects.get(action="user.create")
    assert "password" not in entry.after and entry.after["username"] == "zhouqi"


@pytest.mark.parametrize(
    ("username", "grants", "fields"),
    [
        ("LIXIA_HEAD", "office", {"username"}),  # taken, whatever the case
        ("new one", "office", {"username"}),  # a space
        ("newone", None, {"roles"}),
        ("newone", "unit_officer", {"unit"}),  # a unit officer without a unit
    ],
)
def test_bad_users_are_named_and_nothing_is_written(p, username, grants, fields):
    grant_list = [] if grants is None else [au.Grant(grants, jurisdiction=p.lixia)]
    refused_with(
        fields, lambda: au.user_create(actor=p.admin, username=username, grants=grant_list)
    )


def test_deactivate_and_reset_keep_the_user(p):
    au.user_deactivate(actor=p.admin, user=p.lixia_head)
    password = au.user_password_reset(actor=p.admin, user=p.lixia_head)
    head = User.objects.get(pk=p.lixia_head.pk)
    assert not head.is_active and head.must_change_password and head.check_password(password)
    assert policy.grants(head) == []
    refused_with({"is_active"}, lambda: au.user_deactivate(actor=p.admin, user=head))
    au.user_reactivate(actor=p.admin, user=head)
    head.refresh_from_db()
    assert head.is_active and [g.role for g in policy.grants(head)] == [Role.HEAD]
    refused_with({"is_active"}, lambda: au.user_reactivate(actor=p.admin, user=head))
    not_permitted(lambda: au.user_reactivate(actor=p.lixia_head, user=p.officer))
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"user.deactivate", "user.password_reset", "user.reactivate"} <= actions


def test_roles_are_given_and_ended_never_deleted(p):
    ra = au.role_assign(actor=p.admin, user=p.lixia_head, grant=au.Grant(Role.FINANCE, p.lixia))
    assert Role.FINANCE in policy.roles(User.objects.get(pk=p.lixia_head.pk))
    au.role_end(actor=p.admin, assignment=ra)
    ra.refresh_from_db()
    assert ra.ended_at is not None
    assert Role.FINANCE not in policy.roles(User.objects.get(pk=p.lixia_head.pk))
    assert RoleAssignment.objects.filter(user=p.lixia_head).count() == 2  # the history stays
    refused_with({"assignment"}, lambda: au.role_end(actor=p.admin, assignment=ra))
    # The same role can be given again after it ended.
    au.role_assign(actor=p.admin, user=p.lixia_head, grant=au.Grant(Role.FINANCE, p.lixia))
    refused_with(
        {"role"},
        lambda: au.role_assign(
            actor=p.admin, user=p.lixia_head, grant=au.Grant(Role.FINANCE, p.lixia)
        ),
    )


def test_a_site_administrator_cannot_touch_themselves_or_people_beyond_them(p):
    not_permitted(lambda: au.user_password_reset(actor=p.admin, user=p.admin))
    not_permitted(
        lambda: au.role_assign(actor=p.admin, user=p.admin, grant=au.Grant(Role.OFFICE, p.jinan))
    )
    # Lixia's administrator may not manage Jinan's, nor give a role over Shizhong.
    not_permitted(lambda: au.user_deactivate(actor=p.lixia_admin, user=p.admin))
    not_permitted(
        lambda: au.role_assign(
            actor=p.lixia_admin, user=p.lixia_head, grant=au.Grant(Role.OFFICE, p.shizhong)
        )
    )
    not_permitted(
        lambda: au.user_create(
            actor=p.lixia_admin, username="x", grants=[au.Grant(Role.OFFICE, p.shizhong)]
        )
    )
    # Another role may do none of it.
    not_permitted(lambda: au.user_deactivate(actor=p.lixia_head, user=p.officer))
    not_permitted(
        lambda: au.user_create(
            actor=p.lixia_head, username="x", grants=[au.Grant(Role.OFFICE, p.lixia)]
        )
    )


def test_the_site_administrator_has_no_permission_on_assets_money_or_approvals(p):
    admin = p.admin
    for resource, action in policy.RULES:
        # The task force is the organisation's record too: they keep its membership.
        if resource in ("organisation", "user", "taskforce"):
            continue
        assert not policy.can_any(admin, resource, action), (resource, action)
    assert Jurisdiction.objects.filter(pk=p.lixia.pk).exists() and Unit.objects.exists()
