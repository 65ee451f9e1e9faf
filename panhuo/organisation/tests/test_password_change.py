"""The password change forced on a user whose password someone else chose (``panhuo setup``,
a site administrator's reset): pages lead to the change, the API answers 403 saying why."""

from django.test import Client
from django.urls import reverse

from panhuo.core.testing import PASSWORD
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.services import api_token_create

NEW = "a-password-of-my-own-2026"


def _flagged(world, who="office"):
    user = world.user(who)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client = Client()
    client.force_login(user)
    return user, client


def test_every_page_leads_to_the_change_until_it_is_made(world):
    user, client = _flagged(world)
    response = client.get(reverse("asset-list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("password-change") + "?next=%2Fassets%2F"
    page = client.get(reverse("password-change"))
    assert page.status_code == 200
    assert "An administrator set your password" in page.content.decode()
    # Signing out and switching language still work.
    assert client.post(reverse("set-language"), {"language": "en"}).status_code == 302
    form = {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    done = client.post(reverse("password-change") + "?next=/assets/", form)
    assert done.status_code == 302 and done["Location"] == "/assets/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get(reverse("asset-list")).status_code == 200
    entry = AuditEntry.objects.get(action="user.password_change")
    assert entry.after == {"must_change_password": False} and entry.actor_id == user.pk


def test_the_given_password_cannot_be_kept(world):
    user, client = _flagged(world)
    form = {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    response = client.post(reverse("password-change"), form)
    assert response.status_code == 200
    assert "new_password1" in response.context["form"].errors
    user.refresh_from_db()
    assert user.must_change_password


def test_the_api_answers_403_naming_the_reason_by_session_and_by_token(world):
    user, client = _flagged(world)
    response = client.get("/api/v1/assets")
    assert response.status_code == 403
    assert "must change your password" in response.json()["detail"]
    _token, key = api_token_create(actor=user, user=user, name="script")
    anonymous = Client()
    by_token = anonymous.get("/api/v1/assets", headers={"Authorization": f"Bearer {key}"})
    assert by_token.status_code == 403
    assert "must change your password" in by_token.json()["detail"]


def test_a_user_may_change_their_password_without_being_made_to(world):
    client = Client()
    client.force_login(world.user("finance"))
    assert client.get(reverse("dashboard")).status_code == 200
    form = {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW}
    response = client.post(reverse("password-change"), form)
    assert response.status_code == 200 and "old_password" in response.context["form"].errors
