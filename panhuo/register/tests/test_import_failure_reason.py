"""A failed background import tells its reader why, on the page and in the API, in their
language (issue 14, item 5): never "see the worker log", which the uploader cannot read."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy

from panhuo.core.testing import build_world
from panhuo.register import imports
from panhuo.register.import_models import ImportRun

pytestmark = pytest.mark.django_db

CSV = "unit,code,name,kind,book_value,status\nU1,R-1,Old school,building,1000000,idle\n"


@pytest.fixture
def w(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return build_world()


def _run(w) -> ImportRun:
    return imports.import_run_create(
        actor=w.user("office"), upload=io.BytesIO(CSV.encode()), filename="r.csv", commit=True
    )


def _fail_with(w, monkeypatch, exc: Exception) -> ImportRun:
    run = _run(w)

    def boom(*args, **kwargs):
        raise exc

    monkeypatch.setattr(imports, "run_import", boom)
    with pytest.raises(type(exc)):
        imports.run_import_task.call(run.pk)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    return run


def _reader(w, language: str) -> Client:
    user = w.user("office")
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _shown(w, run: ImportRun, language: str) -> tuple[str, str]:
    """The message of the API's answer and the run page's text, for a reader in ``language``."""
    client = _reader(w, language)
    api = client.get(f"/api/v1/imports/{run.pk}").json()
    return api["message"], client.get(run.get_absolute_url()).content.decode()


def test_a_library_error_is_shown_with_its_kind_and_text(w, monkeypatch):
    run = _fail_with(w, monkeypatch, RuntimeError("could not extend file: No space left"))
    english = (
        "The import failed; nothing was written. "
        "Reason: RuntimeError: could not extend file: No space left"
    )
    assert run.message == english and "worker log" not in run.message
    api, page = _shown(w, run, "en")
    assert api == english and english in page
    api, page = _shown(w, run, "zh-hans")
    chinese = "导入失败，未写入任何数据。原因：RuntimeError: could not extend file: No space left"
    assert api == chinese and chinese in page


def test_our_own_reason_is_translated_for_each_reader(w, monkeypatch):
    required = gettext_lazy("This field is required.")
    run = _fail_with(w, monkeypatch, ValidationError({"unit": [required]}))
    assert _shown(w, run, "en")[0] == (
        "The import failed; nothing was written. Reason: unit: This field is required."
    )
    with translation.override("zh-hans"):
        said = str(required)  # the project's own wording, or Django's where it has none
    assert said != "This field is required."
    chinese = f"导入失败，未写入任何数据。原因：unit: {said}"
    assert _shown(w, run, "zh-hans")[0] == chinese


def test_a_stopped_worker_is_said_in_the_readers_language(w, settings):
    settings.PANHUO = {**settings.PANHUO, "IMPORT_STALE_SECONDS": 0}
    run = _run(w)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, started_at=run.created_at
    )
    imports.fail_stale_runs()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.message.startswith("The worker stopped while importing")
    assert _shown(w, run, "zh-hans")[0].startswith("导入过程中后台进程停止")
