"""The rules: each declares its code, severity, labels (English and Chinese through gettext),
the source it comes from, its parameters (each with a default citing its source), the sentence
that explains a hit from its evidence, which records it watches, and the function that finds its
hits in a scope.

A rule module (``price.py``, ``process.py``, ``people.py``...) declares its rules with
:func:`rule` at import time; ``FlagsConfig.ready`` imports them all. The engine (engine.py) runs
them over a place (``panhuo flags recompute``) or over the records one write touched (the
audit log's ``appended`` hook), and keeps the ``Flag`` rows.

Writing a rule::

    @rule("deal_below_appraisal", Severity.MEDIUM, category=PRICE,
          label=_("Deal below the appraisal"), source=_("Order 32 art. 13..."),
          explanation=_("The deal price %(deal)s is %(ratio)s %% of the appraisal %(appraised)s."),
          params=[Param("ratio_pct", Decimal("100"), _("..."), _("Order 32..."))],
          watches={"disposal.disposalproject": same, "pricing.valuation": projects_of_valuations})
    def deal_below_appraisal(scope: Scope) -> Iterator[Hit]:
        for project in scope.filter(DisposalProject.objects..., "package__jurisdiction__path"):
            p = scope.params(project.package.jurisdiction)
            ...
            yield Hit(project, jurisdiction, unit, evidence={...}, links=[...])

``watches`` maps a model label to a function from that model's ids (text) to the ids of the
rule's subjects: what the engine recomputes when such a record is written; or to a tuple of
such functions each wrapped in :func:`only` with the fields it reads, when a write known to
change other fields only (the audit entry names them) reaches fewer subjects or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.flags.models import FlagThreshold, Severity
from panhuo.organisation.models import Jurisdiction

PRICE, PROCESS, PEOPLE, SPLITTING, VALUE = "price", "process", "people", "splitting", "value"
CATEGORIES = {
    PRICE: _("Price"),
    PROCESS: _("Process"),
    PEOPLE: _("People"),
    SPLITTING: _("Splitting"),
    VALUE: _("Value"),
}


@dataclass(frozen=True)
class Param:
    """A threshold of a rule: its name, default (a Decimal or an int), label and the source of
    the default; ``low``/``high`` bound what a place may set."""

    name: str
    default: Decimal | int
    label: Any
    source: Any
    low: Decimal = Decimal(0)
    high: Decimal = Decimal(1_000_000)

    def parse(self, value: Any) -> Decimal | int:
        """``value`` as this parameter's type; ValueError naming the bounds when it is not one."""
        try:
            number = Decimal(str(value).strip())
        except Exception:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
        if not number.is_finite() or not self.low <= number <= self.high:
            raise ValueError(
                _("Give a number from %(low)s to %(high)s.") % {"low": self.low, "high": self.high}
            )
        if isinstance(self.default, int):
            if number != number.to_integral_value():
                raise ValueError(_("Give a whole number."))
            return int(number)
        return number


@dataclass
class Hit:
    """One record the rule holds for, with the figures that show it."""

    subject: models.Model
    jurisdiction: Jurisdiction
    unit: Any = None  # organisation.Unit or None
    evidence: dict[str, Any] = field(default_factory=dict)
    links: list[models.Model] = field(default_factory=list)


@dataclass
class Scope:
    """Where a rule looks: everything under ``path`` or, when ``ids`` is given, only the subjects
    with those ids (the records a write touched). ``today`` is the day it is judged on."""

    path: str = "/"
    ids: set[str] | None = None
    today: dt.date = field(default_factory=timezone.localdate)
    _params: dict[tuple[str, int], dict] = field(default_factory=dict)
    _set: dict[str, list[FlagThreshold]] = field(default_factory=dict)
    rule_code: str = ""
    #: What every rule of one run reads alike, read once for the run (the caller running many
    #: rules gives each the same dict): the places by id, every rule's threshold settings.
    shared: dict[str, Any] = field(default_factory=dict)

    def filter(self, qs, path_lookup: str, id_lookup: str = "pk"):
        """``qs`` narrowed to this scope (``path_lookup``: the rows' jurisdiction path)."""
        qs = qs.filter(**{f"{path_lookup}__startswith": self.path})
        if self.ids is not None:
            qs = qs.filter(**{f"{id_lookup}__in": [int(i) for i in self.ids if i.isdigit()]})
        return qs

    def params(self, jurisdiction: Jurisdiction) -> dict[str, Any]:
        """The rule's thresholds in force in ``jurisdiction`` (cached for the run)."""
        key = (self.rule_code, jurisdiction.pk)
        if key not in self._params:
            if self.rule_code not in self._set:  # every place's settings of the rule, once
                self._set[self.rule_code] = self._thresholds().get(self.rule_code, [])
            r, rows = RULES[self.rule_code], self._set[self.rule_code]
            self._params[key] = params_for(r, jurisdiction, rows=rows)
        return self._params[key]

    def _thresholds(self) -> dict[str, list[FlagThreshold]]:
        """Every rule's settings in every place, by rule: one query for the run."""
        if "thresholds" not in self.shared:
            every: dict[str, list[FlagThreshold]] = {}
            for row in FlagThreshold.objects.select_related("jurisdiction").order_by("pk"):
                every.setdefault(row.rule, []).append(row)
            self.shared["thresholds"] = every
        return self.shared["thresholds"]

    def place(self, pk: int) -> Jurisdiction:
        """The place ``pk``, every place read at once (a hundred in a province) for the run."""
        places = self.shared.setdefault("places", {})
        if not places:
            places.update(Jurisdiction.objects.in_bulk())
        if pk not in places:
            places[pk] = Jurisdiction.objects.get(pk=pk)
        return places[pk]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    category: str
    label: Any
    source: Any
    explanation: Any
    check: Callable[[Scope], Iterable[Hit]]
    params: tuple[Param, ...] = ()
    watches: dict[str, Callable[[list[str]], Iterable[Any]]] = field(default_factory=dict)
    #: The subject's model label ("disposal.disposalproject"): flags of this rule are about it.
    subject: str = ""
    #: Evidence keys whose change reopens a resolved flag (default: all of them).
    key: tuple[str, ...] = ()
    #: Words an evidence value may be (a code stored), shown in the reader's language.
    words: dict[str, Any] = field(default_factory=dict)
    #: Sentences added to the explanation when the evidence holds their key (not None).
    more: dict[str, Any] = field(default_factory=dict)

    def explain(self, evidence: dict[str, Any]) -> str:
        """The hit's sentence in the active language; a key missing shows as "?"."""
        shown = {k: str(self.words[v]) if isinstance(v, str) and v in self.words else v
                 for k, v in evidence.items()}  # fmt: skip
        sentences = [self.explanation] + [
            text for k, text in self.more.items() if evidence.get(k) is not None
        ]
        out = []
        for text in sentences:
            try:
                out.append(str(text) % _Defaulting(shown))
            except (TypeError, ValueError):
                out.append(str(text))
        return " ".join(out)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)


class _Defaulting(dict):
    def __missing__(self, key):
        return "?"


#: Every rule, by code, in declaration order.
RULES: dict[str, Rule] = {}


def rule(
    code: str,
    severity: Severity,
    *,
    category: str,
    label,
    source,
    explanation,
    subject: str,
    params: Iterable[Param] = (),
    watches=None,
    key: Iterable[str] = (),
    words: dict[str, Any] | None = None,
    more: dict[str, Any] | None = None,
):
    """Declare the decorated function as the rule ``code`` (see the module doc)."""

    def declare(check: Callable[[Scope], Iterator[Hit]]):
        RULES[code] = Rule(
            code=code, severity=severity, category=category, label=label, source=source,
            explanation=explanation, check=check, params=tuple(params), watches=dict(watches or {}),
            subject=subject, key=tuple(key), words=dict(words or {}), more=dict(more or {}),
        )  # fmt: skip
        return check

    return declare


def ancestors(jurisdiction: Jurisdiction) -> list[str]:
    """The paths from the root down to ``jurisdiction`` ("/1/", "/1/4/", ...)."""
    parts = [p for p in jurisdiction.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def params_for(r: Rule, jurisdiction: Jurisdiction, rows=None) -> dict[str, Any]:
    """Each parameter of ``r`` as the nearest place (``jurisdiction`` or an ancestor) sets it,
    else its default. ``rows``: the rule's settings in every place, read once by a caller
    judging many places (else the ancestors' are read here)."""
    values = {p.name: p.default for p in r.params}
    if not r.params:
        return values
    paths = ancestors(jurisdiction)
    if rows is None:
        rows = FlagThreshold.objects.filter(rule=r.code, jurisdiction__path__in=paths)
        rows = rows.select_related("jurisdiction")
    else:
        rows = [t for t in rows if t.jurisdiction.path in paths]
    for row in sorted(rows, key=lambda t: len(t.jurisdiction.path)):
        for p in r.params:
            if p.name in row.values:
                try:
                    values[p.name] = p.parse(row.values[p.name])
                except ValueError:
                    continue  # a value set before its bounds changed: the default holds
    return values


@dataclass(frozen=True)
class Only:
    """A ``watches`` entry that matters only when one of ``fields`` of the written record
    changed (as its audit entry names them); a write known to change none of them reaches no
    subject through it. ``reach``: from the written records' ids to the subjects'."""

    fields: frozenset[str]
    reach: Callable[[list[str]], Iterable[Any]]

    def __call__(self, ids: list[str]) -> Iterable[Any]:
        return self.reach(ids)


def only(fields: Iterable[str], reach: Callable[[list[str]], Iterable[Any]]) -> Only:
    return Only(frozenset(fields), reach)


def reaches(watch) -> tuple:
    """A ``watches`` value as a tuple of its ways (one callable, or several for what different
    fields of the record reach)."""
    return tuple(watch) if isinstance(watch, tuple | list) else (watch,)


def same(ids: list[str]) -> list[str]:
    """``watches`` for the subject's own model: the ids are the subjects'."""
    return list(ids)
