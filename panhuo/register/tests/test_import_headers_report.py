"""The dry run says which headers it matched, to which field, and which it left out (issue 14,
item 5): on the run page (English and Chinese), in the API's report and on the command line,
so a misspelt header is seen before the commit instead of as an empty field after it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from panhuo.core.testing import build_world
from panhuo.register import imports
from panhuo.register.models import Asset

pytestmark = pytest.mark.django_db

CSV = (
    "unit,code,name,kind,原值,Remarks,colour\n"
    "U1,R-1,Old school,building,1000000,keep the gate,red\n"
)


@pytest.fixture
def w(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return build_world()


def _dry_run(w):
    run = imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(CSV.encode()), filename="r.csv", commit=False
    )
    imports.run_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    return run


def _client(w, language: str) -> Client:
    user = w.user("office")
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_the_api_report_names_matched_and_ignored_headers(w):
    run = _dry_run(w)
    report = _client(w, "en").get(f"/api/v1/imports/{run.pk}").json()["report"]
    assert report["columns"] == {
        "unit": "unit",
        "code": "code",
        "name": "name",
        "kind": "kind",
        "原值": "book_value",
    }
    assert report["ignored_headers"] == ["Remarks", "colour"]
    assert not Asset.objects.exists()


def test_the_run_page_shows_them_in_english_and_chinese(w):
    run = _dry_run(w)
    html = _client(w, "en").get(run.get_absolute_url()).content.decode()
    assert "Columns read" in html and "Not imported: Remarks, colour" in html
    assert '<th scope="row" class="mono">原值</th>' in html and "book_value" in html
    zh = _client(w, "zh-hans").get(run.get_absolute_url()).content.decode()
    assert "读取到的列" in zh and "未导入： Remarks, colour" in zh


def test_the_command_line_dry_run_lists_them(w, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(CSV, encoding="utf-8")
    for language, matched, ignored in [
        ("en", "column “原值” → book_value", "not imported (no field of that name): Remarks"),
        ("zh-hans", "列“原值”→ book_value", "未导入（没有同名字段）：Remarks, colour"),
    ]:
        out = io.StringIO()
        with translation.override(language):
            call_command("import", "assets", str(path), user="office", no_progress=True, stdout=out)
        assert matched in out.getvalue() and ignored in out.getvalue()
    assert not Asset.objects.exists()
