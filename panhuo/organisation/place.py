"""Setting up a real place (``panhuo setup --file place.yaml``): its jurisdiction tree, holding
units and first users with their roles, all in one transaction with an audit entry each.

The file is checked first (``place_file.py``), every problem named; only a file without any is
written, and whatever the models' own validation still finds rolls the whole of it back.

Passwords never come from the file (it is shared and kept): each user gets a generated one,
returned only here for the command to print once.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panhuo.core.validation import full_clean
from panhuo.integrity.services import audit_insert, audit_record, snapshot
from panhuo.organisation.admin_users import user_insert
from panhuo.organisation.models import Jurisdiction, RoleAssignment, Unit, User
from panhuo.organisation.place_file import (
    LEVEL_ORDER,
    PlaceFileError,
    PlaceResult,
    Problem,
    _Checker,
    _text,
    place_check,
)

__all__ = ["PlaceFileError", "PlaceResult", "Problem", "place_check", "place_setup"]


class _DryRun(Exception):
    pass


def place_setup(*, operator, data: Any, dry_run: bool = False) -> PlaceResult:
    """Write the place described by ``data`` (a parsed place file), all or nothing, with an
    audit entry per record naming ``operator``. Raises PlaceFileError listing every problem.

    ``dry_run`` writes it all and rolls it back, so the check is the very one of the real run.
    """
    checker = _Checker(data)
    if checker.problems:
        raise PlaceFileError(checker.problems)
    result = PlaceResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(checker, operator, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except IntegrityError as exc:
        # Only a write racing this one (another set-up) gets past the checks to the database's
        # own constraints; everything was rolled back.
        message = _("the database changed while this ran (another set-up?): run it again.")
        raise PlaceFileError([Problem("", "file", message)]) from exc
    return result


def _write(checker: _Checker, operator, result: PlaceResult) -> None:
    places: dict[str, Jurisdiction] = {}
    units: dict[str, Unit] = {}
    current = ""
    try:
        for spec in sorted(checker.places.values(), key=lambda p: LEVEL_ORDER[p["level"]]):
            current = spec["entry"]
            parent = places.get(spec["parent"])
            # path is set from the primary key on save; a prefix now so that validation passes
            j = Jurisdiction(
                code=spec["code"],
                name=_text(spec.get("name")),
                name_en=_text(spec.get("name_en")),
                level=spec["level"],
                parent=parent,
                path=parent.path if parent else "/",
            )
            full_clean(j)
            j.save(force_insert=True)
            audit_record(
                actor=operator,
                action="jurisdiction.create",
                obj=j,
                after=snapshot(j),
                jurisdiction_path=j.path,
            )
            places[j.code] = j
            result.jurisdictions.append(j)
        for spec in checker.unit_list:
            current = spec["entry"]
            unit = Unit(
                code=spec["code"],
                credit_code=spec["credit_code"],
                name=_text(spec.get("name")),
                name_en=_text(spec.get("name_en")),
                kind=spec["kind"],
                jurisdiction=places[spec["jurisdiction"]],
                supervisor=units[spec["boss"]["code"]] if "boss" in spec else None,
            )
            path = unit.jurisdiction.path
            audit_insert(unit, actor=operator, action="unit.create", jurisdiction_path=path)
            units[unit.code] = unit
            result.units.append(unit)
        for spec in checker.users:
            current = spec["entry"]
            password = secrets.token_urlsafe(12)
            user = User(
                username=spec["username"],
                first_name=_text(spec.get("name")),
                email=_text(spec.get("email")),
                language=spec["language"],
                # The password is printed on a terminal and handed over: the user chooses
                # their own at first sign-in.
                must_change_password=True,
            )
            assignments = [
                RoleAssignment(
                    user=user, role=role, jurisdiction=places[place], unit=units.get(unit_code)
                )
                for role, place, unit_code in spec["grants"]
            ]
            user_insert(user, password, assignments, actor=operator)
            result.users.append((user, password))
            result.assignments += len(assignments)
    except ValidationError as exc:
        # What the checks above missed but the models' own validation caught (a username of
        # forbidden characters, an over-long name): still named by entry and field.
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        raise PlaceFileError(
            [Problem(current, f or "-", " ".join(m)) for f, m in fields.items()]
        ) from exc
