"""Schemathesis against the API's own OpenAPI schema, in process (the WSGI app).

Every operation gets a bounded number of generated requests from a signed-in office user (API
token) over records in every state (the API tests' world). Each answer must be no server error
and must match what the schema says for its status (body and content type). Generation is
derandomized, so a run is the same every time: a failure here is a bug to fix, not luck.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from panhuo.core.tests.api_support import build_api_world, call, client_for
from panhuo.core.tests.fuzz_cases import cache_key, generate, load, save, with_fixed
from panhuo.core.tests.per_caller import rolled_back
from panhuo.organisation.services import api_token_create

# Tier: see the markers in pyproject.toml.
pytestmark = pytest.mark.fuzz

#: Generated requests per operation; with ~100 operations this keeps the run well under a
#: minute on SQLite. ``PANHUO_FUZZ_EXAMPLES`` changes it: CI's SQLite stage runs half the budget
#: (the answers' shapes do not depend on the database; PostgreSQL, production's, gets it all).
EXAMPLES = int(os.environ.get("PANHUO_FUZZ_EXAMPLES", "8"))
#: Requests generated per operation and variant: the full budget whatever ``EXAMPLES`` is, so
#: that a run with a smaller one (CI's SQLite run) sends the first of the same requests and
#: makes the cache the other runs read (``fuzz_cases.py``).
GENERATED = max(EXAMPLES, 8)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def app_in_the_test_transaction():
    """The WSGI app, minus the signal that closes the connection after each request (what
    Django's own test client does): the requests run inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def known_ids(records, victim_token_id: int) -> dict[str, int]:
    """Path parameters that name records the office user can see, so generated requests reach
    past the lookup: a write with a generated body on a real record, not only 404s."""
    return {
        "asset_id": records.asset_free.pk,
        "package_id": records.package_free.pk,
        "project_id": records.project.pk,
        "receipt_id": records.receipt.pk,
        "debt_id": records.debt.pk,
        "allocation_id": records.allocation.pk,
        # A token of its own to revoke: revoking the caller's token would end the run.
        "token_id": victim_token_id,
    }


def _names(parameters) -> set[str]:
    return {p.name for p in parameters}


def variants(operation, ids: dict[str, int], district: int) -> list[tuple[str, dict, dict]]:
    """How ``operation`` is fuzzed: with generated path parameters, with the known records'
    ids where it names them, and in the known jurisdiction where it takes one."""
    params = _names(operation.path_parameters)
    found = [("generated", None, None)]
    if params and params <= ids.keys():
        found.append(("known ids", {name: ids[name] for name in params}, None))
    if "jurisdiction" in _names(operation.query):
        found.append(("known jurisdiction", None, {"jurisdiction": district}))
    return found


def generated_requests(schema, operations, ids, district, part) -> list[tuple[str, str, list]]:
    """Each variant of each of this part's operations with its generated requests: read from
    the cache (``fuzz_cases.py``) when an earlier run (CI's SQLite run, say) made them for this
    schema, with this run's ids put in; else generated and kept there."""
    key = cache_key(schema.raw_schema, GENERATED, part, PARTS, sorted(ids))
    mine = operations[part::PARTS]
    wanted = [(op, *variant) for op in mine for variant in variants(op, ids, district)]
    cached = load(key, {operation.label: operation for operation in mine}) or []
    found = {(name, label): cases for name, label, _fixed, _query, cases in cached}
    if all((op.label, label) in found for op, label, _fixed, _query in wanted):
        return [
            (op.label, label, [with_fixed(case, fixed, query) for case in found[op.label, label]])
            for op, label, fixed, query in wanted
        ]
    made = []
    for op, label, fixed, query in wanted:
        cases = generate(op, examples=GENERATED, path_parameters=fixed, query=query)
        assert cases, (op.label, label)
        made.append((op.label, label, fixed, query, cases))
    save(key, made)
    return [(name, label, cases) for name, label, _fixed, _query, cases in made]


#: Who calls, and how many requests each makes per operation and variant: the office (the
#: register, packages, projects), finance (receipts, debts, allocations) and the head
#: (approvals, the audit log).
CALLERS = {"office": EXAMPLES, "finance": max(1, EXAMPLES // 2), "head": max(1, EXAMPLES // 2)}
#: Items the operations are dealt into (every PARTS-th operation), so that the run spreads
#: over the test workers (CI time, issue 11).
PARTS = 3


@pytest.mark.parametrize("part", range(PARTS))
def test_every_operation_answers_within_its_schema(
    world, app_in_the_test_transaction, settings, tmp_path, subtests, part
):
    """Each operation's generated requests are made once and sent as every caller (the first
    ``CALLERS[caller]`` of them); each caller's requests run in a savepoint rolled back after
    them, so every caller meets the same records, as a test item of its own would."""
    # Uploaded imports and documents, and progress in the cache, stay in this test's folder.
    settings.DATA_DIR = tmp_path
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        for alias in settings.CACHES
    }
    records = build_api_world(world)
    office = world.user("office")
    victim, _ = api_token_create(actor=office, user=office, name="to revoke")
    ids = known_ids(records, victim.pk)
    keys = {}
    for caller in CALLERS:
        user = world.user(caller)
        keys[caller] = api_token_create(actor=user, user=user, name="fuzz")[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_in_the_test_transaction)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    generated = generated_requests(schema, operations, ids, world.district.pk, part)

    for caller, examples in CALLERS.items():
        headers = {"Authorization": f"Bearer {keys[caller]}"}
        failures: dict[str, str] = {}
        with subtests.test(msg=caller), rolled_back():
            for name, label, cases in generated:
                try:
                    for case in cases[:examples]:
                        case.call_and_validate(headers=headers, checks=CHECKS)
                except (Exception, FailureGroup) as exc:
                    failures[f"{name} ({caller}, {label})"] = str(exc)[:3000]
            assert failures == {}, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


# --- What the fuzzing found, each pinned by a plain test -------------------------------------


def _documented(method: str, path: str) -> set[str]:
    from panhuo.api import api

    return set(api.get_openapi_schema()["paths"][path][method]["responses"])


def test_a_null_note_clears_a_projects_note(world):
    """``{"note": null}`` reached the database as NULL: a 409 'conflict' for a plain edit."""
    records = build_api_world(world)
    client = client_for(world, "office")
    url = f"/api/v1/projects/{records.project.pk}"
    assert call(client, "PATCH", url, {"note": "first"}).status_code == 200
    r = call(client, "PATCH", url, {"note": None})
    assert r.status_code == 200, r.content
    assert r.json()["note"] == ""
    records.project.refresh_from_db()
    assert records.project.note == ""


def test_a_stale_project_version_is_a_documented_409(world):
    records = build_api_world(world)
    client = client_for(world, "office")
    url = f"/api/v1/projects/{records.project.pk}"
    r = call(client, "PATCH", url, {"note": "x", "version": records.project.version + 7})
    assert r.status_code == 409
    assert 409 in _documented("patch", "/api/v1/projects/{project_id}")
