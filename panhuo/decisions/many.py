"""Hold, lease or sell for many assets or packages at once (issue 20, item 1, at the province's
scale): the very inputs of the one-asset path (``inputs.gather``, ``inputs.gather_package``),
each figure with its source and note, read set-based — per batch of assets one query each for
the assets, their valuations, their own inputs, the places, the places' defaults, the debts
repaid and their schedules (and the comparable leases, when some asset has neither a rent
appraisal nor a rent from the register) — then ``npv.decide`` on each, as the one-asset path
does. Discount factors are computed once per rate and years (``npv.present``): a place's assets
share its debt's schedule.

Per asset (or package) the inputs, or the ValidationError the one-asset path would raise,
naming the same field; NotPermitted is raised, as there, when the caller may not read the
debts of a place whose asset has a value. Reads only; a test holds both paths equal."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import batched
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.decisions import npv
from panhuo.decisions.comparables import Leases, comparable_rent, lease_rents
from panhuo.decisions.inputs import (
    Notes,
    assemble,
    combined,
    flows_of,
    no_such_debt,
    own_from,
    places_figures,
    valued,
)
from panhuo.decisions.models import AssetInput
from panhuo.decisions.selectors import VALUED, _latest, _Valuation
from panhuo.disposal.models import PackageItem
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.models import Debt
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing.models import Valuation, ValuationKind

#: Assets read and decided at a time (the valuations of a batch are read in one query).
BATCH = 2000


class Row(NamedTuple):
    """The columns of an asset the figures read (a row, not a model instance)."""

    pk: int
    code: str
    annual_income: object
    annual_holding_cost: object
    status: str
    place_id: int
    area: object
    kind: str


COLUMNS = ("pk", "code", "annual_income", "annual_holding_cost", "status",
           "unit__jurisdiction_id", "area", "kind")  # fmt: skip


class DebtRow(NamedTuple):
    pk: int
    code: str
    rate: object


@dataclass(frozen=True)
class Subject:
    """What one decision is about: an asset (its own inputs apply) or a package (its assets'
    figures summed, by code), and the place whose debt and defaults it takes."""

    key: int
    place: Jurisdiction
    assets: list[Row]
    package: bool = False


def gather_assets(user, assets, *, on: dt.date, debt_id=None, given=None):
    """Yield ``(asset id, Inputs or ValidationError)`` for each asset of the queryset
    ``assets``, by id, a batch at a time."""
    rows = assets.order_by("pk").values_list(*COLUMNS)
    for batch in batched(rows.iterator(chunk_size=BATCH), BATCH):
        found = [Row(*r) for r in batch]
        places = Jurisdiction.objects.in_bulk({r.place_id for r in found})
        subjects = [Subject(r.pk, places[r.place_id], [r]) for r in found]
        yield from _gather(user, subjects, on, debt_id, given).items()


def gather_packages(user, packages: Iterable, *, on: dt.date, debt_id=None, given=None) -> dict:
    """Per package (by id): its Inputs as ``inputs.gather_package`` makes them, or the
    ValidationError it would raise. ``packages``: instances (their ``jurisdiction`` read)."""
    packages = list(packages)
    items = defaultdict(list)
    rows = PackageItem.objects.filter(package__in=[p.pk for p in packages])
    rows = rows.order_by("package_id", "asset__code", "asset_id")
    for package_id, *asset in rows.values_list("package_id", *(f"asset__{c}" for c in COLUMNS)):
        items[package_id].append(Row(*asset))
    out = {}
    for batch in batched(packages, BATCH):
        subjects = [Subject(p.pk, p.jurisdiction, items[p.pk], True) for p in batch]
        out |= _gather(user, subjects, on, debt_id, given)
    return out


def decide_assets(user, assets, *, on: dt.date, sensitivity=False, debt_id=None, given=None):
    """Yield ``(asset id, npv.Result or ValidationError)`` for each asset of ``assets``."""
    for pk, inputs in gather_assets(user, assets, on=on, debt_id=debt_id, given=given):
        if not isinstance(inputs, ValidationError):
            inputs = npv.decide(inputs, sensitivity=sensitivity)
        yield pk, inputs


def _gather(user, subjects: list[Subject], on, debt_id, given) -> dict:
    assets = [a for s in subjects for a in s.assets]
    history = defaultdict(list)  # latest first, as the one-asset path orders them
    rows = Valuation.objects.filter(
        asset__in=[a.pk for a in assets], kind__in=VALUED, base_date__lte=on
    ).order_by("asset_id", "-base_date", "-pk")
    for asset_id, *v in rows.values_list("asset_id", "kind", "base_date", "value"):
        history[asset_id].append(_Valuation(*v))
    overrides = defaultdict(dict)
    mine = [s.key for s in subjects if not s.package]
    for asset_id, name, value, reason in AssetInput.objects.filter(asset__in=mine).values_list(
        "asset_id", "name", "value", "reason"
    ):
        overrides[asset_id][name] = npv.Figure(value, "override", reason)
    unrented = [a for a in assets if a.area and _latest(history[a.pk], ValuationKind.RENT, on)
                is None]  # fmt: skip
    places = {s.place.pk: s.place for s in subjects}
    places |= Jurisdiction.objects.in_bulk({a.place_id for a in unrented} - set(places))
    leases = Leases(lease_rents({places[a.place_id] for a in unrented}, {a.kind for a in unrented}))
    defaults = places_figures({s.place.path: s.place for s in subjects}.values())
    debts, flows = _debts(user, {s.place for s in subjects}, on, debt_id)
    allowed: set[int] = set()
    notes = Notes()  # the translated notes, once for the batch
    out = {}
    for s in subjects:
        try:
            if not s.assets:
                raise field_error("package", _("The package has no assets."))
            owns = []
            for a in s.assets:
                h = history[a.pk]
                appraisal = _latest(h, ValuationKind.APPRAISAL, on) or _latest(
                    h, ValuationKind.AUTOMATED, on
                )
                valued(a, appraisal, on)
                rent = _latest(h, ValuationKind.RENT, on)
                comparable = None if rent else comparable_rent(a, on, leases, places[a.place_id])
                owns.append(own_from(a, appraisal, rent, comparable, notes))
            if s.place.pk not in allowed:
                policy.require(user, "debt", "view", jurisdiction=s.place)
                allowed.add(s.place.pk)
            debt = debts.get(s.place.pk) if debt_id is None else debts.get(debt_id)
            if debt_id is not None and debt is None:
                raise no_such_debt()
            found = () if debt is None else flows[debt.pk]
            if isinstance(found, ValidationError):
                raise found
            own = combined(owns) if s.package else owns[0]
            out[s.key] = assemble(own, defaults[s.place.path], None if s.package else
                                  overrides[s.key], given, debt, found, notes)  # fmt: skip
        except ValidationError as exc:
            out[s.key] = exc
    return out


def _debts(user, places, on, debt_id) -> tuple[dict, dict]:
    """The debt each place's proceeds repay (``inputs.choose_debt``: the one named, else the
    place's dearest running one), by place (by its id when named), and their flows (or the
    ValidationError of a debt without a schedule), by debt."""
    debts = Debt.objects.visible_to(user).filter(voided_at=None)
    chosen: dict[int, DebtRow] = {}
    if debt_id is not None:
        named = debts.filter(pk=debt_id).values_list("pk", "code", "rate").first()
        chosen = {} if named is None else {debt_id: DebtRow(*named)}
    else:
        rows = debts.filter(jurisdiction__in=[p.pk for p in places], maturity_date__gt=on,
                            outstanding__gt=0)  # fmt: skip
        rows = rows.order_by("jurisdiction_id", "-rate", "maturity_date", "pk")
        for place_id, *debt in rows.values_list("jurisdiction_id", "pk", "code", "rate"):
            chosen.setdefault(place_id, DebtRow(*debt))
    schedules = defaultdict(list)
    rows = ScheduleRow.objects.filter(debt__in={d.pk for d in chosen.values()})
    rows = rows.order_by("debt_id", "due_date", "pk")
    for debt, *row in rows.values_list("debt_id", "due_date", "principal", "interest"):
        schedules[debt].append(row)
    flows = {}
    for d in chosen.values():
        try:
            flows[d.pk] = flows_of(d.code, schedules[d.pk], on)
        except ValidationError as exc:
            flows[d.pk] = exc
    return chosen, flows
