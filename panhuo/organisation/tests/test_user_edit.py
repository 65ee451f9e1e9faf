"""A user's name and email changed by the site administrator (admin_users.user_update): on the
page and through the API, audited with before and after; bad email named; others refused."""

import pytest
from django.urls import reverse

from panhuo.core.tests.api_support import call, fingerprint
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.tests.site_admin_support import build_place

API = "/api/v1/organisation/users"


@pytest.fixture
def p(db):
    return build_place()


def test_the_page_changes_name_and_email_audited(p):
    admin = p.client(p.lixia_admin)
    url = reverse("admin-user-edit", args=[p.officer.pk])
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"first_name": "陈静", "email": "chen@example.gov.cn"})
    assert response.status_code == 302
    p.officer.refresh_from_db()
    assert (p.officer.first_name, p.officer.email) == ("陈静", "chen@example.gov.cn")
    entry = AuditEntry.objects.filter(action="user.update").get()
    assert entry.after == {"first_name": "陈静", "email": "chen@example.gov.cn"}
    assert set(entry.before) == {"first_name", "email"}
    assert (
        reverse("admin-user-edit", args=[p.officer.pk])
        in admin.get(reverse("admin-user-detail", args=[p.officer.pk])).content.decode()
    )


def test_a_bad_email_is_named_and_others_are_refused(p):
    before = fingerprint()
    admin = p.client(p.lixia_admin)
    url = reverse("admin-user-edit", args=[p.officer.pk])
    page = admin.post(url, {"first_name": "X", "email": "not-an-email"})
    assert page.status_code == 200 and "email" in page.context["form"].errors
    assert p.client(p.lixia_head).post(url, {"first_name": "Y"}).status_code == 403
    # Their own account and someone beyond their jurisdiction: refused.
    own = reverse("admin-user-edit", args=[p.lixia_admin.pk])
    assert admin.post(own, {"first_name": "Me"}).status_code == 403
    beyond = reverse("admin-user-edit", args=[p.admin.pk])
    assert admin.post(beyond, {"first_name": "Boss"}).status_code == 404
    assert fingerprint() == before


def test_the_api_patches_name_and_email(p):
    admin = p.client(p.lixia_admin)
    response = call(admin, "PATCH", f"{API}/{p.officer.pk}", {"email": "c@example.gov.cn"})
    assert response.status_code == 200, response.content
    assert response.json()["email"] == "c@example.gov.cn"
    before = fingerprint()
    bad = call(admin, "PATCH", f"{API}/{p.officer.pk}", {"email": "nope"})
    assert bad.status_code == 400 and "email" in bad.json()["errors"]
    unknown = call(admin, "PATCH", f"{API}/{p.officer.pk}", {"username": "x"})
    assert unknown.status_code in (400, 422)
    refused = call(p.client(p.lixia_head), "PATCH", f"{API}/{p.officer.pk}", {"email": ""})
    assert refused.status_code == 403
    assert fingerprint() == before
