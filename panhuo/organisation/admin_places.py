"""The site administrator's writes to places: jurisdictions and holding units.

Each write checks the actor's ``organisation.manage`` over the place it touches (a refusal is
:class:`policy.NotPermitted`, before anything is read from the input), then checks every field
and names each bad one (a ``ValidationError`` keyed by field), and only then writes, in one
transaction with its audit entry. So a refused write leaves nothing behind.

The codes are checked as ``panhuo setup`` checks them (``division_code``, ``credit_code``): a
jurisdiction's six-digit code must agree with its parent's prefix and with its children's, and a
unit's credit code must be well formed and registered inside its jurisdiction.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.integrity.services import audit_insert, update_changed
from panhuo.organisation import division_code as dc
from panhuo.organisation import policy
from panhuo.organisation.credit_code import credit_code_valid, normalise_credit_code
from panhuo.organisation.models import Jurisdiction, Unit, User

MANAGE = ("organisation", "manage")
#: How many leading digits of a credit code's division digits must be its jurisdiction's.
_OWN_PREFIX = {dc.PROVINCE: 2, dc.CITY: 4, dc.DISTRICT: 6}


def _require(actor: User, jurisdiction: Jurisdiction) -> None:
    policy.require(actor, *MANAGE, jurisdiction=jurisdiction)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _required(errors: dict, name: str, value: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(name, []).append(_("This field is required."))
    return value


def _level_label(level: str) -> str:
    return str(Jurisdiction.Level(level).label)


# --- Jurisdictions ------------------------------------------------------------------------------


def _code_errors(
    code: str, level_given: str, parent: Jurisdiction | None, errors: dict, *, own_pk=None
) -> str:
    """The level ``code`` means, adding to ``errors`` what is wrong with it (and ``level``)."""
    if not dc.division_code_valid(code):
        errors.setdefault("code", []).append(
            _(
                "Not an administrative division code (GB/T 2260: six digits, a province's "
                "first two)."
            )
        )
        return ""
    if Jurisdiction.objects.filter(code=code).exclude(pk=own_pk).exists():
        errors.setdefault("code", []).append(_("A jurisdiction with this code already exists."))
    level = dc.division_level(code)
    if level_given and level_given != level:
        errors.setdefault("level", []).append(
            _('"%(given)s" does not match the code, which is a %(level)s\'s.')
            % {"given": level_given, "level": _level_label(level)}
        )
    if parent is None:
        return level
    wanted = dc.PARENT_LEVEL.get(level)
    if wanted is None:
        errors.setdefault("parent", []).append(_("A province has no parent."))
    elif parent.level != wanted:
        errors.setdefault("parent", []).append(
            _("The parent of a %(level)s must be a %(parent)s.")
            % {"level": _level_label(level), "parent": _level_label(wanted)}
        )
    elif not dc.prefix_matches(code, parent.code, level):
        n = dc.SHARED_PREFIX[level]
        errors.setdefault("code", []).append(
            _("The code must start with its parent's first %(n)d digits (%(prefix)s).")
            % {"n": n, "prefix": parent.code[:n]}
        )
    return level


def jurisdiction_create(
    *,
    actor: User,
    code: str,
    name: str,
    parent: Jurisdiction | None,
    name_en: str = "",
    level: str = "",
) -> Jurisdiction:
    """A new jurisdiction under ``parent`` (which the actor manages). Top-level places come
    from ``panhuo setup``: here a parent is required."""
    if parent is None:
        if not policy.can_any(actor, *MANAGE):
            raise policy.NotPermitted(policy.refusal(*MANAGE))
    else:
        _require(actor, parent)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    code = _required(errors, "code", code)
    if parent is None:
        errors.setdefault("parent", []).append(
            _("Choose the jurisdiction it belongs to (provinces are set up with panhuo setup).")
        )
    if code:
        level = _code_errors(code, (level or "").strip(), parent, errors)
    _raise(errors)
    with transaction.atomic():
        j = Jurisdiction(
            code=code,
            name=name,
            name_en=(name_en or "").strip(),
            level=level,
            parent=parent,
            path=parent.path,  # the real path is set from the primary key on save
        )
        audit_insert(j, actor=actor, action="jurisdiction.create", jurisdiction_path=parent.path)
    return j


def jurisdiction_update(
    *, actor: User, jurisdiction: Jurisdiction, changes: dict[str, Any]
) -> Jurisdiction:
    """Change a jurisdiction's names or code (``changes``: any of code, name, name_en, level).
    A new code must still agree with its parent's and its children's; the level never
    changes (it would leave the children under the wrong kind of place)."""
    _require(actor, jurisdiction)
    errors: dict[str, list[str]] = {}
    fields = {k: (v or "").strip() for k, v in changes.items() if v is not None}
    unknown = set(fields) - {"code", "name", "name_en", "level"}
    for name in sorted(unknown):
        errors[name] = [_("This field cannot be changed here.")]
    if "name" in fields:
        _required(errors, "name", fields["name"])
    code = fields.get("code", jurisdiction.code)
    level_given = fields.get("level", "")
    if code != jurisdiction.code or level_given:
        if code == jurisdiction.code and not dc.division_code_valid(code):
            # An old code outside GB/T 2260: only the level given is checked.
            if level_given and level_given != jurisdiction.level:
                errors["level"] = [_("The level of a jurisdiction cannot change.")]
        else:
            level = _code_errors(
                code, level_given, jurisdiction.parent, errors, own_pk=jurisdiction.pk
            )
            if level and level != jurisdiction.level and "level" not in errors:
                errors.setdefault("code", []).append(
                    _("The code is a %(level)s's; this jurisdiction is a %(own)s.")
                    % {"level": _level_label(level), "own": _level_label(jurisdiction.level)}
                )
            for child in jurisdiction.children.all():
                if not dc.prefix_matches(child.code, code, child.level):
                    errors.setdefault("code", []).append(
                        _("%(child)s (%(code)s) below it would no longer start with its digits.")
                        % {"child": child.name, "code": child.code}
                    )
    _raise(errors)
    with transaction.atomic():
        return update_changed(
            Jurisdiction,
            jurisdiction.pk,
            {name: fields[name] for name in ("code", "name", "name_en") if name in fields},
            actor=actor,
            action="jurisdiction.update",
            path=lambda j: j.path,
        )


# --- Holding units ------------------------------------------------------------------------------


def _inside(credit: str, jurisdiction: Jurisdiction) -> bool:
    """Whether a (valid) credit code's division digits lie inside ``jurisdiction``; places
    whose own code is not a GB/T 2260 code cannot be compared and pass."""
    if not dc.division_code_valid(jurisdiction.code):
        return True
    n = _OWN_PREFIX.get(jurisdiction.level, 6)
    return credit[2 : 2 + n] == jurisdiction.code[:n]


def _supervisor_errors(
    unit: Unit | None, supervisor: Unit | None, jurisdiction: Jurisdiction, errors: dict
) -> None:
    if supervisor is None:
        return
    message = None
    if supervisor.kind != Unit.Kind.DEPARTMENT:
        message = _("The supervising department must be a government department (an organ).")
    elif not jurisdiction.path.startswith(supervisor.jurisdiction.path):
        message = _("The supervising department must be in the unit's jurisdiction or above it.")
    elif unit is not None:
        seen, boss = set(), supervisor
        while boss is not None and boss.pk not in seen:
            if boss.pk == unit.pk:
                message = _("Supervision would go round in a circle.")
                break
            seen.add(boss.pk)
            boss = boss.supervisor
    if message:
        errors.setdefault("supervisor", []).append(message)


def _credit_errors(credit: str, jurisdiction: Jurisdiction, errors: dict, own_pk=None) -> None:
    if not credit_code_valid(credit):
        errors.setdefault("credit_code", []).append(
            _(
                "Not a unified social credit code (GB 32100: 18 characters, the last a check "
                "character)."
            )
        )
    elif Unit.objects.filter(credit_code=credit).exclude(pk=own_pk).exists():
        errors.setdefault("credit_code", []).append(_("Another unit has this credit code."))
    elif not _inside(credit, jurisdiction):
        errors.setdefault("jurisdiction", []).append(
            _(
                "The unit's credit code registers it in division %(division)s, outside "
                "%(place)s (%(code)s)."
            )
            % {"division": credit[2:8], "place": jurisdiction.name, "code": jurisdiction.code}
        )


def unit_create(
    *,
    actor: User,
    credit_code: str,
    name: str,
    kind: str,
    jurisdiction: Jurisdiction,
    supervisor: Unit | None = None,
    code: str = "",
    name_en: str = "",
    dry_run: bool = False,
) -> Unit:
    """A new holding unit in ``jurisdiction`` (which the actor manages). ``dry_run`` makes
    every check and returns the unit unsaved: a bulk import's dry run refuses exactly what
    its commit would."""
    _require(actor, jurisdiction)
    errors: dict[str, list[str]] = {}
    name = _required(errors, "name", name)
    credit = normalise_credit_code(credit_code)
    if _required(errors, "credit_code", credit):
        _credit_errors(credit, jurisdiction, errors)
    given = (code or "").strip()
    code = given or credit
    # A code left to default to the credit code is not refused a second time.
    defaulted_and_refused = not given and "credit_code" in errors
    if code and not defaulted_and_refused and Unit.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(_("Another unit has this code."))
    if kind not in Unit.Kind.values:
        errors.setdefault("kind", []).append(
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(Unit.Kind.values)}
        )
    _supervisor_errors(None, supervisor, jurisdiction, errors)
    _raise(errors)
    unit = Unit(
        code=code,
        credit_code=credit,
        name=name,
        name_en=(name_en or "").strip(),
        kind=kind,
        jurisdiction=jurisdiction,
        supervisor=supervisor,
    )
    if dry_run:
        return unit
    with transaction.atomic():
        audit_insert(unit, actor=actor, action="unit.create", jurisdiction_path=jurisdiction.path)
    return unit


#: What an edit may change: a unit's records belong to its jurisdiction, so that stays.
UNIT_EDITABLE = ("credit_code", "code", "name", "name_en", "kind", "supervisor")


def unit_update(*, actor: User, unit: Unit, changes: dict[str, Any], dry_run: bool = False) -> Unit:
    """Change a unit's codes, names, kind or supervising department (``changes``; a
    ``supervisor`` of None removes it). ``dry_run`` makes every check and writes nothing."""
    _require(actor, unit.jurisdiction)
    errors: dict[str, list[str]] = {}
    for name in sorted(set(changes) - set(UNIT_EDITABLE)):
        message = (
            _("A unit cannot move to another jurisdiction: its records belong to this one.")
            if name == "jurisdiction"
            else _("This field cannot be changed here.")
        )
        errors[name] = [message]
    values = {k: v for k, v in changes.items() if k in UNIT_EDITABLE}
    for key in ("code", "name", "name_en", "kind"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "name" in values:
        _required(errors, "name", values["name"])
    if "credit_code" in values:
        values["credit_code"] = normalise_credit_code(values["credit_code"] or "")
        if values["credit_code"] != unit.credit_code and _required(
            errors, "credit_code", values["credit_code"]
        ):
            _credit_errors(values["credit_code"], unit.jurisdiction, errors, own_pk=unit.pk)
    new_code = values.get("code", unit.code)
    if (
        new_code != unit.code
        and _required(errors, "code", new_code)
        and Unit.objects.filter(code=new_code).exclude(pk=unit.pk).exists()
    ):
        errors.setdefault("code", []).append(_("Another unit has this code."))
    if "kind" in values and values["kind"] not in Unit.Kind.values:
        errors.setdefault("kind", []).append(
            _("Must be one of: %(choices)s.") % {"choices": ", ".join(Unit.Kind.values)}
        )
    if "supervisor" in values and values["supervisor"] is not None:
        _supervisor_errors(unit, values["supervisor"], unit.jurisdiction, errors)
    if values.get("kind", unit.kind) != Unit.Kind.DEPARTMENT and unit.supervised.exists():
        errors.setdefault("kind", []).append(
            _("Other units name this one as their supervising department: it stays an organ.")
        )
    _raise(errors)
    if dry_run:
        return unit
    with transaction.atomic():
        return update_changed(
            Unit,
            unit.pk,
            values,
            actor=actor,
            action="unit.update",
            path=lambda u: u.jurisdiction.path,
        )
