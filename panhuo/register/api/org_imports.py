"""API: the site administrator's bulk imports of holding units and users (register/org_import.py),
queued and run like the asset import (same form, mapping, dry run and modes). Runs are the
caller's own: anyone else's answers 404. A users import's one-time passwords are taken once
(``POST /user-imports/{id}/passwords``), then they are gone."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from panhuo.core.api import actor, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.register.api.imports import _queue
from panhuo.register.import_liveness import take_secrets
from panhuo.register.import_mappings import MAPPING_PERMISSION
from panhuo.register.import_models import ImportRun
from panhuo.register.import_schemas import ImportForm, ImportRunDetailOut
from panhuo.register.imports import fail_if_stale

router = Router(tags=["imports"])


def _own(request: HttpRequest, target: str):
    require_any(request, *MAPPING_PERMISSION[target])
    return ImportRun.objects.filter(owner=actor(request), target=target)


@router.post("/unit-imports", response={202: ImportRunDetailOut, **ERRORS})
def unit_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a CSV or XLSX file of holding units (credit code, name, kind, jurisdiction code,
    supervising department) and queue its import; follow it at ``GET /unit-imports/{id}``.
    A known credit code updates that unit."""
    return _queue(_own(request, "units"), actor(request), file, details, "units")


@router.get("/unit-imports/{run_id}", response={200: ImportRunDetailOut, **ERRORS})
def unit_import_detail(request: HttpRequest, run_id: Id):
    """Status, progress and, when done, the report of one of your unit imports."""
    return fail_if_stale(_own(request, "units").get(pk=run_id))


@router.post("/user-imports", response={202: ImportRunDetailOut, **ERRORS})
def user_import_new(request: HttpRequest, file: File[UploadedFile], details: Form[ImportForm]):
    """Upload a CSV or XLSX file of users (username, name, email, role, jurisdiction code or
    unit) and queue its import; follow it at ``GET /user-imports/{id}``. A username that
    exists is a row error."""
    return _queue(_own(request, "users"), actor(request), file, details, "users")


@router.get("/user-imports/{run_id}", response={200: ImportRunDetailOut, **ERRORS})
def user_import_detail(request: HttpRequest, run_id: Id):
    """Status, progress and, when done, the report of one of your user imports."""
    return fail_if_stale(_own(request, "users").get(pk=run_id))


class OneTimePassword(Schema):
    username: str
    password: str = Field(description="Shown this once; to be changed at first sign-in.")


@router.post("/user-imports/{run_id}/passwords", response={200: list[OneTimePassword], **ERRORS})
def user_import_passwords(request: HttpRequest, run_id: Id):
    """The one-time passwords of the users a committed import created, once: a second call (or
    the run's page having shown them) answers an empty list; reset a password then."""
    run = _own(request, "users").get(pk=run_id)
    return [{"username": u, "password": pw} for u, pw in sorted(take_secrets(run).items())]
