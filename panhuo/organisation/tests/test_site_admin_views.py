"""The site administrator's pages through the Django test client: lists, forms with named
errors, user actions and the role history; the menu entry; other roles refused."""

import re

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import fingerprint
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, Unit, User
from panhuo.organisation.tests.site_admin_support import LIXIA_FREE, SHIZHONG_FREE, build_place


@pytest.fixture
def p(db):
    return build_place()


def test_the_menu_leads_the_site_administrator_to_their_pages(p):
    admin = p.client(p.admin)
    home = admin.get(reverse("dashboard")).content.decode()
    assert reverse("admin-user-list") in home
    assert reverse("asset-list") not in home  # no assets for them
    for name in ("admin-jurisdiction-list", "admin-unit-list", "admin-user-list"):
        assert admin.get(reverse(name)).status_code == 200, name
    page = admin.get(reverse("admin-unit-list") + "?kind=department&q=财政")
    assert page.status_code == 200
    assert [u.name for u in page.context["page"]] == ["历下区财政局", "市中区财政局"]
    export = admin.get(reverse("admin-jurisdiction-list") + "?export=csv")
    assert "370102" in b"".join(export.streaming_content).decode()
    assert reverse("admin-user-list") not in p.client(p.lixia_head).get("/").content.decode()


def test_other_roles_get_403_on_every_page_and_post_writes_nothing(p):
    head = p.client(p.lixia_head)
    pages = [
        reverse("admin-jurisdiction-list"),
        reverse("admin-jurisdiction-create"),
        reverse("admin-unit-create"),
        reverse("admin-unit-edit", args=[p.centre.pk]),
        reverse("admin-user-list"),
        reverse("admin-user-create"),
        reverse("admin-user-detail", args=[p.officer.pk]),
    ]
    for url in pages:
        assert head.get(url).status_code == 403, url
    before = fingerprint()
    for url in [
        reverse("admin-user-create"),
        reverse("admin-user-deactivate", args=[p.officer.pk]),
        reverse("admin-user-password-reset", args=[p.officer.pk]),
    ]:
        assert (
            head.post(
                url, {"username": "x", "role": "head", "jurisdiction": p.lixia.pk}
            ).status_code
            == 403
        )
    assert fingerprint() == before


def test_forms_create_and_name_bad_fields(p):
    admin = p.client(p.admin)
    bad = admin.post(
        reverse("admin-jurisdiction-create"), {"code": "370201", "name": "X", "parent": p.jinan.pk}
    )
    assert bad.status_code == 200 and "code" in bad.context["form"].errors
    ok = admin.post(
        reverse("admin-jurisdiction-create"),
        {"code": "370104", "name": "槐荫区", "parent": p.jinan.pk},
    )
    assert ok.status_code == 302 and Jurisdiction.objects.get(code="370104").level == "district"
    j = Jurisdiction.objects.get(code="370104")
    edit = admin.post(
        reverse("admin-jurisdiction-edit", args=[j.pk]),
        {"code": "370104", "name": "槐荫区", "name_en": "Huaiyin"},
    )
    assert edit.status_code == 302
    unit = {
        "credit_code": SHIZHONG_FREE,
        "name": "新单位",
        "kind": "soe",
        "jurisdiction": p.lixia.pk,
    }
    bad = admin.post(reverse("admin-unit-create"), unit)
    assert "jurisdiction" in bad.context["form"].errors  # registered in Shizhong
    ok = admin.post(reverse("admin-unit-create"), {**unit, "credit_code": LIXIA_FREE})
    assert ok.status_code == 302 and Unit.objects.filter(credit_code=LIXIA_FREE).exists()
    created = Unit.objects.get(credit_code=LIXIA_FREE)
    edit = admin.post(
        reverse("admin-unit-edit", args=[created.pk]),
        {
            "credit_code": LIXIA_FREE,
            "code": created.code,
            "name": "新单位",
            "kind": "soe",
            "supervisor": p.organ.pk,
        },
    )
    assert edit.status_code == 302
    created.refresh_from_db()
    assert created.supervisor == p.organ


def test_a_user_is_created_reset_deactivated_and_their_roles_kept_as_history(p):
    admin = p.client(p.admin)
    no_role = admin.post(
        reverse("admin-user-create"), {"username": "zhouqi", "role": "unit_officer"}
    )
    assert no_role.status_code == 200 and "unit" in no_role.context["form"].errors
    dup = admin.post(
        reverse("admin-user-create"),
        {"username": "LIXIA_head", "role": "head", "jurisdiction": p.lixia.pk},
    )
    assert "username" in dup.context["form"].errors
    made = admin.post(
        reverse("admin-user-create"),
        {"username": "zhouqi", "role": "head", "jurisdiction": p.lixia.pk},
    )
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="password">([^<]+)<', made.content.decode()).group(1)
    user = User.objects.get(username="zhouqi")
    assert user.check_password(password) and user.must_change_password
    detail = reverse("admin-user-detail", args=[user.pk])
    given = admin.post(
        reverse("admin-user-roles", args=[user.pk]),
        {"role": "finance", "jurisdiction": p.lixia.pk},
    )
    assert given.status_code == 302
    ra = RoleAssignment.objects.get(user=user, role=Role.FINANCE)
    assert admin.post(reverse("admin-role-end", args=[user.pk, ra.pk])).status_code == 302
    page = admin.get(detail).content.decode()
    assert page.count("Finance officer") >= 1 and "End role" in page
    ra.refresh_from_db()
    assert ra.ended_at is not None
    bad_grant = admin.post(reverse("admin-user-roles", args=[user.pk]), {"role": "office"})
    assert bad_grant.status_code == 200 and "jurisdiction" in bad_grant.context["grant_form"].errors
    reset = admin.post(reverse("admin-user-password-reset", args=[user.pk]))
    new = re.search(r'data-testid="password">([^<]+)<', reset.content.decode()).group(1)
    assert User.objects.get(pk=user.pk).check_password(new)
    assert admin.post(reverse("admin-user-deactivate", args=[user.pk])).status_code == 302
    assert not User.objects.get(pk=user.pk).is_active
    assert (
        admin.get(reverse("admin-user-list") + "?active=no").context["page"].object_list[0] == user
    )


def test_beyond_their_jurisdiction_is_404(p):
    lixia_admin = p.client(p.lixia_admin)
    assert (
        lixia_admin.get(reverse("admin-unit-edit", args=[p.shizhong_organ.pk])).status_code == 404
    )
    assert lixia_admin.get(reverse("admin-user-detail", args=[p.admin.pk])).status_code == 404
    own = lixia_admin.get(reverse("admin-user-detail", args=[p.lixia_admin.pk]))
    assert own.status_code == 200 and "Reset password" not in own.content.decode()


def test_a_reset_user_must_change_their_password_at_sign_in(p, client):
    admin = p.client(p.admin)
    reset = admin.post(reverse("admin-user-password-reset", args=[p.lixia_head.pk]))
    password = re.search(r'data-testid="password">([^<]+)<', reset.content.decode()).group(1)
    assert client.login(username="lixia_head", password=password)
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("password-change"))
    assert client.get("/api/v1/me").status_code == 403
    new = "my-own-lixia-password-77"
    form = {"old_password": password, "new_password1": new, "new_password2": new}
    assert client.post(reverse("password-change"), form).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_unit_kept_before_credit_codes_is_edited_without_one(p):
    old = Unit.objects.create(code="OLD-1", name="旧单位", kind="department", jurisdiction=p.lixia)
    admin = p.client(p.admin)
    form = {"credit_code": "", "code": "OLD-1", "name": "旧单位（改）", "kind": "department"}
    assert admin.post(reverse("admin-unit-edit", args=[old.pk]), form).status_code == 302
    old.refresh_from_db()
    assert old.name == "旧单位（改）" and old.credit_code == ""
    # A code it has cannot be taken away.
    blank = {**form, "code": p.centre.code, "credit_code": ""}
    response = admin.post(reverse("admin-unit-edit", args=[p.centre.pk]), blank)
    assert response.status_code == 200 and "credit_code" in response.context["form"].errors
