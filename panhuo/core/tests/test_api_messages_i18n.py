"""The API refuses in the caller's language (issue 13: every refusal in Chinese and English).

A body's number-format refusals (``core.schemas``), pydantic's own ("Field required"), a body
too large for the API, a body that is not JSON, "Not found": each reads in Chinese for a user
whose language is Chinese (session or API token) and for a caller who asks for it by
``Accept-Language``, and in English otherwise. The 422's field names and codes stay the same in
both languages, so scripts can rely on them.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from panhuo.core.testing import build_world
from panhuo.core.validation_texts import translate_error
from panhuo.finance.models import Debt
from panhuo.organisation.services import api_token_create

pytestmark = pytest.mark.django_db

ZH = "zh-hans"


@pytest.fixture
def w():
    return build_world()


def _body(w, **changes) -> dict:
    body = {
        "jurisdiction": w.district.pk,
        "creditor": "Bank",
        "debt_type": "bank_loan",
        "principal": "1000.00",
        "rate": "4.000",
        "issue_date": "2026-01-01",
        "maturity_date": "2030-01-01",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def _as(w, language: str, *, token: bool = False, accept: str | None = None):
    """A caller (finance) whose language is ``language`` ('' = the site's), by session or
    by API token; ``accept`` adds an Accept-Language header."""
    user = w.user("finance")
    user.language = language
    user.save(update_fields=["language"])
    headers = {"Accept-Language": accept} if accept else {}
    client = Client()
    if token:
        _, key = api_token_create(actor=user, user=user, name="script")
        headers["Authorization"] = f"Bearer {key}"
    else:
        client.force_login(user)

    def post(body, **kwargs):
        data = body if isinstance(body, str) else json.dumps(body)
        return client.post(
            "/api/v1/debts", data=data, content_type="application/json", headers=headers, **kwargs
        )

    return post, client, headers


CALLERS = [
    pytest.param({"language": ZH}, id="zh-user-session"),
    pytest.param({"language": ZH, "token": True}, id="zh-user-token"),
    pytest.param({"language": "", "accept": ZH}, id="accept-language-zh"),
]


@pytest.mark.parametrize("caller", CALLERS)
def test_number_format_refusals_in_chinese(w, caller):
    post, _, _ = _as(w, **caller)
    cases = {
        1000.5: "JSON 数字",  # a float: give decimal text
        "12,5": "不是",  # not a decimal number
        "1.234": "最多 2 位小数",
        "123456789012345678901": "小数点前最多",
        "0": "必须大于 0",
        "10000000000000": "过大",  # the bound on amounts (core.bounds)
    }
    for principal, chinese in cases.items():
        r = post(_body(w, principal=principal))
        assert r.status_code == 422, (principal, r.content)
        errors = r.json()["errors"]
        assert list(errors) == ["principal"], errors
        assert chinese in errors["principal"][0], (principal, errors)
        # The list under "detail" says the same, so neither reads English.
        assert r.json()["detail"][0]["msg"] == errors["principal"][0]
    assert not Debt.objects.exists()


@pytest.mark.parametrize("caller", CALLERS)
def test_pydantic_own_messages_in_chinese(w, caller):
    post, _, _ = _as(w, **caller)
    r = post(_body(w, creditor=None, debt_type="mortgage", rate=None, colour="red",
                   issue_date="2026-13-01", jurisdiction="x"))  # fmt: skip
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert errors["creditor"] == ["此字段为必填项。"]
    assert errors["jurisdiction"] == ["请给出整数。"]
    assert errors["issue_date"] == ["请按 YYYY-MM-DD 给出日期。"]
    assert errors["colour"] == ["此处不接受该字段。"]
    assert errors["debt_type"][0].startswith("请给出以下之一：")
    assert "'bank_loan'" in errors["debt_type"][0]
    text = json.dumps(r.json(), ensure_ascii=False)
    assert "Field required" not in text and "Input should" not in text


def test_english_stays_english(w):
    post, _, _ = _as(w, "en")
    r = post(_body(w, principal=1000.5, creditor=None))
    errors = r.json()["errors"]
    assert errors["creditor"] == ["This field is required."]
    assert errors["principal"][0].startswith('Give the amount as decimal text, e.g. "1234.50"')


@pytest.mark.parametrize("caller", [*CALLERS, pytest.param({"language": "en"}, id="en")])
def test_a_body_over_the_limit_is_a_json_413_naming_it(w, settings, caller):
    post, _, _ = _as(w, **caller)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    r = post(_body(w, creditor="x" * (limit + 1)))
    assert r.status_code == 413
    assert r["Content-Type"].startswith("application/json")
    detail = r.json()["detail"]
    assert "2.5 MiB" in detail and f"{limit:,}" in detail
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in detail
    assert r.json()["errors"] == {"body": [detail]}
    if caller.get("language") == "en":
        assert detail.startswith("The request body is larger than the API accepts")
    else:
        assert detail.startswith("请求正文超过 API 接受的大小")
    assert not Debt.objects.exists()


@pytest.mark.parametrize("caller", CALLERS)
def test_a_body_that_is_not_json_and_not_found_in_chinese(w, caller):
    post, client, headers = _as(w, **caller)
    r = post("{not json")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert r.json()["detail"].startswith("无法读取请求正文")
    r = client.get("/api/v1/debts/999999", headers=headers)
    assert r.status_code == 404 and r.json()["detail"] == "未找到。"


def test_a_wrong_token_is_refused_in_the_callers_language(w):
    r = Client().get(
        "/api/v1/debts", headers={"Authorization": "Bearer nope", "Accept-Language": ZH}
    )
    assert r.status_code == 401 and r.json()["detail"] == "API 令牌无效或已撤销。"


def test_every_message_in_the_table_is_translated():
    """Each pydantic type the table knows reads in Chinese, with its values."""
    from django.utils import translation

    from panhuo.core.validation_texts import _EXTRA_FORBIDDEN_EN, _MESSAGES

    ctx = {"min_length": 2, "max_length": 3, "pattern": "^x$", "gt": 0, "ge": 0, "lt": 9,
           "le": 9, "multiple_of": 2, "expected": "'a' or 'b'", "expected_tags": "'a'"}  # fmt: skip
    for kind in _MESSAGES:
        error = {"type": kind, "msg": _EXTRA_FORBIDDEN_EN, "ctx": ctx}
        with translation.override(ZH):
            chinese = translate_error(error)
        with translation.override("en"):
            english = translate_error(error)
        assert chinese != english and "%(" not in chinese, kind


@pytest.mark.parametrize("caller", CALLERS)
def test_an_unknown_reference_is_named_in_chinese(w, caller):
    post, client, headers = _as(w, **caller)
    r = post(_body(w, jurisdiction=999999))
    assert r.status_code == 404
    assert r.json()["errors"] == {"jurisdiction": ["未知的行政区划 999999。"]}
    r = client.get("/api/v1/trace", headers=headers)
    assert r.status_code == 400
    assert r.json()["errors"]["asset"] == ["请只给出资产、债务或回款中的一项。"]


def test_an_unknown_reference_in_english(w):
    post, _, _ = _as(w, "en")
    r = post(_body(w, jurisdiction=999999))
    assert r.json()["errors"] == {"jurisdiction": ["Unknown jurisdiction 999999."]}
