"""The same failed import reads in each reader's language (issue 13: every string, refusals and
import errors included, exists in Chinese and English).

Row errors and a file's refusal are stored as a code, a msgid and values
(``core.texts.Msg``) and translated when shown: on the run page, in the API (with the code for
scripts), in the errors CSV. The worker's own language does not matter: here it works in
Chinese, and an English reader still reads English.
"""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from panhuo.core.testing import build_world
from panhuo.core.texts import Msg, render
from panhuo.register import imports
from panhuo.register.import_models import ImportRun

pytestmark = pytest.mark.django_db

BAD_ROWS = (
    "unit,code,name,kind,book_value,status\n"
    "U1,R-1,Old school,building,abc,idle\n"
    "U1,R-2,Car,vehicle,-5,in_use\n"
    "NOPE,R-3,Shed,building,10,idle\n"
)


@pytest.fixture
def w(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return build_world()


def _run_in_chinese_worker(w, text: str, *, commit: bool = True) -> ImportRun:
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(text.encode()), filename="r.csv", commit=commit
    )
    with translation.override("zh-hans"):
        imports.run_import_task.call(run.pk)
    run.refresh_from_db()
    return run


def _reader(w, language: str) -> Client:
    user = w.user("office")
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_row_errors_read_in_each_readers_language(w):
    run = _run_in_chinese_worker(w, BAD_ROWS)
    assert run.status == ImportRun.Status.REJECTED
    stored = run.report["errors"]
    assert [e["code"] for e in stored] == ["not_a_number", "negative", "unknown_unit"]
    # The English text is kept too (older readers of the JSON), whatever the worker spoke.
    assert stored[0]["message"] == "“abc” is not a number"

    # One user, who switches language between readings (the language is the user's setting).
    english = _reader(w, "en").get(f"/api/v1/imports/{run.pk}").json()["report"]["errors"]
    chinese = _reader(w, "zh-hans").get(f"/api/v1/imports/{run.pk}").json()["report"]["errors"]
    assert [e["code"] for e in english] == [e["code"] for e in chinese]
    assert english[0]["message"] == "“abc” is not a number"
    assert chinese[0]["message"] == "“abc”不是数字"
    assert english[1]["message"] == "-5.00 is negative"
    assert chinese[1]["message"] == "-5.00 为负数"
    assert "unknown unit “NOPE”" in english[2]["message"]
    assert chinese[2]["message"].startswith("未知单位“NOPE”")

    page_en = _reader(w, "en").get(run.get_absolute_url()).content.decode()
    page_zh = _reader(w, "zh-hans").get(run.get_absolute_url()).content.decode()
    assert "is not a number" in page_en and "不是数字" not in page_en
    assert "不是数字" in page_zh and "is not a number" not in page_zh

    def errors_csv(language: str) -> list[list[str]]:
        response = _reader(w, language).get(reverse("import-run-errors", args=[run.pk]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(body)))

    assert errors_csv("en")[1][2] == "“abc” is not a number"
    assert errors_csv("zh-hans")[1][2] == "“abc”不是数字"


def test_a_refused_file_reads_in_each_readers_language(w):
    run = _run_in_chinese_worker(w, "unit,code,name\n")
    assert run.status == ImportRun.Status.REJECTED
    assert run.message == "The file has a header row but no data rows."
    for language, expected in (("en", run.message), ("zh-hans", "文件只有表头，没有数据行。")):
        client = _reader(w, language)
        answer = client.get(f"/api/v1/imports/{run.pk}").json()
        assert answer["message"] == expected
        assert answer["message_code"] == "no_data_rows"
        assert expected in client.get(run.get_absolute_url()).content.decode()


def test_a_limit_refusal_keeps_its_values_in_both_languages(w, settings):
    settings.PANHUO = {
        **settings.PANHUO,
        "IMPORT_LIMITS": {**settings.PANHUO["IMPORT_LIMITS"], "ROWS": 1},
    }
    run = _run_in_chinese_worker(w, BAD_ROWS, commit=False)
    assert run.message_code == "limit_rows"
    with translation.override("en"):
        assert "more than 1 data rows" in run.shown_message
    with translation.override("zh-hans"):
        assert "1" in run.shown_message and "PANHUO_IMPORT_MAX_ROWS" in run.shown_message
        assert run.shown_message != run.message


def test_runs_stored_before_codes_still_display(w):
    """A run written before messages were kept as msgids: English text only, no codes."""
    run = _run_in_chinese_worker(w, BAD_ROWS)
    old_errors = [{"row": 2, "column": "book_value", "message": "'abc' is not a number"}]
    ImportRun.objects.filter(pk=run.pk).update(
        report={**run.report, "errors": old_errors},
        message_i18n={"en": "Old words", "zh-hans": "旧的话"},
        message="Old words",
    )
    zh = _reader(w, "zh-hans")
    answer = zh.get(f"/api/v1/imports/{run.pk}").json()
    assert answer["report"]["errors"] == [
        {"row": 2, "column": "book_value", "code": "", "message": "'abc' is not a number"}
    ]
    assert answer["message"] == "旧的话" and answer["message_code"] == ""
    page = zh.get(run.get_absolute_url())
    assert page.status_code == 200 and "&#x27;abc&#x27; is not a number" in page.content.decode()


def test_a_message_renders_nested_messages_and_labels_on_display():
    from panhuo.register.models import AssetStatus
    from panhuo.register.services import status_change_message

    msg = status_change_message("disposed", "idle")
    stored = msg.as_json()
    with translation.override("zh-hans"):
        chinese = render(stored)
    with translation.override("en"):
        english = render(stored)
        idle = str(AssetStatus.IDLE.label)
    assert idle in english and "is not allowed" in english
    assert "闲置" in chinese and "is not allowed" not in chinese
    assert Msg.from_json(stored) == msg


PANHUO = Path(__file__).resolve().parents[2]


def test_every_message_marks_its_msgid_for_the_catalogue():
    """A ``Msg`` whose msgid is not a ``gettext_noop`` literal (or a name bound to one) would
    escape makemessages, and so the translations test: it would stay English for ever."""
    loose = []
    for path in PANHUO.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Msg"):
                continue
            msgid = node.args[1] if len(node.args) > 1 else None
            marked = isinstance(msgid, ast.Call) and getattr(msgid.func, "id", "") == (
                "gettext_noop"
            )
            named = isinstance(msgid, ast.Name | ast.Subscript)  # a table of marked msgids
            if not (marked or named):
                loose.append(f"{path.relative_to(PANHUO)}:{node.lineno}")
    assert loose == []
