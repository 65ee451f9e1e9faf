"""The API as a whole: its schema and offline docs, and the one mapping of errors to statuses."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from panhuo.api import _field_of, api
from panhuo.core.schemas import decimal_parser
from panhuo.core.tests.api_support import build_api_world, client_for, fingerprint

ENDPOINTS = {
    ("get", "/api/v1/assets/{asset_id}/decision"),
    ("get", "/api/v1/packages/{package_id}/decision"),
    ("get", "/api/v1/scenarios"),
    ("get", "/api/v1/decisions/assets"),
    ("post", "/api/v1/scenarios"),
    ("post", "/api/v1/optimiser/runs"),
    ("get", "/api/v1/optimiser/runs"),
    ("get", "/api/v1/optimiser/runs/{run_id}"),
    ("post", "/api/v1/optimiser/runs/{run_id}/cancel"),
    ("post", "/api/v1/optimiser/runs/{run_id}/adopt"),
    ("post", "/api/v1/plans/from-optimiser/{run_id}"),
    ("get", "/api/v1/scenario-runs"),
    ("post", "/api/v1/scenario-runs"),
    ("get", "/api/v1/scenario-runs/{scenario_run_id}"),
    ("get", "/api/v1/scenario-comparison"),
    ("post", "/api/v1/bidders/register"),
    ("get", "/api/v1/bidders/me"),
    ("patch", "/api/v1/bidders/me"),
    ("post", "/api/v1/bidders/me/resubmit"),
    ("get", "/api/v1/bidders/me/relations"),
    ("post", "/api/v1/bidders/me/relations"),
    ("delete", "/api/v1/bidders/me/relations/{relation_id}"),
    ("get", "/api/v1/bidders"),
    ("get", "/api/v1/bidders/{bidder_id}"),
    ("post", "/api/v1/bidders/{bidder_id}/transitions"),
    ("get", "/api/v1/me"),
    ("patch", "/api/v1/me"),
    ("get", "/api/v1/jurisdictions"),
    ("get", "/api/v1/units"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{token_id}"),
    ("get", "/api/v1/assets"),
    ("post", "/api/v1/assets"),
    ("get", "/api/v1/assets/{asset_id}"),
    ("patch", "/api/v1/assets/{asset_id}"),
    ("get", "/api/v1/assets/{asset_id}/history"),
    ("get", "/api/v1/assets/export"),
    ("get", "/api/v1/assets/geo"),
    ("get", "/api/v1/assets/{asset_id}/encumbrances"),
    ("post", "/api/v1/assets/{asset_id}/encumbrances"),
    ("delete", "/api/v1/assets/{asset_id}/encumbrances/{encumbrance_id}"),
    ("get", "/api/v1/classification-codes"),
    ("get", "/api/v1/import-mappings"),
    ("post", "/api/v1/import-mappings"),
    ("get", "/api/v1/import-mappings/{mapping_id}"),
    ("put", "/api/v1/import-mappings/{mapping_id}"),
    ("delete", "/api/v1/import-mappings/{mapping_id}"),
    ("get", "/api/v1/imports"),
    ("post", "/api/v1/imports"),
    ("get", "/api/v1/imports/{run_id}"),
    ("post", "/api/v1/imports/{run_id}/cancel"),
    ("post", "/api/v1/imports/{run_id}/rerun"),
    ("get", "/api/v1/scope/proposal"),
    ("get", "/api/v1/scope/rules"),
    ("put", "/api/v1/scope/rules"),
    ("get", "/api/v1/scope/decisions"),
    ("post", "/api/v1/scope/decisions"),
    ("get", "/api/v1/scope/decisions/{decision_id}"),
    ("get", "/api/v1/saved-filters"),
    ("post", "/api/v1/saved-filters"),
    ("delete", "/api/v1/saved-filters/{filter_id}"),
    ("get", "/api/v1/packages"),
    ("post", "/api/v1/packages"),
    ("get", "/api/v1/packages/{package_id}"),
    ("get", "/api/v1/packages/candidates"),
    ("get", "/api/v1/packages/suggestions"),
    ("post", "/api/v1/packages/{package_id}/assets"),
    ("delete", "/api/v1/packages/{package_id}/assets/{asset_id}"),
    ("get", "/api/v1/projects"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects/{project_id}"),
    ("patch", "/api/v1/projects/{project_id}"),
    ("post", "/api/v1/projects/{project_id}/transitions"),
    ("post", "/api/v1/projects/{project_id}/price-exception"),
    ("get", "/api/v1/projects/overdue"),
    ("get", "/api/v1/projects/board"),
    ("get", "/api/v1/projects/{project_id}/rounds"),
    ("get", "/api/v1/projects/{project_id}/expected-receipts"),
    ("get", "/api/v1/receipts"),
    ("post", "/api/v1/receipts"),
    ("get", "/api/v1/receipts/{receipt_id}"),
    ("get", "/api/v1/reports/overdue-receipts"),
    ("get", "/api/v1/deposits"),
    ("post", "/api/v1/deposits"),
    ("get", "/api/v1/deposits/{deposit_id}"),
    ("post", "/api/v1/deposits/{deposit_id}/steps"),
    ("get", "/api/v1/lots"),
    ("get", "/api/v1/lots/{lot_id}"),
    ("post", "/api/v1/lots/{lot_id}/registrations"),
    ("post", "/api/v1/lots/{lot_id}/bids"),
    ("get", "/api/v1/lots/{lot_id}/bids"),
    ("get", "/api/v1/lots/{lot_id}/history"),
    ("post", "/api/v1/lots/{lot_id}/sealed-bids"),
    ("get", "/api/v1/lots/{lot_id}/sealed-receipt"),
    ("get", "/api/v1/lots/{lot_id}/sealed-bids"),
    ("post", "/api/v1/lots/{lot_id}/opening"),
    ("post", "/api/v1/projects/{project_id}/lot"),
    ("patch", "/api/v1/lots/{lot_id}"),
    ("post", "/api/v1/lots/{lot_id}/cancel"),
    ("post", "/api/v1/lots/{lot_id}/take"),
    ("get", "/api/v1/lots/{lot_id}/awards"),
    ("post", "/api/v1/lots/{lot_id}/awards/sign"),
    ("post", "/api/v1/lots/{lot_id}/awards/default"),
    ("get", "/api/v1/findings"),
    ("post", "/api/v1/findings"),
    ("get", "/api/v1/findings/stats"),
    ("get", "/api/v1/findings/{finding_id}"),
    ("post", "/api/v1/findings/{finding_id}/steps"),
    ("post", "/api/v1/findings/{finding_id}/comments"),
    ("get", "/api/v1/projects/{project_id}/exchange-package"),
    ("post", "/api/v1/projects/{project_id}/exchange-result"),
    ("get", "/api/v1/projects/{project_id}/instalment-plan"),
    ("put", "/api/v1/projects/{project_id}/instalment-plan"),
    ("get", "/api/v1/reports/reconciliation"),
    ("get", "/api/v1/debts"),
    ("post", "/api/v1/debts"),
    ("get", "/api/v1/debts/{debt_id}"),
    ("patch", "/api/v1/debts/{debt_id}"),
    ("get", "/api/v1/debts/{debt_id}/schedule"),
    ("get", "/api/v1/debts/{debt_id}/securities"),
    ("post", "/api/v1/debts/{debt_id}/securities"),
    ("post", "/api/v1/debts/{debt_id}/securities/{security_id}/release"),
    ("delete", "/api/v1/debts/{debt_id}/securities/{security_id}"),
    ("get", "/api/v1/assets/{asset_id}/securities"),
    ("get", "/api/v1/debt-imports"),
    ("post", "/api/v1/debt-imports"),
    ("get", "/api/v1/debt-imports/{run_id}"),
    ("post", "/api/v1/debt-imports/{run_id}/cancel"),
    ("get", "/api/v1/fiscal-imports"),
    ("post", "/api/v1/fiscal-imports"),
    ("get", "/api/v1/fiscal-imports/{run_id}"),
    ("get", "/api/v1/risk/compare"),
    ("post", "/api/v1/unit-imports"),
    ("get", "/api/v1/unit-imports/{run_id}"),
    ("post", "/api/v1/user-imports"),
    ("get", "/api/v1/user-imports/{run_id}"),
    ("post", "/api/v1/user-imports/{run_id}/passwords"),
    ("put", "/api/v1/debts/{debt_id}/schedule"),
    ("get", "/api/v1/debts/{debt_id}/repayments"),
    ("post", "/api/v1/debts/{debt_id}/repayments"),
    ("post", "/api/v1/debts/{debt_id}/repayments/{repayment_id}/reverse"),
    ("post", "/api/v1/debts/{debt_id}/void"),
    ("get", "/api/v1/allocations"),
    ("post", "/api/v1/allocations"),
    ("post", "/api/v1/allocations/{allocation_id}/reverse"),
    ("get", "/api/v1/receipts/{receipt_id}/suggestion"),
    ("post", "/api/v1/receipts/{receipt_id}/apply-strategy"),
    ("get", "/api/v1/indicators"),
    ("get", "/api/v1/fiscal-inputs"),
    ("put", "/api/v1/fiscal-inputs"),
    ("get", "/api/v1/risk-settings"),
    ("put", "/api/v1/risk-settings"),
    ("delete", "/api/v1/risk-settings"),
    ("get", "/api/v1/valuations"),
    ("post", "/api/v1/valuations"),
    ("get", "/api/v1/valuations/{valuation_id}"),
    ("get", "/api/v1/assets/{asset_id}/appraisal"),
    ("get", "/api/v1/packages/{package_id}/appraisal"),
    ("get", "/api/v1/price-rules"),
    ("put", "/api/v1/price-rules/{jurisdiction_id}"),
    ("get", "/api/v1/avm/runs"),
    ("post", "/api/v1/avm/runs"),
    ("post", "/api/v1/assets/{asset_id}/avm-estimate"),
    ("get", "/api/v1/trace"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/audit/verify"),
    ("get", "/api/v1/approvals"),
    ("get", "/api/v1/approvals/{request_id}"),
    ("post", "/api/v1/approvals/{request_id}/decision"),
    ("post", "/api/v1/approvals/{request_id}/withdraw"),
    ("get", "/api/v1/approval-chains"),
    ("post", "/api/v1/approval-chains"),
    ("delete", "/api/v1/approval-chains/{chain_id}"),
    ("get", "/api/v1/delegations"),
    ("post", "/api/v1/delegations"),
    ("post", "/api/v1/delegations/{delegation_id}/revoke"),
    ("get", "/api/v1/documents"),
    ("post", "/api/v1/documents"),
    ("get", "/api/v1/documents/{document_id}"),
    ("get", "/api/v1/documents/{document_id}/versions"),
    ("get", "/api/v1/documents/{document_id}/download"),
    ("get", "/api/v1/revenue/categories"),
    ("get", "/api/v1/revenue"),
    ("put", "/api/v1/revenue"),
    ("post", "/api/v1/revenue/imports"),
    ("get", "/api/v1/flags"),
    ("get", "/api/v1/flags/rules"),
    ("get", "/api/v1/flags/{flag_id}"),
    ("post", "/api/v1/flags/{flag_id}/resolve"),
    ("get", "/api/v1/flags/thresholds/{jurisdiction_id}/{rule}"),
    ("put", "/api/v1/flags/thresholds/{jurisdiction_id}/{rule}"),
    ("get", "/api/v1/plans"),
    ("post", "/api/v1/plans"),
    ("get", "/api/v1/plans/{pk}"),
    ("put", "/api/v1/plans/{pk}"),
    ("post", "/api/v1/plans/{pk}/submit"),
    ("post", "/api/v1/plans/{pk}/revise"),
    ("post", "/api/v1/plans/tasks/{pk}/done"),
    ("get", "/api/v1/scorecards"),
    ("get", "/api/v1/scorecards/plans/{pk}/units/{unit_id}"),
    ("get", "/api/v1/scorecards/plans/{pk}/weights"),
    ("put", "/api/v1/scorecards/plans/{pk}/weights"),
    ("post", "/api/v1/scorecards/plans/{pk}/issue"),
    ("get", "/api/v1/scorecard-decisions"),
    ("post", "/api/v1/scorecard-decisions"),
    ("get", "/api/v1/scorecard-decisions/{pk}"),
    ("get", "/api/v1/reports"),
    ("post", "/api/v1/reports"),
    ("get", "/api/v1/reports/{pk}"),
    ("get", "/api/v1/reports/{pk}/pdf"),
    ("get", "/api/v1/reports/{pk}/xlsx"),
    ("get", "/api/v1/reports/{pk}/check"),
    ("get", "/api/v1/monitor/summary"),
    ("get", "/api/v1/monitor/alerts"),
    ("get", "/api/v1/monitor/thresholds/{jurisdiction_id}"),
    ("put", "/api/v1/monitor/thresholds/{jurisdiction_id}"),
    ("get", "/api/v1/taskforce"),
    ("post", "/api/v1/taskforce"),
    ("post", "/api/v1/taskforce/members"),
    ("post", "/api/v1/taskforce/members/{member_id}/leave"),
    ("post", "/api/v1/taskforce/members/{member_id}/position"),
    ("get", "/api/v1/calendar/days"),
    ("put", "/api/v1/calendar/days"),
    ("delete", "/api/v1/calendar/days/{day_id}"),
    ("get", "/api/v1/calendar/notices"),
    ("post", "/api/v1/calendar/notices"),
    ("delete", "/api/v1/calendar/notices/{notice_id}"),
    ("get", "/api/v1/calendar/status"),
    ("get", "/api/v1/organisation/jurisdictions"),
    ("post", "/api/v1/organisation/jurisdictions"),
    ("patch", "/api/v1/organisation/jurisdictions/{jurisdiction_id}"),
    ("get", "/api/v1/organisation/units"),
    ("post", "/api/v1/organisation/units"),
    ("patch", "/api/v1/organisation/units/{unit_id}"),
    ("get", "/api/v1/organisation/users"),
    ("post", "/api/v1/organisation/users"),
    ("get", "/api/v1/organisation/users/{user_id}"),
    ("patch", "/api/v1/organisation/users/{user_id}"),
    ("post", "/api/v1/organisation/users/{user_id}/deactivate"),
    ("post", "/api/v1/organisation/users/{user_id}/reactivate"),
    ("post", "/api/v1/organisation/users/{user_id}/password-reset"),
    ("post", "/api/v1/organisation/users/{user_id}/roles"),
    ("post", "/api/v1/organisation/users/{user_id}/roles/{assignment_id}/end"),
    ("get", "/api/v1/public/notices"),
    ("get", "/api/v1/public/notices/{code}"),
    ("get", "/api/v1/public/announcements"),
    ("get", "/api/v1/opendata/releases/{ocid}"),
    ("get", "/api/v1/opendata/records/{ocid}"),
    ("get", "/api/v1/opendata/feed"),
}


@pytest.mark.django_db
def test_openapi_schema_lists_every_endpoint():
    r = Client().get("/api/v1/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    found = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert found == ENDPOINTS
    # Both ways in are documented.
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])
    # Money is a string in answers, never a number.
    assert (
        schema["components"]["schemas"]["AssetOut"]["properties"]["book_value"]["type"] == "string"
    )


def test_openapi_schema_is_made_once_and_each_caller_gets_its_own_copy(monkeypatch):
    """Making the schema costs most of a second; it is public, so it is made once per prefix
    and language. What one caller does with its copy reaches no other caller."""
    from ninja import NinjaAPI

    made = []
    original = NinjaAPI.get_openapi_schema

    def counting(self, **kwargs):
        made.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counting)
    monkeypatch.setattr(api, "_panhuo_schemas", {}, raising=False)
    first = api.get_openapi_schema(path_prefix="/api/v1/")
    first["paths"].clear()
    second = api.get_openapi_schema(path_prefix="/api/v1/")
    assert len(made) == 1
    assert {(m, p) for p, ops in second["paths"].items() for m in ops} == ENDPOINTS
    api.get_openapi_schema(path_prefix="/other/")
    assert len(made) == 2


@pytest.mark.django_db
def test_docs_page_works_offline():
    """Swagger UI comes from the files ninja ships: no CDN, no online validator."""
    r = Client().get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/api/v1/openapi.json" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert '"validatorUrl": null' in html
    for source in sources:
        asset = Client().get(source)
        assert asset.status_code == 200, source


def test_docs_need_sign_in_unless_configured_public(world, settings):
    """Issue 13: /api/v1/docs was public in production. Off unless PANHUO_API_DOCS_PUBLIC."""
    from panhuo.organisation.services import api_token_create

    settings.PANHUO = {**settings.PANHUO, "API_DOCS_PUBLIC": False}
    anonymous = Client()
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 302 and page["Location"].startswith("/login/")
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and "sign in" in schema.json()["detail"].lower()
    bad = anonymous.get("/api/v1/openapi.json", headers={"Authorization": "Bearer phk_wrong"})
    assert bad.status_code == 401
    assert client_for(world, "bidder").get("/api/v1/docs").status_code == 200
    _, key = api_token_create(actor=world.user("finance"), user=world.user("finance"), name="x")
    token = anonymous.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {key}"})
    assert token.status_code == 200 and "paths" in token.json()
    settings.PANHUO = {**settings.PANHUO, "API_DOCS_PUBLIC": True}
    assert Client().get("/api/v1/docs").status_code == 200


def test_docs_are_private_by_default_in_production(tmp_path):
    from panhuo.core.tests.test_security import _production

    code = "import panhuo.settings as s; print(s.PANHUO['API_DOCS_PUBLIC'])"
    seen = _production(code, PANHUO_DATA_DIR=str(tmp_path))
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.strip() == "False"
    opened = _production(code, PANHUO_DATA_DIR=str(tmp_path), PANHUO_API_DOCS_PUBLIC="true")
    assert opened.stdout.strip() == "True"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/me",
        "/api/v1/assets",
        "/api/v1/assets/1",
        "/api/v1/audit/verify",
        "/api/v1/tokens",
    ],
)
@pytest.mark.django_db
def test_anonymous_is_401_with_a_json_body(url):
    r = Client().get(url)
    assert r.status_code == 401 and r["Content-Type"].startswith("application/json")
    assert "Bearer" in r.json()["detail"]


def test_unparseable_body_is_400_and_writes_nothing(world):
    aw = build_api_world(world)
    before = fingerprint()
    c = client_for(world, "office")
    for data in ("{not json", "[" * 100_000, b"\xff\xfe{"):
        r = c.post("/api/v1/assets", data=data, content_type="application/json")
        assert r.status_code == 400 and "detail" in r.json()
    r = c.post("/api/v1/assets", data="[1, 2]", content_type="application/json")
    assert r.status_code == 422 and list(r.json()["errors"]) == ["body"]
    r = c.patch(f"/api/v1/assets/{aw.asset.pk}")
    assert r.status_code == 422 and list(r.json()["errors"]) == ["body"]
    assert fingerprint() == before


def test_a_validation_error_without_a_field_is_still_json(rf):
    from panhuo.api import on_invalid

    response = on_invalid(rf.get("/"), ValidationError("Something is off."))
    assert response.status_code == 400
    assert b'"__all__"' in response.content and b"Something is off." in response.content


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "payload", "amount"), "amount"),
        (("body", "payload", "asset_ids", 0), "asset_ids.0"),
        (("query", "page"), "page"),
        (("path", "asset_id"), "asset_id"),
        (("body", "payload"), "body"),
        (("form", "commit"), "commit"),
        (("file", "file"), "file"),
    ],
)
def test_error_locations_become_field_names(loc, field):
    assert _field_of(loc) == field


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("0.01", True),
        ("12", True),
        (12, True),
        ("+3.10", True),
        ("999999999999999999.99", True),
        ("9999999999999999999", False),
        ("0", False),
        ("-0.01", False),
        ("1e3", False),
        (" ", False),
        ("١٢", False),  # other scripts' digits are not decimal text here
        (1.0, False),
        (None, False),
    ],
)
def test_money_parser(value, ok):
    parse = decimal_parser(max_digits=20, places=2, minimum=0, above=True)
    if ok:
        assert parse(value) > 0
    else:
        with pytest.raises(ValueError):
            parse(value)


def test_operation_ids_are_unique_and_short():
    ops = [
        op["operationId"]
        for ops in api.get_openapi_schema(path_prefix="/api/v1/")["paths"].values()
        for op in ops.values()
    ]
    assert len(ops) == len(set(ops)) == len(ENDPOINTS)
    assert not any(o.startswith("panhuo_") for o in ops)


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document keys its schemas by class name: two classes of one name document
    one answer with the other's fields (package suggestions were shown as allocation
    suggestions, and schemathesis then failed the real answers against them)."""
    from collections import Counter

    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {s for s in subclasses(Schema) if s.__module__.startswith("panhuo.")}
    twice = sorted(n for n, c in Counter(s.__name__ for s in ours).items() if c > 1)
    assert twice == []
