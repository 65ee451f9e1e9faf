"""Checking a place file (``panhuo setup --file place.yaml``, written by ``place.py``): its
jurisdiction tree, holding units and first users with their roles.

A place is set up once, by someone reading a file they typed, so every mistake is reported at
once, each naming its entry and field, and nothing is written while any remains. The dry run
takes the very same path and rolls it back, so a file that passes it cannot fail for real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from panhuo.organisation import division_code as dc
from panhuo.organisation.credit_code import credit_code_valid, normalise_credit_code
from panhuo.organisation.models import Jurisdiction, Role, Unit, User

#: The words a file may use for a unit's kind (GB 32100's organ / public institution /
#: state-owned enterprise, in English or Chinese), mapped to ``Unit.Kind``.
KIND_WORDS = {
    "organ": Unit.Kind.DEPARTMENT,
    "department": Unit.Kind.DEPARTMENT,
    "机关": Unit.Kind.DEPARTMENT,
    "public_institution": Unit.Kind.INSTITUTION,
    "institution": Unit.Kind.INSTITUTION,
    "事业单位": Unit.Kind.INSTITUTION,
    "state_owned_enterprise": Unit.Kind.SOE,
    "soe": Unit.Kind.SOE,
    "国有企业": Unit.Kind.SOE,
}
USER_FIELDS = [
    "username", "first_name", "last_name", "email", "is_active", "language",
    "must_change_password",
]  # fmt: skip
LEVEL_ORDER = {dc.PROVINCE: 0, dc.CITY: 1, dc.DISTRICT: 2}
KEYS = {
    "": {"jurisdictions", "units", "users"},
    "jurisdictions": {"code", "name", "name_en", "level", "parent"},
    "units": {
        "credit_code", "code", "name", "name_en", "kind", "jurisdiction", "supervising_department",
    },
    "users": {"username", "name", "email", "language", "roles"},
    "roles": {"role", "jurisdiction", "unit"},
}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One mistake in the file: which entry, which of its fields, what is wrong."""

    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        if not self.entry:
            return _('field "%(field)s": %(problem)s') % {
                "field": self.field,
                "problem": self.message,
            }
        return _('%(entry)s, field "%(field)s": %(problem)s') % {
            "entry": self.entry,
            "field": self.field,
            "problem": self.message,
        }


class PlaceFileError(ValidationError):
    """The file is refused; ``problems`` lists every mistake found, nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


@dataclass
class PlaceResult:
    jurisdictions: list[Jurisdiction] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    #: (user, generated password); the only place the password ever exists in clear.
    users: list[tuple[User, str]] = field(default_factory=list)
    assignments: int = 0
    dry_run: bool = False


def _text(value: Any) -> str:
    """A scalar as text: YAML reads 370102 as a number and 2026 as a year."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()


class _Checker:
    """Reads the parsed file into plain entries, collecting every problem on the way."""

    def __init__(self, data: Any):
        self.problems: list[Problem] = []
        self.places: dict[str, dict] = {}
        #: Codes the file gives but refused: what refers to them is not refused a second time.
        self.broken: set[str] = set()
        self.units: dict[str, dict] = {}  # by code and by credit code
        self.unit_list: list[dict] = []
        self.users: list[dict] = []
        if not isinstance(data, dict):
            self.add("", "file", _("the file must hold jurisdictions, units and users."))
            return
        for key in data:
            if key not in KEYS[""]:
                self.add("", str(key), _("not a section of a place file."))
        self.jurisdictions(self.section(data, "jurisdictions", required=True))
        self.holding_units(self.section(data, "units", required=False))
        self.people(self.section(data, "users", required=True))

    def add(self, entry: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(entry, field_name, message))

    def section(self, data: dict, key: str, *, required: bool) -> list[dict]:
        value = data.get(key)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.add("", key, _("a list of at least one entry is required."))
            return []
        entries = []
        for n, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                self.add(self.name(key, n, ""), key, _("each entry must be a mapping."))
                continue
            for k in item:
                if k not in KEYS[key]:
                    self.add(self.name(key, n, ""), str(k), _("not a field of this entry."))
            entries.append({"n": n, **item})
        return entries

    @staticmethod
    def name(section: str, n: int, key: str) -> str:
        labels = {
            "jurisdictions": _("jurisdiction %(n)d"),
            "units": _("unit %(n)d"),
            "users": _("user %(n)d"),
        }
        label = labels[section] % {"n": n}
        return f"{label} ({key})" if key else label

    def required(self, entry: str, item: dict, key: str) -> str:
        value = _text(item.get(key))
        if not value:
            self.add(entry, key, _("this field is required."))
        return value

    # Jurisdictions ----------------------------------------------------------------------------

    def jurisdictions(self, items: list[dict]) -> None:
        existing = set(
            Jurisdiction.objects.filter(code__in=[_text(i.get("code")) for i in items]).values_list(
                "code", flat=True
            )
        )
        for item in items:
            code = _text(item.get("code"))
            entry = self.name("jurisdictions", item["n"], code)
            self.required(entry, item, "name")
            if not code:
                self.add(entry, "code", _("this field is required."))
                continue
            if not dc.division_code_valid(code):
                self.broken.add(code)
                self.add(
                    entry,
                    "code",
                    _(
                        "not an administrative division code (GB/T 2260: six digits, "
                        "a province's first two)."
                    ),
                )
                continue
            if code in self.places:
                self.add(entry, "code", _("this code appears twice in the file."))
                continue
            if code in existing:
                self.add(entry, "code", _("a jurisdiction with this code already exists."))
            level = dc.division_level(code)
            given = _text(item.get("level"))
            if given and given != level:
                self.add(
                    entry,
                    "level",
                    _('"%(given)s" does not match the code, which is a %(level)s\'s.')
                    % {"given": given, "level": Jurisdiction.Level(level).label},
                )
            self.places[code] = {**item, "code": code, "level": level, "entry": entry}
        for place in self.places.values():
            self.check_parent(place)

    def check_parent(self, place: dict) -> None:
        entry, code, level = place["entry"], place["code"], place["level"]
        parent_code = _text(place.get("parent"))
        place["parent"] = parent_code
        if not parent_code:
            up = dc.PARENT_LEVEL.get(level)
            mine = code[: dc.SHARED_PREFIX.get(level, 0)]
            if up and any(
                p["level"] == up and p["code"].startswith(mine) for p in self.places.values()
            ):
                self.add(entry, "parent", _("its parent is in the file: name it here."))
            return
        parent = self.places.get(parent_code)
        if level == dc.PROVINCE:
            self.add(entry, "parent", _("a province has no parent."))
        elif parent is None and parent_code in self.broken:
            pass
        elif parent is None:
            self.add(entry, "parent", _("no jurisdiction with this code in the file."))
        elif parent["level"] != dc.PARENT_LEVEL[level]:
            self.add(
                entry,
                "parent",
                _("the parent of a %(level)s must be a %(parent)s.")
                % {
                    "level": Jurisdiction.Level(level).label,
                    "parent": Jurisdiction.Level(dc.PARENT_LEVEL[level]).label,
                },
            )
        elif not dc.prefix_matches(code, parent_code, level):
            self.add(
                entry,
                "code",
                _("the code must start with its parent's first %(n)d digits (%(prefix)s).")
                % {"n": dc.SHARED_PREFIX[level], "prefix": parent_code[: dc.SHARED_PREFIX[level]]},
            )

    # Units ------------------------------------------------------------------------------------

    def holding_units(self, items: list[dict]) -> None:
        for item in items:
            credit = normalise_credit_code(_text(item.get("credit_code")))
            entry = self.name("units", item["n"], _text(item.get("name")) or credit)
            self.required(entry, item, "name")
            if not credit:
                self.add(entry, "credit_code", _("this field is required."))
            elif not credit_code_valid(credit):
                self.add(
                    entry,
                    "credit_code",
                    _(
                        "not a unified social credit code (GB 32100: 18 characters, "
                        "the last a check character)."
                    ),
                )
            elif credit in self.units or Unit.objects.filter(credit_code=credit).exists():
                self.add(entry, "credit_code", _("another unit has this credit code."))
            code = _text(item.get("code")) or credit
            if code != credit and (code in self.units or Unit.objects.filter(code=code).exists()):
                self.add(entry, "code", _("another unit has this code."))
            kind_word = _text(item.get("kind"))
            kind = KIND_WORDS.get(kind_word.lower())
            if kind is None:
                self.add(
                    entry,
                    "kind",
                    _("must be organ, public_institution or state_owned_enterprise."),
                )
            place = _text(item.get("jurisdiction"))
            if not place:
                self.add(entry, "jurisdiction", _("this field is required."))
            elif place not in self.places and place not in self.broken:
                self.add(entry, "jurisdiction", _("no jurisdiction with this code in the file."))
            unit = {**item, "credit_code": credit, "code": code, "kind": kind, "entry": entry}
            unit["jurisdiction"] = place
            unit["supervisor"] = _text(item.get("supervising_department"))
            self.unit_list.append(unit)
            self.units.setdefault(code, unit)
            self.units.setdefault(credit, unit)
        for unit in self.unit_list:
            ref = unit["supervisor"]
            if not ref:
                continue
            boss = self.units.get(normalise_credit_code(ref)) or self.units.get(ref)
            if boss is None or boss is unit:
                self.add(
                    unit["entry"],
                    "supervising_department",
                    _("no other unit with this code in the file."),
                )
            elif boss["kind"] != Unit.Kind.DEPARTMENT:
                self.add(
                    unit["entry"],
                    "supervising_department",
                    _("the supervising unit must be an organ."),
                )
            else:
                unit["boss"] = boss
        self.unit_list = self.in_supervision_order()

    def in_supervision_order(self) -> list[dict]:
        """Supervisors before the units they supervise (a cycle is refused)."""
        done: list[dict] = []
        state: dict[int, str] = {}

        def visit(unit: dict) -> None:
            mark = state.get(id(unit))
            if mark == "done":
                return
            if mark == "visiting":
                self.add(
                    unit["entry"],
                    "supervising_department",
                    _("supervision goes round in a circle."),
                )
                return
            state[id(unit)] = "visiting"
            if "boss" in unit:
                visit(unit["boss"])
            state[id(unit)] = "done"
            done.append(unit)

        for unit in self.unit_list:
            visit(unit)
        return done

    # Users ------------------------------------------------------------------------------------

    def people(self, items: list[dict]) -> None:
        seen: set[str] = set()
        for item in items:
            username = _text(item.get("username"))
            entry = self.name("users", item["n"], username)
            if not username:
                self.add(entry, "username", _("this field is required."))
            elif (
                username.casefold() in seen
                or User.objects.filter(username__iexact=username).exists()
            ):
                self.add(entry, "username", _("another user has this username."))
            seen.add(username.casefold())
            language = _text(item.get("language"))
            if language not in ("", "en", "zh-hans"):
                self.add(entry, "language", _("must be en or zh-hans."))
            roles = item.get("roles")
            if not isinstance(roles, list) or not roles:
                self.add(entry, "roles", _("a user must hold at least one role."))
                roles = []
            grants = [g for g in (self.grant(entry, r) for r in roles) if g]
            if len(set(grants)) != len(grants):
                self.add(entry, "roles", _("the same role is given twice over the same place."))
            self.users.append({**item, "username": username, "language": language, "entry": entry,
                               "grants": grants})  # fmt: skip

    def grant(self, entry: str, item: Any) -> tuple[str, str, str] | None:
        """(role, jurisdiction code, unit code) of one role entry, or None when wrong."""
        if not isinstance(item, dict):
            self.add(
                entry, "roles", _("each role must be a mapping with role and jurisdiction or unit.")
            )
            return None
        for k in item:
            if k not in KEYS["roles"]:
                self.add(entry, f"roles.{k}", _("not a field of this entry."))
        role = _text(item.get("role"))
        place, unit_ref = _text(item.get("jurisdiction")), _text(item.get("unit"))
        if role not in Role.values:
            choices = ", ".join(Role.values)
            self.add(entry, "roles.role", _("must be one of: %(choices)s.") % {"choices": choices})
            return None
        if role == Role.UNIT_OFFICER:
            unit = self.units.get(unit_ref) or self.units.get(normalise_credit_code(unit_ref))
            if unit is None:
                self.add(entry, "roles.unit", _("no unit with this code in the file."))
                return None
            if place and place != unit["jurisdiction"]:
                self.add(entry, "roles.jurisdiction", _("the unit is not in this jurisdiction."))
                return None
            return role, unit["jurisdiction"], unit["code"]
        if unit_ref:
            self.add(entry, "roles.unit", _("only a unit asset officer holds a role over a unit."))
            return None
        if place not in self.places:
            if place not in self.broken:
                self.add(
                    entry, "roles.jurisdiction", _("no jurisdiction with this code in the file.")
                )
            return None
        return role, place, ""


def place_check(data: Any) -> list[Problem]:
    """Every problem of a parsed place file (empty: it may be set up)."""
    return _Checker(data).problems
