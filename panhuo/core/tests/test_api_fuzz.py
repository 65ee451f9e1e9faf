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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from panhuo.core.tests.api_support import build_api_world, call, client_for
from panhuo.core.tests.per_caller import rolled_back
from panhuo.organisation.services import api_token_create

# Tier: see the markers in pyproject.toml.
pytestmark = pytest.mark.fuzz

#: Generated requests per operation; with ~100 operations this keeps the run well under a
#: minute on SQLite. ``PANHUO_FUZZ_EXAMPLES`` changes it: CI's SQLite stage runs half the budget
#: (the answers' shapes do not depend on the database; PostgreSQL, production's, gets it all).
EXAMPLES = int(os.environ.get("PANHUO_FUZZ_EXAMPLES", "8"))
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
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


def generate(operation, *, examples, path_parameters=None, query=None) -> list:
    """Up to ``examples`` generated requests (positive and negative) for ``operation``, drawn
    as before by a derandomized Hypothesis run, collected instead of sent: generating them is
    most of the fuzzing's time, and every caller is sent the same ones."""
    strategies = [
        operation.as_strategy(mode, path_parameters=path_parameters, query=query) for mode in MODES
    ]
    cases: list = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(*strategies))
    def run(case):
        cases.append(case)

    run()
    return cases


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
    generated: list[tuple[str, str, list]] = []
    for operation in operations[part::PARTS]:
        params = _names(operation.path_parameters)
        variants = [("generated", None, None)]
        if params and params <= ids.keys():
            variants.append(("known ids", {name: ids[name] for name in params}, None))
        if "jurisdiction" in _names(operation.query):
            variants.append(("known jurisdiction", None, {"jurisdiction": world.district.pk}))
        for label, fixed, query in variants:
            cases = generate(
                operation, examples=max(CALLERS.values()), path_parameters=fixed, query=query
            )
            assert cases, (operation.label, label)
            generated.append((operation.label, label, cases))

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
