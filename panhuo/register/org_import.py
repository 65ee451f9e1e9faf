"""Bulk import of holding units and users, for the site administrator: the register's import
machinery (mapping, saved mappings, dry run, row errors naming row and column, all or nothing,
background run) in front of the organisation's own services.

The organisation owns these tables, so every row is checked and written by
``admin_places.unit_create``/``unit_update`` and ``admin_users.user_create``: a dry run calls them
with ``dry_run=True``, which makes every check the write makes and returns the record unsaved,
so no file that passes the dry run fails at the commit. Their field errors come back as the
row's errors under the file's column. The whole file is written in one transaction (files of
tens or hundreds of rows), each record with its audit entry.

Units: keyed by the unified social credit code; a known code updates the unit (names, kind,
supervising department, code), a unit never moves to another jurisdiction. The supervising
department may be a unit of an earlier row. Users: keyed by the username (compared without
case). Each new user holds the row's role over its jurisdiction or, for a unit asset officer,
its unit, gets a generated password shown once in the import's result, and must change it at
first sign-in. A username that exists (the same file imported again, or a newer one) is the
same person: unchanged when they have the row's name, email and role, updated when the row
adds a name or email they lack or differ from, or a role they do not hold
(``admin_users.user_import_again``; no password, nothing taken away); a row error naming the
username when the user is not one the importer administers or is deactivated.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from panhuo.core.texts import Msg, message_of
from panhuo.organisation import admin_places, admin_users, policy
from panhuo.organisation.models import Jurisdiction, Role, Unit, User
from panhuo.organisation.place_file import KIND_WORDS
from panhuo.register.importing.engine import Target, repeated
from panhuo.register.importing.fields import FieldSpec, _norm, match_headers

UNIT_FIELDS: list[FieldSpec] = [
    FieldSpec("credit_code", "text", True, ("unified social credit code", "credit code",
              "统一社会信用代码", "信用代码", "社会信用代码"), 32),
    FieldSpec("name", "text", False, ("unit name", "单位名称", "名称"), 200),
    FieldSpec("name_en", "text", False, ("name in english", "english name", "英文名称"), 200),
    FieldSpec("kind", "choice", False, ("unit kind", "type", "单位类型", "单位性质", "类型"),
              choices="UnitKind"),
    FieldSpec("jurisdiction", "text", True, ("jurisdiction code", "division code",
              "行政区划代码", "行政区划", "地区编码", "辖区")),
    FieldSpec("supervisor", "text", False, ("supervising department", "主管部门",
              "主管单位")),
    FieldSpec("code", "text", False, ("unit code", "internal code", "单位编码", "单位代码"), 32),
]  # fmt: skip

USER_FIELDS: list[FieldSpec] = [
    FieldSpec("username", "text", True, ("user name", "login", "用户名", "账号", "登录名"), 150),
    FieldSpec("name", "text", False, ("full name", "姓名", "名字"), 150),
    FieldSpec("email", "text", False, ("e-mail", "mail", "电子邮件", "邮箱", "电子邮箱"), 254),
    FieldSpec("role", "choice", False, ("角色", "岗位"), choices="Role"),
    FieldSpec("jurisdiction", "text", False, ("jurisdiction code", "division code",
              "行政区划代码", "行政区划", "地区编码", "辖区")),
    FieldSpec("unit", "text", False, ("unit code", "holding unit", "单位", "单位编码",
              "统一社会信用代码")),
    FieldSpec("language", "choice", False, ("语言",), choices="Language"),
]  # fmt: skip

UNIT_LABELS = {
    "credit_code": _("Unified social credit code"),
    "name": _("Name"),
    "name_en": _("Name in English"),
    "kind": _("Kind"),
    "jurisdiction": _("Jurisdiction (its division code)"),
    "supervisor": _("Supervising department (its credit code or code)"),
    "code": _("Code"),
}
USER_LABELS = {
    "username": _("User name"),
    "name": _("Name"),
    "email": _("Email"),
    "role": _("Role"),
    "jurisdiction": _("Jurisdiction (its division code)"),
    "unit": _("Unit (its credit code or code)"),
    "language": _("Language"),
}
CHOICES = {
    "UnitKind": dict(Unit.Kind.choices),
    "Role": dict(Role.choices),
    "Language": {"en": "English", "zh-hans": "简体中文"},
}


def _words() -> dict[str, dict[str, str]]:
    """Words real files use for kinds, roles and languages, and every label in each language."""
    out: dict[str, dict[str, str]] = {
        "kind": {w: str(k) for w, k in KIND_WORDS.items()},
        "role": {"办公室": "office", "组长": "head", "副组长": "deputy", "财务": "finance",
                 "审计": "auditor", "监督": "supervisor", "单位资产管理员": "unit_officer",
                 "系统管理员": "site_admin"},
        "language": {"中文": "zh-hans", "简体中文": "zh-hans", "zh": "zh-hans", "英文": "en",
                     "english": "en"},
    }  # fmt: skip
    for name, key in (("kind", "UnitKind"), ("role", "Role")):
        for lang, _name in settings.LANGUAGES:
            with translation.override(lang):
                for code, label in CHOICES[key].items():
                    out[name].setdefault(str(label), code)
    return out


WORDS = _words()


def _auto(fields: list[FieldSpec], labels: dict):
    def auto_columns(headers: list[str]) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for spec in fields:
            words = [spec.name, *spec.aliases]
            for lang, _name in settings.LANGUAGES:
                with translation.override(lang):
                    words.append(str(labels[spec.name]))
            for w in words:
                lookup.setdefault(_norm(w), spec.name)
        return match_headers(headers, lookup)

    return auto_columns


# --- What the importer may write into -----------------------------------------------------------


def _places(actor, resource: str) -> dict[str, Jurisdiction]:
    return {j.code: j for j in policy.jurisdictions_for(actor, resource, "manage")}


def _by_code(units) -> dict[str, Unit]:
    out: dict[str, Unit] = {}
    for u in units:
        out.setdefault(u.code, u)
        if u.credit_code:
            out.setdefault(u.credit_code, u)
    return out


def _unit_context(actor) -> dict[str, Any]:
    return {
        "actor": actor,
        "places": _places(actor, "organisation"),
        # Supervisors may sit above the importer's places: every unit is looked up, none written.
        "units": _by_code(Unit.objects.select_related("jurisdiction")),
        "new": {},
    }


def _user_context(actor) -> dict[str, Any]:
    places = _places(actor, "user")
    units = Unit.objects.filter(jurisdiction__in=places.values()).select_related("jurisdiction")
    return {"actor": actor, "places": places, "units": _by_code(units)}


# --- Row checks ---------------------------------------------------------------------------------


def _referenced(reader, out: dict, bad, column: str, table: str, unknown: str, required=None):
    """Replace the code in ``column`` by the record of ``reader.ctx[table]`` it names. A code
    naming none of the caller's records is an error of the column (``unknown``, with the code),
    and so is an empty cell when ``required`` (its message) is given."""
    word = (out.pop(column, "") or "").strip()
    if not word:
        if required is not None:
            bad(column, required)
        return
    record = reader.ctx[table].get(word)
    if record is None:
        bad(column, Msg(f"unknown_{column}", unknown, code=word))
    out[column] = record


def _place(reader, out: dict, bad, required: bool) -> None:
    _referenced(
        reader, out, bad, "jurisdiction", "places",
        gettext_noop("unknown jurisdiction %(code)s (or not one you administer)"),
        Msg("jurisdiction_required", gettext_noop("the jurisdiction is required"))
        if required else None,
    )  # fmt: skip


def _unit_check(reader, out, rownum, report, bad) -> dict[str, Any] | None:
    before = report.error_count
    out["credit_code"] = (out.get("credit_code") or "").strip().upper()
    if not out["credit_code"]:
        bad("credit_code", Msg("credit_code_required",
                               gettext_noop("the credit code is required")))  # fmt: skip
    _place(reader, out, bad, required=True)
    return None if report.error_count > before else out


def _user_check(reader, out, rownum, report, bad) -> dict[str, Any] | None:
    before = report.error_count
    if not out.get("username"):
        bad("username", Msg("username_required", gettext_noop("the username is required")))
    if not out.get("role"):
        bad("role", Msg("role_required", gettext_noop("a user must hold a role: give one")))
    _place(reader, out, bad, required=False)
    _referenced(
        reader, out, bad, "unit", "units",
        gettext_noop("unknown unit %(code)s (or not in a jurisdiction you administer)"),
    )  # fmt: skip
    return None if report.error_count > before else out


#: The services' field names, as the file's fields.
_FIELD_OF = {"roles": "role", "first_name": "name", "is_active": "username"}


def _errors_to_row(exc: Exception, rownum: int, report, reader, default: str) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = _FIELD_OF.get(key.rsplit(".", 1)[-1], key.rsplit(".", 1)[-1])
            for error in errors:
                report.add_error(rownum, reader.header_of.get(name, name), message_of(error))
    else:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        report.add_error(rownum, reader.header_of.get(default, default), message)


# --- Units --------------------------------------------------------------------------------------


def _supervisor(reader, v, new: dict[str, Unit]) -> tuple[bool, Unit | None]:
    """(given, unit): the row's supervising department, found among the units or the file's
    earlier rows; (True, None) when the word names none."""
    word = (v.get("supervisor") or "").strip()
    if not word:
        return False, None
    return True, new.get(word) or reader.ctx["units"].get(word)


def _unit_flush(batch, actor, report, reader, commit: bool, source) -> None:
    # The file's new units of this pass, by credit code and code: later rows may name them.
    new: dict[str, Unit] = reader.ctx["new"].setdefault(commit, {})
    # The codes this pass gave (a unit's code is its credit code unless the row gives one):
    # the commit finds them in the table, so the dry run must find them here.
    codes: set[str] = reader.ctx.setdefault("codes", {}).setdefault(commit, set())
    for rownum, v in batch:
        given, supervisor = _supervisor(reader, v, new)
        if given and supervisor is None:
            report.add_error(rownum, reader.header_of.get("supervisor", "supervisor"), Msg(
                "unknown_supervisor",
                gettext_noop("no unit has the credit code or code %(code)s"),
                code=v["supervisor"],
            ))  # fmt: skip
            report.rejected += 1
            continue
        existing = reader.ctx["units"].get(v["credit_code"])
        code = (v.get("code") or "").strip()
        if (code or v["credit_code"]) in codes and (existing is None or code):
            report.add_error(rownum, reader.header_of.get("code", "code"),
                             Msg("code_taken", gettext_noop(
                                 "another row of the file has this code")))  # fmt: skip
            report.rejected += 1
            continue
        errors_before = report.error_count
        try:
            if existing is None:
                unit = admin_places.unit_create(
                    actor=actor, credit_code=v["credit_code"], name=v.get("name") or "",
                    kind=v.get("kind") or "", jurisdiction=v["jurisdiction"],
                    supervisor=supervisor, code=code, name_en=v.get("name_en") or "",
                    dry_run=not commit,
                )  # fmt: skip
                new[unit.credit_code] = unit
                new.setdefault(unit.code, unit)
                codes.add(unit.code)
                report.new += 1
                continue
            changes = _unit_changes(existing, v, supervisor, given)
            if existing.jurisdiction_id != v["jurisdiction"].pk:
                report.add_error(
                    rownum,
                    reader.header_of.get("jurisdiction", "jurisdiction"),
                    Msg(
                        "unit_not_moved",
                        gettext_noop(
                            "the unit belongs to %(place)s; an import does not move a unit"
                        ),
                        place=str(existing.jurisdiction),
                    ),
                )
            elif not changes:
                report.unchanged += 1
            else:
                admin_places.unit_update(actor=actor, unit=existing, changes=changes,
                                         dry_run=not commit)  # fmt: skip
                codes.add(changes.get("code", existing.code))
                report.updated += 1
        except (ValidationError, policy.NotPermitted) as exc:
            _errors_to_row(exc, rownum, report, reader, "credit_code")
        if report.error_count > errors_before:
            report.rejected += 1


def _unit_changes(unit: Unit, v: dict, supervisor: Unit | None, given: bool) -> dict:
    changes = {
        k: v[k]
        for k in ("name", "name_en", "kind", "code")
        if v.get(k) and v[k] != getattr(unit, k)
    }
    if given and supervisor is not None and supervisor.pk != unit.supervisor_id:
        changes["supervisor"] = supervisor
    return changes


# --- Users --------------------------------------------------------------------------------------


def _user_flush(batch, actor, report, reader, commit: bool, source) -> None:
    for rownum, v in batch:
        grant = admin_users.Grant(
            role=v["role"], jurisdiction=v.get("jurisdiction"), unit=v.get("unit")
        )
        existing = User.objects.filter(username__iexact=v["username"].strip()).first()
        try:
            if existing is not None:
                # The file imported again: the user is brought to the row, or left unchanged.
                changed = admin_users.user_import_again(
                    actor=actor, user=existing, grant=grant, first_name=v.get("name") or "",
                    email=v.get("email") or "", dry_run=not commit,
                )  # fmt: skip
                if changed:
                    report.updated += 1
                else:
                    report.unchanged += 1
                continue
            user, password = admin_users.user_create(
                actor=actor, username=v["username"], grants=[grant],
                first_name=v.get("name") or "", email=v.get("email") or "",
                language=v.get("language") or "", dry_run=not commit,
            )  # fmt: skip
        except (ValidationError, policy.NotPermitted) as exc:
            _errors_to_row(exc, rownum, report, reader, "role")
            report.rejected += 1
            continue
        report.new += 1
        if commit:
            report.secrets[user.username] = password


UNITS = Target(
    name="units",
    fields=UNIT_FIELDS,
    choices=CHOICES,
    required=("credit_code", "jurisdiction"),
    auto_columns=_auto(UNIT_FIELDS, UNIT_LABELS),
    context=_unit_context,
    check=_unit_check,
    key=lambda v: (v["credit_code"],),
    duplicate=repeated(
        "duplicate_unit",
        gettext_noop("unit %(code)s already appears in row %(row)s"),
        code="credit_code",
    ),
    key_column="credit_code",
    flush=_unit_flush,
    words=WORDS,
    labels=UNIT_LABELS,
)

USERS = Target(
    name="users",
    fields=USER_FIELDS,
    choices=CHOICES,
    required=("username",),
    auto_columns=_auto(USER_FIELDS, USER_LABELS),
    context=_user_context,
    check=_user_check,
    key=lambda v: (v["username"].lower(),),
    duplicate=repeated(
        "duplicate_user",
        gettext_noop("user %(name)s already appears in row %(row)s"),
        name="username",
    ),
    key_column="username",
    flush=_user_flush,
    words=WORDS,
    labels=USER_LABELS,
)
