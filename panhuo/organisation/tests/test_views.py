"""Sign-in, language, "me", jurisdiction and unit pages, for every role."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from panhuo.core.testing import PASSWORD
from panhuo.core.tests.views_support import (
    READERS_A,
    READERS_B,
    REGISTER_SECTION,
    USERS,
    assert_login_redirect,
    client_for,
    expected,
    fingerprint,
    statuses,
)
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import User
from panhuo.organisation.preferences import user_set_language

PAGES = {
    "me": (lambda w: reverse("me"), lambda: expected(USERS)),
    "jurisdiction": (
        lambda w: reverse("jurisdiction-detail", args=[w.district.pk]),
        lambda: expected(READERS_A | {"unit_officer", "other_unit_officer"}, REGISTER_SECTION),
    ),
    "jurisdiction-b": (
        lambda w: reverse("jurisdiction-detail", args=[w.other_district.pk]),
        lambda: expected(READERS_B | {"outsider_unit_officer", "supervisor"}, REGISTER_SECTION),
    ),
    "unit": (
        lambda w: reverse("unit-detail", args=[w.unit.pk]),
        lambda: expected(READERS_A | {"unit_officer"}, REGISTER_SECTION),
    ),
    "unit-2": (
        lambda w: reverse("unit-detail", args=[w.unit2.pk]),
        lambda: expected(READERS_A | {"other_unit_officer"}, REGISTER_SECTION),
    ),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_for_every_role(world, page):
    url, table = PAGES[page]
    assert statuses(world, url(world)) == table()


@pytest.mark.parametrize("page", PAGES)
def test_page_needs_sign_in(world, page):
    assert_login_redirect(PAGES[page][0](world))


def test_me_lists_the_role_assignments(world):
    body = client_for(world, "unit_officer").get(reverse("me")).content.decode()
    assert "Unit asset officer" in body and world.unit.name in body
    body = client_for(world, "norole").get(reverse("me")).content.decode()
    assert "You hold no role yet" in body


def test_sign_in_and_out(world):
    c = Client()
    page = c.get(reverse("login"))
    assert page.status_code == 200 and b'name="password"' in page.content
    bad = c.post(reverse("login"), {"username": "office", "password": "wrong"})
    assert bad.status_code == 200 and b"did not match" in bad.content
    good = c.post(
        reverse("login"), {"username": "office", "password": PASSWORD, "next": "/assets/"}
    )
    assert good.status_code == 302 and good["Location"] == "/assets/"
    assert c.get(reverse("login"))["Location"] == reverse("dashboard")  # already signed in
    assert c.get(reverse("logout")).status_code == 405  # signing out is a POST
    out = c.post(reverse("logout"))
    assert out.status_code == 302 and out["Location"] == reverse("login")
    assert_login_redirect(reverse("dashboard"))


def test_language_is_kept_on_the_user_and_audited(world):
    c = client_for(world, "office")
    response = c.post(reverse("set-language"), {"language": "zh-hans", "next": "/assets/"})
    assert response.status_code == 302 and response["Location"] == "/assets/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert User.objects.get(username="office").language == "zh-hans"
    entry = AuditEntry.objects.get(action="user.set_language")
    assert entry.before == {"language": ""} and entry.after == {"language": "zh-hans"}
    assert entry.jurisdiction_path == world.district.path
    assert b'<html lang="zh-hans">' in c.get(reverse("dashboard")).content


def test_unknown_language_or_foreign_next_changes_nothing(world):
    c = client_for(world, "office")
    before = fingerprint()
    response = c.post(reverse("set-language"), {"language": "klingon", "next": "/me/"})
    assert response.status_code == 302
    assert User.objects.get(username="office").language == ""
    assert fingerprint() == before
    away = c.post(reverse("set-language"), {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == reverse("dashboard")


def test_anonymous_language_choice_is_only_a_cookie(world):
    before = fingerprint()
    response = Client().post(reverse("set-language"), {"language": "zh-hans"})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert fingerprint() == before


def test_user_set_language_service(world):
    office = world.user("office")
    with pytest.raises(ValidationError) as info:
        user_set_language(actor=office, language="xx")
    assert "language" in info.value.message_dict
    user_set_language(actor=office, language="en")
    user_set_language(actor=office, language="en")  # no change: no second entry
    assert AuditEntry.objects.filter(action="user.set_language").count() == 1
