"""Package and project endpoints: every role, the state machine through the API, bad input."""

from decimal import Decimal

import pytest

from panhuo.core.testing import approved, decision_documents, recorded_late
from panhuo.core.tests.api_support import (
    CALLERS,
    READERS_A,
    READERS_B,
    UNIT_OFFICERS,
    build_api_world,
    call,
    check,
    client_for,
    each,
    expect,
    fingerprint,
)
from panhuo.core.tests.per_caller import per_caller
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, Package, PackageItem
from panhuo.finance import services as fs
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Role, RoleAssignment

#: Who sees the package (and project) holding the U1 asset in district A.
SEES = READERS_A | {"unit_officer"}
LISTERS = READERS_A | READERS_B | UNIT_OFFICERS
PACKAGE_WRITERS = {"office", "office2"}
PROJECT_WRITERS = {"office", "office2", "unit_officer"}
#: Hold the role, but not over this package: it answers as missing.
ELSEWHERE = {"other_unit_officer", "outsider_office", "outsider_unit_officer"}


@pytest.fixture
def aw(world):
    return build_api_world(world)


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- Packages × every caller --------------------------------------------------------------------


@per_caller(CALLERS)
def test_package_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/packages", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        assert (aw.package.pk in ids(r)) == (who in SEES)


@per_caller(CALLERS)
def test_package_create(aw, who):
    status = expect(403, **each(PACKAGE_WRITERS, 201), outsider_office=404)
    body = {
        "name": "Lot C",
        "jurisdiction": aw.w.district.pk,
        "channel": "auction",
        "asset_ids": [aw.asset_free.pk],
    }
    r = check(aw, who, "POST", "/api/v1/packages", body, expected=status)
    if r.status_code == 201:
        package = Package.objects.get(pk=r.json()["id"])
        assert r.json()["asset_ids"] == [aw.asset_free.pk]
        assert r.json()["total_book_value"] == "5000000.00"
        assert package.items.get().asset == aw.asset_free
    elif r.status_code == 404:
        assert "jurisdiction" in r.json()["errors"]


@per_caller(CALLERS)
def test_package_detail(aw, who):
    r = check(
        aw, who, "GET", f"/api/v1/packages/{aw.package.pk}", expected=expect(404, **each(SEES, 200))
    )
    if r.status_code == 200:
        body = r.json()
        assert body["asset_ids"] == [aw.asset.pk]
        assert body["asset_count"] == 1
        assert body["total_appraised_value"] == "6000000.00"
        assert body["projects"] == [
            {"id": aw.project.pk, "code": aw.project.code, "status": "draft"}
        ]


@per_caller(CALLERS)
def test_package_assets_add(aw, who):
    status = expect(403, **each(PACKAGE_WRITERS, 200), outsider_office=404)
    url = f"/api/v1/packages/{aw.package.pk}/assets"
    r = check(aw, who, "POST", url, {"asset_ids": [aw.asset_free.pk]}, expected=status)
    if r.status_code == 200:
        assert r.json()["asset_ids"] == sorted([aw.asset.pk, aw.asset_free.pk])


@per_caller(CALLERS)
def test_package_asset_remove(aw, who):
    status = expect(403, **each(PACKAGE_WRITERS, 200), outsider_office=404)
    url = f"/api/v1/packages/{aw.package.pk}/assets/{aw.asset.pk}"
    r = check(aw, who, "DELETE", url, expected=status)
    in_package = PackageItem.objects.filter(package=aw.package, asset=aw.asset).exists()
    assert in_package == (r.status_code != 200)


# --- Projects × every caller --------------------------------------------------------------------


@per_caller(CALLERS)
def test_project_list(aw, who):
    r = check(aw, who, "GET", "/api/v1/projects", expected=expect(403, **each(LISTERS, 200)))
    if r.status_code == 200:
        assert (aw.project.pk in ids(r)) == (who in SEES)
        assert (aw.concluded.pk in ids(r)) == (who in SEES)


@per_caller(CALLERS)
def test_project_create(aw, who):
    status = expect(403, **each(PROJECT_WRITERS, 201), **each(ELSEWHERE, 404))
    body = {"package": aw.package_free.pk, "reserve_price": "750000.00", "note": "Vacant lot"}
    r = check(aw, who, "POST", "/api/v1/projects", body, expected=status)
    if r.status_code == 201:
        project = DisposalProject.objects.get(pk=r.json()["id"])
        assert project.reserve_price == Decimal("750000.00")
        assert project.channel == "exchange"  # the package's channel
        assert r.json()["status"] == "draft"
        expected = ["submit"] if who == "unit_officer" else ["submit", "withdraw"]
        assert [t["name"] for t in r.json()["available_transitions"]] == expected
    elif r.status_code == 404:
        assert "package" in r.json()["errors"]


@per_caller(CALLERS)
def test_project_detail(aw, who):
    r = check(
        aw,
        who,
        "GET",
        f"/api/v1/projects/{aw.concluded.pk}",
        expected=expect(404, **each(SEES, 200)),
    )
    if r.status_code == 200:
        body = r.json()
        assert body["deal_price"] == "6000000.00"
        assert [e["transition"] for e in body["events"]] == [
            "submit",
            "approve",
            "list",
            "conclude",
        ]
        assert body["events"][1]["actor_name"] == "head"
        # After the deal the contract is in force: the office publishes the result notice
        # (Order 32 art. 29), before the payment is in; nothing is held back yet.
        assert [t["name"] for t in body["available_transitions"]] == (
            ["publish_result"] if who in {"office", "office2"} else []
        )
        assert body["blocked_transitions"] == []


@per_caller(CALLERS)
def test_project_change(aw, who):
    status = expect(403, **each(PROJECT_WRITERS, 200), **each(ELSEWHERE, 404))
    url = f"/api/v1/projects/{aw.project.pk}"
    r = check(aw, who, "PATCH", url, {"reserve_price": "4800000.00"}, expected=status)
    aw.project.refresh_from_db()
    assert (aw.project.reserve_price == Decimal("4800000.00")) == (r.status_code == 200)


@per_caller(CALLERS)
def test_project_transition_submit(aw, who):
    status = expect(403, **each(PROJECT_WRITERS, 200), **each(ELSEWHERE, 404))
    url = f"/api/v1/projects/{aw.project.pk}/transitions"
    r = check(aw, who, "POST", url, {"transition": "submit"}, expected=status)
    aw.project.refresh_from_db()
    assert (aw.project.status == "submitted") == (r.status_code == 200)
    if r.status_code == 200:
        assert r.json()["events"][-1]["actor_name"] == who


@per_caller(CALLERS)
def test_project_transition_approve(aw, who):
    ds.project_transition(actor=aw.w.user("office"), project=aw.project, transition="submit")
    decision_documents(aw.w, aw.project)  # what the approval rests on (Decree 738 art. 19)
    status = expect(403, head=200, deputy=200, deputy2=200, outsider_head=404, outsider_deputy=404)
    url = f"/api/v1/projects/{aw.project.pk}/transitions"
    r = check(aw, who, "POST", url, {"transition": "approve", "comment": "ok"}, expected=status)
    aw.project.refresh_from_db()
    assert (aw.project.status == "approved") == (r.status_code == 200)


# --- The state machine through the API ----------------------------------------------------------


def transition(client, project, name, **extra):
    return call(
        client, "POST", f"/api/v1/projects/{project.pk}/transitions", {"transition": name, **extra}
    )


def test_project_from_draft_to_closed(aw):
    office, head, finance = (client_for(aw.w, n) for n in ("office", "head", "finance"))
    p = aw.project
    assert transition(office, p, "submit").json()["status"] == "submitted"
    decision_documents(aw.w, p)
    assert transition(head, p, "approve").json()["status"] == "approved"
    listed = transition(office, p, "list", **recorded_late("list"))
    assert listed.json()["status"] == "listed"
    deal = recorded_late("conclude")
    r = transition(office, p, "conclude", deal_price="5200000.00", buyer="Dawn Co.", **deal)
    assert r.status_code == 200 and r.json()["deal_price"] == "5200000.00"
    assert r.json()["status"] == "concluded"
    # The result notice goes up when the contract takes effect, before the money is in.
    notice = transition(office, p, "publish_result", **recorded_late("publish_result"))
    assert notice.json()["status"] == "published"
    blocked = notice.json()["blocked_transitions"]
    assert [t["name"] for t in blocked] == ["confirm_payment"]
    assert "yuan still due" in blocked[0]["reason"]
    r = transition(office, p, "confirm_payment")
    assert r.status_code == 400 and "received in full" in r.json()["errors"]["transition"][0]
    assert r.json()["gate"]["rule"] == "payment_in_full"
    fs.receipt_create(
        actor=aw.w.user("finance"),
        project=DisposalProject.objects.get(pk=p.pk),
        amount="5200000.00",
        received_on=p.created_at.date(),
        voucher="V-99",
        budget_class="non_tax",
    )
    # An auction's result is published, it is paid, then closed once the notice has run.
    assert transition(finance, p, "confirm_payment").json()["status"] == "paid"
    r = transition(finance, p, "close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert [e["to_status"] for e in r.json()["events"]] == [
        "submitted",
        "approved",
        "listed",
        "concluded",
        "published",
        "paid",
        "closed",
    ]
    assert r.json()["available_transitions"] == []


@pytest.mark.parametrize(
    ("name", "state"),
    [("close", "draft"), ("approve", "draft"), ("list", "draft"), ("conclude", "draft")],
)
def test_invalid_transition_names_the_transition_and_the_state(aw, name, state):
    # ``head`` may approve, ``office`` may close/list/conclude: only the state is wrong.
    who = "head" if name == "approve" else "office"
    before = fingerprint()
    r = transition(client_for(aw.w, who), aw.project, name, deal_price="1.00", buyer="B")
    assert r.status_code == 400, r.content
    message = r.json()["errors"]["transition"][0]
    assert f"“{name}”" in message and f"“{state}”" in message
    assert fingerprint() == before


def test_unknown_transition_is_named(aw):
    before = fingerprint()
    r = transition(client_for(aw.w, "office"), aw.project, "explode")
    assert r.status_code == 422 and "transition" in r.json()["errors"]
    assert fingerprint() == before


def test_submitter_cannot_approve_own_submission(aw):
    """Separation of duties: even a user who also holds the head role."""
    RoleAssignment.objects.create(
        user=aw.w.user("office"), role=Role.HEAD, jurisdiction=aw.w.district
    )
    c = client_for(aw.w, "office")
    assert transition(c, aw.project, "submit").status_code == 200
    before = fingerprint()
    r = transition(c, aw.project, "approve")
    assert r.status_code == 403 and "other than the submitter" in r.json()["detail"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("extra", "status", "field"),
    [
        ({}, 400, "deal_price"),
        ({"deal_price": "5000000.00"}, 400, "buyer"),
        ({"deal_price": "-5", "buyer": "B"}, 422, "deal_price"),
        ({"deal_price": "abc", "buyer": "B"}, 422, "deal_price"),
        ({"deal_price": "0", "buyer": "B"}, 422, "deal_price"),
        ({"deal_price": 5.5, "buyer": "B"}, 422, "deal_price"),
        ({"deal_price": "1e999", "buyer": "B"}, 422, "deal_price"),
    ],
)
def test_conclude_needs_a_deal(aw, extra, status, field):
    ds.project_transition(actor=aw.w.user("office"), project=aw.project, transition="submit")
    approved(aw.w, aw.project)
    # Listed long enough ago that the disclosure has ended: the deal's own input is judged.
    ds.project_transition(actor=aw.w.user("office"), project=aw.project, transition="list",
                          **recorded_late("list"))  # fmt: skip
    before = fingerprint()
    r = transition(client_for(aw.w, "office"), aw.project, "conclude", **extra)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"]
    assert fingerprint() == before


def test_reject_needs_a_comment(aw):
    ds.project_transition(actor=aw.w.user("office"), project=aw.project, transition="submit")
    before = fingerprint()
    r = transition(client_for(aw.w, "head"), aw.project, "reject")
    assert r.status_code == 400 and "comment" in r.json()["errors"]
    assert fingerprint() == before
    r = transition(client_for(aw.w, "head"), aw.project, "reject", comment="Reserve too low")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert r.json()["events"][-1]["comment"] == "Reserve too low"


# --- Bad input on packages and projects ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"jurisdiction": 3, "channel": "auction"}, 422, "name"),
        ({"name": "L", "channel": "auction"}, 422, "jurisdiction"),
        ({"name": "L", "jurisdiction": "x", "channel": "auction"}, 422, "jurisdiction"),
        ({"name": "L", "jurisdiction": 987654, "channel": "auction"}, 404, "jurisdiction"),
        ({"name": "L", "jurisdiction": None, "channel": "barter"}, 422, "channel"),
        (
            {"name": "L", "jurisdiction": None, "channel": "auction", "asset_ids": ["a"]},
            422,
            "asset_ids.0",
        ),
        (
            {"name": "L", "jurisdiction": None, "channel": "auction", "asset_ids": [987654]},
            400,
            "assets",
        ),
        ({"name": "  ", "jurisdiction": None, "channel": "auction"}, 400, "name"),
    ],
)
def test_bad_package_is_named_and_writes_nothing(aw, body, status, field):
    if body.get("jurisdiction", 0) is None:
        body["jurisdiction"] = aw.w.district.pk
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/packages", body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert fingerprint() == before


def test_asset_in_a_live_package_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "office"),
        "POST",
        f"/api/v1/packages/{aw.package_free.pk}/assets",
        {"asset_ids": [aw.asset.pk]},
    )
    assert r.status_code == 400
    assert "already in live package" in r.json()["errors"]["assets"][0]
    assert fingerprint() == before


def test_removing_an_asset_not_in_the_package_is_404(aw):
    before = fingerprint()
    c = client_for(aw.w, "office")
    r = call(c, "DELETE", f"/api/v1/packages/{aw.package.pk}/assets/{aw.asset_free.pk}")
    assert r.status_code == 404
    r = call(c, "DELETE", f"/api/v1/packages/{aw.package.pk}/assets/abc")
    assert r.status_code == 422 and "asset_id" in r.json()["errors"]
    assert fingerprint() == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"reserve_price": "100.00"}, 422, "package"),
        ({"package": None}, 422, "reserve_price"),
        ({"package": None, "reserve_price": "-5"}, 422, "reserve_price"),
        ({"package": None, "reserve_price": "abc"}, 422, "reserve_price"),
        ({"package": None, "reserve_price": "NaN"}, 422, "reserve_price"),
        ({"package": None, "reserve_price": 100.5}, 422, "reserve_price"),
        ({"package": 987654, "reserve_price": "100.00"}, 404, "package"),
        ({"package": None, "reserve_price": "100.00", "channel": "gift"}, 422, "channel"),
    ],
)
def test_bad_project_is_named_and_writes_nothing(aw, body, status, field):
    if "package" in body and body["package"] is None:
        body["package"] = aw.package_free.pk
    before = fingerprint()
    r = call(client_for(aw.w, "office"), "POST", "/api/v1/projects", body)
    assert r.status_code == status, r.content
    assert field in r.json()["errors"], r.json()
    assert fingerprint() == before


def test_second_active_project_for_a_package_is_refused(aw):
    before = fingerprint()
    r = call(
        client_for(aw.w, "office"),
        "POST",
        "/api/v1/projects",
        {"package": aw.package.pk, "reserve_price": "100.00"},
    )
    assert r.status_code == 400 and "already has an active project" in r.json()["detail"]
    assert fingerprint() == before


def test_only_a_draft_can_be_edited(aw):
    before = fingerprint()
    url = f"/api/v1/projects/{aw.concluded.pk}"
    r = call(client_for(aw.w, "office"), "PATCH", url, {"note": "late edit"})
    assert r.status_code == 400 and "status" in r.json()["errors"]
    assert fingerprint() == before


def test_project_list_filters_and_sorts(aw):
    c = client_for(aw.w, "office")
    assert ids(c.get("/api/v1/projects?status=concluded")) == {aw.concluded.pk}
    assert ids(c.get(f"/api/v1/projects?package={aw.package.pk}")) == {aw.project.pk}
    prices = [
        Decimal(p["reserve_price"])
        for p in c.get("/api/v1/projects?ordering=-reserve_price").json()["results"]
    ]
    assert prices == sorted(prices, reverse=True)
    assert c.get("/api/v1/projects?status=lost").status_code == 422
    assert c.get("/api/v1/packages?channel=auction&status=open").json()["count"] == 1
    assert c.get("/api/v1/packages?ordering=-book_value").status_code == 200


def test_audit_entry_for_each_api_write(aw):
    before = AuditEntry.objects.count()
    transition(client_for(aw.w, "office"), aw.project, "submit")
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor_name) == ("project.submit", "office")
