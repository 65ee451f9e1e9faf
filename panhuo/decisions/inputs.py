"""The inputs of one asset's hold/lease/sell decision, gathered from the register (income,
holding cost), valuations (appraised value, rent appraisal), the debts (the debt the proceeds
would repay, its schedule) and the defaults of the place, each with its source. The task force may
set an input for one asset with a reason (``AssetInput``, source ``override``), and a caller may
set the rates and the price factor for the question they ask (source ``request``).

Bad input is refused naming what is missing: an asset without an appraisal, a debt without a
schedule, a rate outside plausible bounds (``npv.check``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.decisions.comparables import comparable_rent
from panhuo.decisions.models import AssetInput, PlaceInput
from panhuo.decisions.npv import Figure, Inputs, check
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.models import Debt
from panhuo.organisation import policy
from panhuo.pricing.models import Valuation, ValuationKind
from panhuo.register.models import AssetStatus

#: Built-in defaults of every place (percent, years): the discount rate near a local
#: government's long bond yield plus a margin, the discount of a hurried sale, the vacancy and
#: letting costs of a public lease, the fees and taxes of a sale.
DEFAULTS = {
    "discount_rate_pct": Decimal("4.0"),
    "horizon_years": Decimal(10),
    "vacancy_pct": Decimal("10.0"),
    "lease_cost_pct": Decimal("5.0"),
    "forced_sale_discount_pct": Decimal("15.0"),
    "sale_cost_pct": Decimal("5.0"),
    "price_factor": Decimal("1.00"),
}
#: What a caller may set for their question.
ADJUSTABLE = tuple(DEFAULTS)
DAYS_A_YEAR = Decimal("365.25")


def _latest(asset, kind: str, on: dt.date) -> Valuation | None:
    return (
        Valuation.objects.filter(asset=asset, kind=kind, base_date__lte=on)
        .order_by("-base_date", "-pk")
        .first()
    )


def _valuation_note(v) -> str:
    """A valuation's note (``v``: a Valuation or a row with its kind, base date and value)."""
    return _("%(kind)s of %(date)s") % {"kind": ValuationKind(v.kind).label, "date": v.base_date}


class Notes:
    """The translated notes of the figures, looked up once for a batch of assets in the
    language active when it is made (``decisions.many``: per batch, not per asset), the
    valuations' and the net income's kept per distinct text. The texts are those the one-asset
    path makes afresh for each asset (it makes one of these per asset)."""

    def __init__(self) -> None:
        self.cost = _("annual holding cost")
        self.income = _("annual income")
        self.no_income = _("no income recorded")
        self._avoided = _("rent avoided by own use: %(v)s")
        self._less = _("%(income)s less %(cost)s")
        self._valued: dict[tuple, str] = {}
        self._net: dict[tuple[str, str], str] = {}

    def valuation(self, v) -> str:
        key = (v.kind, v.base_date)
        found = self._valued.get(key)
        if found is None:
            found = self._valued[key] = _valuation_note(v)
        return found

    def avoided(self, v) -> str:
        return self._avoided % {"v": self.valuation(v)}

    def net(self, income: str, cost: str) -> str:
        if income == cost:
            return income
        found = self._net.get((income, cost))
        if found is None:
            found = self._net[income, cost] = self._less % {"income": income, "cost": cost}
        return found


def choose_debt(user, place, on: dt.date, debt_id: int | None) -> Debt | None:
    """The debt the proceeds would repay: the one named, else the dearest debt of the place
    still running on the day. The caller must be allowed to read the place's debts."""
    policy.require(user, "debt", "view", jurisdiction=place)
    debts = Debt.objects.visible_to(user).filter(voided_at=None)
    if debt_id is not None:
        found = debts.filter(pk=debt_id).first()
        if found is None:
            raise no_such_debt()
        return found
    return (
        debts.filter(jurisdiction=place, maturity_date__gt=on, outstanding__gt=0)
        .order_by("-rate", "maturity_date", "pk")
        .first()
    )


def no_such_debt():
    return field_error("debt", _("No such debt, or it is not visible to you."))


def _debt_flows(debt: Debt, on: dt.date) -> tuple:
    rows = ScheduleRow.objects.filter(debt=debt).order_by("due_date", "pk")
    return flows_of(debt.code, list(rows.values_list("due_date", "principal", "interest")), on)


def flows_of(code: str, schedule: list[tuple], on: dt.date) -> tuple:
    """A debt's scheduled payments after ``on`` as ``npv.Inputs.debt_flows`` holds them, from
    its whole schedule (``(due date, principal, interest)`` rows by due date); refused naming
    the debt when it has none."""
    if not schedule:
        raise field_error(
            "debt",
            _("Debt %(code)s has no repayment schedule: the interest a sale saves cannot be "
              "computed. Set its schedule first.") % {"code": code},
        )  # fmt: skip
    return tuple(
        (Decimal((due - on).days) / DAYS_A_YEAR, principal, interest)
        for due, principal, interest in schedule
        if due > on
    )


@dataclass(frozen=True)
class Own:
    """One asset's own figures: what it earns when held, costs, is worth and would let for."""

    income: Figure
    cost: Figure
    value: Figure
    rent: Figure | None


def own_figures(asset, on: dt.date) -> Own:
    """The asset's figures on ``on``, refused naming the asset when it has no value."""
    appraisal = _latest(asset, ValuationKind.APPRAISAL, on) or _latest(
        asset, ValuationKind.AUTOMATED, on
    )
    valued(asset, appraisal, on)
    rent = _latest(asset, ValuationKind.RENT, on)
    comparable = None if rent is not None else comparable_rent(asset, on)
    return own_from(asset, appraisal, rent, comparable)


def valued(asset, appraisal, on: dt.date) -> None:
    """Refuse ``asset`` naming it when it has no appraisal or automated estimate (``appraisal``
    None) on ``on``."""
    if appraisal is None:
        raise field_error(
            "asset",
            _("Asset %(code)s has no appraisal or automated estimate on or before %(date)s: "
              "its price and terminal value are unknown. Value it first.")
            % {"code": asset.code, "date": on},
        )  # fmt: skip


def own_from(asset, appraisal, rent, comparable: Figure | None, notes: Notes | None = None) -> Own:
    """The asset's figures from its latest appraisal (or automated estimate), its latest rent
    appraisal (or None) and the comparable leases' rent (used only without a rent appraisal):
    valuations as model instances or rows (kind, base date, value). ``notes``: a batch's."""
    notes = notes or Notes()
    cost = Figure(asset.annual_holding_cost, "register", notes.cost)
    if asset.annual_income > 0:
        income = Figure(asset.annual_income, "register", notes.income)
    elif asset.status == AssetStatus.IN_USE and rent is not None:
        income = Figure(rent.value, "valuation", notes.avoided(rent))
    else:
        income = Figure(Decimal(0), "register", notes.no_income)
    value = Figure(appraisal.value, "valuation", notes.valuation(appraisal))
    market = comparable if rent is None else Figure(rent.value, "valuation", notes.valuation(rent))
    return Own(income, cost, value, market)


def _sum(figures: list[Figure], note: str) -> Figure:
    if len(figures) == 1:
        return figures[0]
    sources = {f.source for f in figures}
    source = sources.pop() if len(sources) == 1 else "register"
    return Figure(sum((f.value for f in figures), Decimal(0)), source, note)


def combined(owns: list[Own]) -> Own:
    """A package's figures: the sums of its assets' (no market rent unless each has one)."""
    note = _("sum over %(n)s assets") % {"n": len(owns)}
    rents = [o.rent for o in owns]
    return Own(
        _sum([o.income for o in owns], note),
        _sum([o.cost for o in owns], note),
        _sum([o.value for o in owns], note),
        None if None in rents else _sum(rents, note),
    )


def gather(user, asset, *, on: dt.date, debt_id: int | None = None, given=None) -> Inputs:
    """The inputs for ``asset`` on ``on``; ``given`` maps names of :data:`ADJUSTABLE` to the
    caller's values (None: the default)."""
    own = own_figures(asset, on)
    overrides = {
        row.name: Figure(row.value, "override", row.reason)
        for row in AssetInput.objects.filter(asset=asset)
    }
    return _inputs(user, own, asset.unit.jurisdiction, on=on, debt_id=debt_id, given=given,
                   overrides=overrides)  # fmt: skip


def gather_package(user, package, *, on: dt.date, debt_id=None, given=None) -> Inputs:
    """The inputs for a package: its assets' figures summed (each must have a value)."""
    assets = [i.asset for i in package.items.select_related("asset").order_by("asset__code")]
    if not assets:
        raise field_error("package", _("The package has no assets."))
    own = combined([own_figures(a, on) for a in assets])
    return _inputs(user, own, package.jurisdiction, on=on, debt_id=debt_id, given=given)


def place_defaults(place) -> dict[str, Figure]:
    """The inputs set for ``place`` or the nearest place above it, with where and why."""
    return places_figures([place])[place.path]


def places_figures(places) -> dict[str, dict[str, Figure]]:
    """:func:`place_defaults` of each of ``places``, by its path: one query for all."""
    paths = {place.path: _paths(place) for place in places}
    wanted = {p for ps in paths.values() for p in ps}
    rows = PlaceInput.objects.filter(jurisdiction__path__in=wanted)
    rows = rows.values_list("jurisdiction__path", "jurisdiction__name", "name", "value", "reason")
    by_path: dict[str, list] = defaultdict(list)
    for path, *row in rows:
        by_path[path].append(row)
    out = {}
    for place_path, above in paths.items():
        found: dict[str, Figure] = {}
        for path in above:  # the root first, the nearest last
            for where_name, name, value, reason in by_path.get(path, ()):
                note = _("set by %(place)s: %(reason)s") % {"place": where_name, "reason": reason}
                found[name] = Figure(value, "default", note)
        out[place_path] = found
    return out


def _paths(place) -> list[str]:
    """The paths from the root down to ``place`` ("/1/", "/1/4/", ...)."""
    parts = [p for p in place.path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def places_defaults(places) -> dict[int, dict[str, Decimal]]:
    """Per place of ``places`` (by id): each input's value as :func:`place_defaults` finds it
    (the place or the nearest above it that sets it), else the built-in :data:`DEFAULTS`. The
    values only, no notes; one query for all the places."""
    places = list(places)
    paths = {path for place in places for path in _paths(place)}
    by_path: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = PlaceInput.objects.filter(jurisdiction__path__in=sorted(paths))
    for path, name, value in rows.values_list("jurisdiction__path", "name", "value"):
        by_path[path][name] = value
    out = {}
    for place in places:
        found = dict(DEFAULTS)
        for path in _paths(place):  # the root first, the nearest last
            found |= by_path.get(path, {})
        out[place.pk] = {k: found[k] for k in DEFAULTS}
    return out


def _inputs(user, own: Own, place, *, on, debt_id, given, overrides=None) -> Inputs:
    debt = choose_debt(user, place, on, debt_id)
    defaults = place_defaults(place)
    flows = () if debt is None else _debt_flows(debt, on)
    return assemble(own, defaults, overrides, given, debt, flows)


def assemble(own: Own, defaults, overrides, given, debt, flows, notes: Notes | None = None
             ) -> Inputs:  # fmt: skip
    """The inputs from the asset's (or package's) own figures, its place's ``defaults`` (as
    :func:`place_defaults` gives them), its ``overrides``, the caller's ``given`` values, the
    debt repaid (its code and rate, or None) and its ``flows``; checked (``npv.check``).
    ``notes``: a batch's (:class:`Notes`)."""
    given = {k: v for k, v in (given or {}).items() if v is not None}

    def pick(name: str) -> Figure:
        if name in given:
            return Figure(Decimal(given[name]), "request")
        return (
            (overrides or {}).get(name) or defaults.get(name) or Figure(DEFAULTS[name], "builtin")
        )

    income, cost = own.income, own.cost
    inputs = Inputs(
        discount_rate_pct=pick("discount_rate_pct"),
        horizon_years=pick("horizon_years"),
        net_income=Figure(income.value - cost.value, income.source,
                          (notes or Notes()).net(income.note, cost.note)),
        holding_cost=cost,
        value=own.value,
        market_rent=own.rent,
        vacancy_pct=pick("vacancy_pct"),
        lease_cost_pct=pick("lease_cost_pct"),
        forced_sale_discount_pct=pick("forced_sale_discount_pct"),
        sale_cost_pct=pick("sale_cost_pct"),
        price_factor=pick("price_factor"),
        debt_flows=flows,
        debt_rate_pct=None if debt is None else Figure(debt.rate, "debt", debt.code),
    )  # fmt: skip
    check(inputs)
    return inputs
