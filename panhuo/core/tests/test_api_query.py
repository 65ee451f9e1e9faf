"""A query parameter a GET endpoint does not declare is a 422 naming it (issue 14, item 5).

Before, ninja dropped it without a word: ``/api/v1/debts?jurisdicton=3`` (a typo) answered every
debt, as if unfiltered. The walk covers every GET operation of the OpenAPI schema, so a new list
endpoint is checked without editing this file.
"""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.api import api
from panhuo.core.testing import UserFactory, make_user
from panhuo.organisation.models import Jurisdiction, Role

pytestmark = pytest.mark.django_db


def _get_paths() -> list[str]:
    """Every GET path of the schema, its path parameters filled with a well-formed value
    (1 for a number, "x" otherwise): the query is checked before the record is looked up."""
    schema = api.get_openapi_schema()
    paths = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None:
            continue
        kinds = {
            p["name"]: p.get("schema", {}).get("type")
            for p in get.get("parameters", [])
            if p["in"] == "path"
        }
        for name, kind in kinds.items():
            path = path.replace(f"{{{name}}}", "1" if kind == "integer" else "x")
        paths.append(path)
    return paths


def _client(language: str = "") -> Client:
    client = Client()
    client.force_login(UserFactory(language=language))
    return client


def test_every_get_operation_names_an_unknown_query_parameter():
    paths = _get_paths()
    assert "/api/v1/debts" in paths and "/api/v1/assets" in paths and len(paths) > 30
    client = _client("en")
    wrong = {}
    for path in paths:
        response = client.get(path, {"no_such_filter": "1"})
        body = response.json() if response["Content-Type"].startswith("application/json") else {}
        if response.status_code != 422 or "no_such_filter" not in body.get("errors", {}):
            wrong[path] = (response.status_code, body)
    assert wrong == {}


def test_the_answer_names_the_parameter_and_what_is_accepted_in_english_and_chinese():
    response = _client("en").get("/api/v1/debts", {"jurisdicton": "3", "page": "1"})
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["jurisdicton"]
    message = body["errors"]["jurisdicton"][0]
    assert "Unknown query parameter “jurisdicton”" in message
    assert "jurisdiction" in message and "page_size" in message  # what would have been right
    assert body["detail"][0]["loc"] == ["query", "jurisdicton"]

    zh = _client("zh-hans").get("/api/v1/debts", {"jurisdicton": "3"}).json()
    assert "未知的查询参数“jurisdicton”" in zh["errors"]["jurisdicton"][0]


def test_declared_parameters_still_pass_and_an_anonymous_caller_is_told_401_first():
    district = Jurisdiction.objects.create(code="D1", name="District", level="district")
    client = Client()
    client.force_login(make_user("fin", Role.FINANCE, district))
    query = {"page": "1", "page_size": "5", "jurisdiction": str(district.pk), "q": "bond"}
    assert client.get("/api/v1/debts", query).json()["count"] == 0
    assert Client().get("/api/v1/debts", {"no_such_filter": "1"}).status_code == 401
