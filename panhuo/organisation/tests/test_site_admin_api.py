"""The site administrator's API (/api/v1/organisation/...): allowed to them over their
jurisdictions, 403 to every other role, 404 beyond them, bad input a 400 naming the field."""

import pytest

from panhuo.core.tests.api_support import call, fingerprint
from panhuo.organisation.models import Role, User
from panhuo.organisation.tests.site_admin_support import (
    LIXIA_CENTRE,
    LIXIA_FREE,
    SHIZHONG_FREE,
    build_place,
)

API = "/api/v1/organisation"


@pytest.fixture
def p(db):
    return build_place()


def unchanged(client, method, url, body, status, field=None):
    before = fingerprint()
    response = call(client, method, url, body)
    assert response.status_code == status, response.content
    assert fingerprint() == before
    if field is not None:
        assert field in response.json()["errors"], response.json()
    return response


def test_the_site_administrator_keeps_places_through_the_api(p):
    admin = p.client(p.admin)
    listed = admin.get(f"{API}/jurisdictions?level=district").json()
    assert {j["code"] for j in listed["results"]} == {"370102", "370103"}
    new = call(
        admin,
        "POST",
        f"{API}/jurisdictions",
        {"code": "370104", "name": "槐荫区", "parent": p.jinan.pk},
    )
    assert new.status_code == 201 and new.json()["level"] == "district"
    edited = call(admin, "PATCH", f"{API}/jurisdictions/{new.json()['id']}", {"name_en": "Huaiyin"})
    assert edited.status_code == 200 and edited.json()["name_en"] == "Huaiyin"
    unit = call(admin, "POST", f"{API}/units", {
        "credit_code": LIXIA_FREE, "name": "新中心", "kind": "institution",
        "jurisdiction": p.lixia.pk, "supervisor": p.organ.pk,
    })  # fmt: skip
    assert unit.status_code == 201 and unit.json()["supervisor_id"] == p.organ.pk
    patched = call(admin, "PATCH", f"{API}/units/{unit.json()['id']}", {"supervisor": None})
    assert patched.status_code == 200 and patched.json()["supervisor_id"] is None
    units = admin.get(f"{API}/units?jurisdiction={p.lixia.pk}&q=中心").json()
    assert units["count"] == 2
    by_code = admin.get(f"{API}/jurisdictions?ordering=-code").json()["results"]
    assert [j["code"] for j in by_code][:2] == ["370104", "370103"]
    by_name = admin.get(f"{API}/units?ordering=-name&page_size=1").json()
    assert by_name["count"] == 4 and by_name["page_size"] == 1


def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(p):
    admin = p.client(p.admin)
    jur = f"{API}/jurisdictions"
    unchanged(
        admin, "POST", jur, {"code": "370201", "name": "X", "parent": p.jinan.pk}, 400, "code"
    )
    unchanged(admin, "POST", jur, {"code": "99", "name": "X", "parent": p.jinan.pk}, 400, "code")
    unit = {"credit_code": LIXIA_FREE, "name": "X", "kind": "soe", "jurisdiction": p.lixia.pk}
    for changes, field in [
        ({"credit_code": LIXIA_FREE[:-1] + "0"}, "credit_code"),
        ({"credit_code": LIXIA_CENTRE}, "credit_code"),
        ({"credit_code": SHIZHONG_FREE}, "jurisdiction"),
    ]:
        unchanged(admin, "POST", f"{API}/units", {**unit, **changes}, 400, field)
    users = f"{API}/users"
    lixia = {"role": "office", "jurisdiction": p.lixia.pk}
    unchanged(admin, "POST", users, {"username": "newone", "roles": []}, 400, "roles")
    unchanged(admin, "POST", users, {"username": "Lixia_Head", "roles": [lixia]}, 400, "username")
    # An unknown query parameter and an unknown body field are 422s naming them.
    assert "colour" in admin.get(f"{users}?colour=red").json()["errors"]
    unchanged(admin, "POST", users, {"username": "x", "roles": [lixia], "colour": 1}, 422, "colour")


def test_users_are_created_deactivated_reset_and_given_and_relieved_of_roles(p):
    admin = p.client(p.admin)
    body = {
        "username": "zhouqi",
        "first_name": "周琦",
        "roles": [{"role": "head", "jurisdiction": p.lixia.pk}],
    }
    created = call(admin, "POST", f"{API}/users", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["must_change_password"] and data["password"]
    assert [r["role"] for r in data["roles"]] == ["head"]
    uid = data["id"]
    given = call(
        admin, "POST", f"{API}/users/{uid}/roles", {"role": "unit_officer", "unit": p.centre.pk}
    )
    assert given.status_code == 201 and given.json()["jurisdiction"]["id"] == p.lixia.pk
    ended = call(admin, "POST", f"{API}/users/{uid}/roles/{given.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    detail = admin.get(f"{API}/users/{uid}").json()
    assert [r["role"] for r in detail["roles"]] == ["head"]
    assert len(detail["history"]) == 2
    reset = call(admin, "POST", f"{API}/users/{uid}/password-reset")
    assert User.objects.get(pk=uid).check_password(reset.json()["password"])
    off = call(admin, "POST", f"{API}/users/{uid}/deactivate")
    assert off.status_code == 200 and off.json()["is_active"] is False
    listed = admin.get(f"{API}/users?active=false").json()
    assert [u["username"] for u in listed["results"]] == ["zhouqi"]
    on = call(admin, "POST", f"{API}/users/{uid}/reactivate")
    assert on.status_code == 200 and on.json()["is_active"] is True
    unchanged(admin, "POST", f"{API}/users/{uid}/reactivate", None, 400, "is_active")
    heads = admin.get(f"{API}/users?role=head&jurisdiction={p.lixia.pk}").json()
    assert {u["username"] for u in heads["results"]} == {"zhouqi", "lixia_head"}


def test_other_roles_are_refused_everything_with_nothing_written(p):
    head, officer = p.client(p.lixia_head), p.client(p.officer)
    for client in (head, officer):
        for url in ("jurisdictions", "units", "users", f"users/{p.officer.pk}"):
            assert client.get(f"{API}/{url}").status_code == 403
        body = {"username": "x", "roles": [{"role": "head", "jurisdiction": p.lixia.pk}]}
        unchanged(client, "POST", f"{API}/users", body, 403)
        unchanged(client, "POST", f"{API}/users/{p.officer.pk}/deactivate", None, 403)
        unchanged(client, "PATCH", f"{API}/units/{p.centre.pk}", {"name": "Y"}, 403)


def test_beyond_their_jurisdiction_is_404_or_403(p):
    lixia_admin = p.client(p.lixia_admin)
    # Shizhong's unit and Jinan's administrator are not theirs to see.
    unchanged(lixia_admin, "PATCH", f"{API}/units/{p.shizhong_organ.pk}", {"name": "Y"}, 404)
    unchanged(lixia_admin, "POST", f"{API}/users/{p.admin.pk}/password-reset", None, 404)
    body = {"code": "370104", "name": "X", "parent": p.jinan.pk}
    unchanged(lixia_admin, "POST", f"{API}/jurisdictions", body, 404, "parent")
    # Their own account: refused.
    unchanged(lixia_admin, "POST", f"{API}/users/{p.lixia_admin.pk}/deactivate", None, 403)
    grant = {"role": Role.HEAD, "jurisdiction": p.lixia.pk}
    unchanged(lixia_admin, "POST", f"{API}/users/{p.lixia_admin.pk}/roles", grant, 403)
