"""What the people, splitting and value rules return: a hit (one case a rule found) with its
evidence figures and the records behind it, and the scope a computation covers (a jurisdiction
and everything under it, or only the records one write touched).

The rules are selectors: they read and return hits, and write nothing; the engine stores the
hits as flags. Figures are Decimal (money, percentages) or counts, so that the evidence shows
exactly what the rule compared."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q

from panhuo.organisation.models import Unit

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """Where to look: ``path`` a jurisdiction's materialised path (it and everything under it;
    None: everywhere), and, for an update after one write, only the projects, assets or bidders
    that write touched (None: all of them in the place)."""

    path: str | None = None
    project_ids: frozenset[int] | None = None
    asset_ids: frozenset[int] | None = None
    bidder_ids: frozenset[int] | None = None
    package_ids: frozenset[int] | None = None

    @property
    def narrowed(self) -> bool:
        return any(
            x is not None
            for x in (self.project_ids, self.asset_ids, self.bidder_ids, self.package_ids)
        )

    def projects_q(self, prefix: str = "") -> Q:
        """A filter on disposal projects (reached through ``prefix``) for this scope: in the
        place, and among the touched projects, the projects of touched assets and those a
        touched bidder registered for or bought."""
        q = Q()
        if self.path is not None:
            q &= Q(**{f"{prefix}package__jurisdiction__path__startswith": self.path})
        if not self.narrowed:
            return q
        touched = Q(pk__in=[])
        if self.project_ids is not None:
            touched |= Q(**{f"{prefix}pk__in": self.project_ids})
        if self.asset_ids is not None:
            touched |= Q(**{f"{prefix}package__items__asset__in": self.asset_ids})
        if self.package_ids is not None:
            touched |= Q(**{f"{prefix}package__in": self.package_ids})
        if self.bidder_ids is not None:
            touched |= Q(**{f"{prefix}buyer_party__in": self.bidder_ids})
            touched |= Q(**{f"{prefix}rounds__lot__registrations__bidder__in": self.bidder_ids})
        return q & touched


#: A threshold lookup: (rule code, jurisdiction id) -> the rule's thresholds there, by name.
Limits = Callable[[str, int], dict[str, Any]]


@dataclass(frozen=True)
class Hit:
    """One case a rule found. ``subject`` is the record the flag hangs on (a project, a
    package); ``key`` tells this case from another of the same rule on the same subject (so a
    recompute updates a flag instead of adding one); ``figures`` the evidence compared against
    the threshold; ``records`` the records behind it, to link to."""

    rule: str
    subject: Model
    jurisdiction_id: int
    key: str
    figures: dict[str, Any]
    records: tuple[Model, ...] = field(default=())


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to two decimals (None when the whole is zero)."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT)


def defaults_only(defaults: dict[str, dict[str, Any]]) -> Limits:
    """A lookup giving every jurisdiction the rules' default thresholds (for callers and tests
    without a per-jurisdiction setting)."""
    return lambda rule, jurisdiction_id: dict(defaults[rule])


def unique(records: Iterable[Model]) -> tuple[Model, ...]:
    """The records once each, in order (evidence lists each record once)."""
    seen, out = set(), []
    for r in records:
        k = (type(r), r.pk)
        if k not in seen:
            seen.add(k)
            out.append(r)
    return tuple(out)


def site_key(unit_id: int, address: str) -> str:
    """A site: the unit and the address, spaces and case ignored (typed addresses vary)."""
    return f"{unit_id}:{''.join(address.split()).lower()}"


def declare(selector, code: str, severity, *, ids_as: str = "project_ids", dated=False, **spec):
    """Declare ``selector`` as the engine's rule ``code`` (``registry.rule``; ``spec``: its
    category, labels, source, sentence, subject, thresholds and watches), run through
    :func:`engine_hits`."""
    from panhuo.flags.registry import rule

    def check(scope):
        return engine_hits(selector, scope, ids_as=ids_as, dated=dated)

    check.__name__ = check.__qualname__ = code
    check.__doc__ = f"The engine's rule {code}, over {selector.__name__}."
    return rule(code, severity, **spec)(check)


def engine_hits(selector, scope, *, ids_as: str = "project_ids", dated: bool = False):
    """Run ``selector`` (one of the people, splitting or value rules) under the engine's scope
    (``registry.Scope``: a place, or the ids of the subjects a write reached) with the
    thresholds in force in each place, and yield the engine's hits: the subject, its place, the
    holding unit when the case has one, the figures and the records behind them."""
    from panhuo.flags.registry import Hit as EngineHit

    narrowed = {}
    if scope.ids is not None:
        narrowed[ids_as] = frozenset(int(i) for i in scope.ids if str(i).isdigit())
    mine = Scope(path=scope.path, **narrowed)
    place = scope.place  # every place at once, read once for the run

    def limits(rule: str, pk: int) -> dict:
        return scope.params(place(pk))

    found = selector(mine, limits, scope.today) if dated else selector(mine, limits)
    units = Unit.objects.in_bulk({u for h in found if (u := unit_of(h)) is not None})
    for h in found:
        yield EngineHit(subject=h.subject, jurisdiction=place(h.jurisdiction_id),
                        unit=units.get(unit_of(h)), evidence=dict(h.figures),
                        links=[r for r in h.records if r != h.subject])  # fmt: skip


def unit_of(hit: Hit) -> int | None:
    """The one holding unit of the assets behind a hit (or of its site), else None (the task
    force's case)."""
    if hit.figures.get("site"):
        return int(str(hit.figures["site"]).split(":", 1)[0])
    units = {getattr(r, "unit_id", None) for r in hit.records if _label(r) == "register.asset"}
    return units.pop() if len(units) == 1 else None


def _label(record) -> str:
    """A record's model label, whether loaded or a ``labels.Ref``."""
    meta = getattr(record, "_meta", None)
    return meta.label_lower if meta is not None else record.label
