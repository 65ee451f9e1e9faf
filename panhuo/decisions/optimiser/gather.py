"""The optimiser's problem of a place (and the places below it) as of a day, read from its
records: the open packages with no live project (each one's hold, lease and sell figures from
``decisions.many``/``npv``, read for all the packages at once, the same as its decision page),
the debts' schedules (the debt service per quarter, as ``pipeline`` reads it), the rule sets'
approval lead times and disclosure periods (the earliest quarter per package and channel) and
the market's absorption per asset kind and quarter.

Left out, each named with why: packages holding an essential asset (or a supporting one where
the place's scope rules exclude them), without assets, or without a valuation. Refused, naming
what is missing: a running debt without a schedule, a horizon with no debt service, a
parameter outside its plausible bounds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from panhuo.core.errors import field_error
from panhuo.decisions.many import gather_packages
from panhuo.decisions.npv import decide, lease_net_rent
from panhuo.decisions.optimiser.problem import Problem, check_params
from panhuo.decisions.pipeline import KINDS, _service
from panhuo.disposal.models import Package, ProjectStatus
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.debts.schedules import add_months
from panhuo.finance.models import Debt
from panhuo.organisation import policy
from panhuo.pricing.rules import PHYSICAL_KINDS, SELLING_CHANNELS, disclosure_min_days
from panhuo.pricing.selectors import thresholds_for_package
from panhuo.register.models import Criticality
from panhuo.register.scope import rules_for

#: The approval lead times (``approval_days``, ``finance_approval_days``) come from each
#: package's rule set (``pricing``'s thresholds); a run may override them for every package
#: (a what-if), and None leaves them to the rule sets.
DEFAULTS = {"horizon": 12, "buffer": Decimal(0), "opening": Decimal(0), "absorption_pct": 50,
            "time_limit": 30, "gap_pct": Decimal("0.1"), "approval_days": None,
            "finance_approval_days": None}  # fmt: skip
DAYS_A_QUARTER = 91.3
#: A package with a project in any of these states is on its way already: not a candidate.
LIVE = [s for s in ProjectStatus.values if s != ProjectStatus.WITHDRAWN]
WORK_TO_CALENDAR = 7 / 5


def params_of(given: dict) -> dict:
    """The run's parameters: the given ones (None: the default), checked."""
    out = {k: (given.get(k) if given.get(k) is not None else v) for k, v in DEFAULTS.items()}
    return check_params(out)


def lead_quarters(t, kind: str, value: Decimal, channel: str, *, approval_days=None,
                  finance_approval_days=None) -> int:  # fmt: skip
    """The first quarter (0: the one starting on the day) in which the package's money can come
    by ``channel``: the approval (the rule set's calendar days, the finance bureau's above its
    threshold; a run's override when given), the disclosure of the rule set (working days) and,
    for a sale, full payment; land waits for its announcement and listing periods too. ``t``:
    the package's thresholds (``pricing``'s rule sets)."""
    if value > t.finance_approval_above:
        days = float(t.finance_approval_days if finance_approval_days is None
                     else finance_approval_days)  # fmt: skip
    else:
        days = float(t.approval_days if approval_days is None else approval_days)
    days += WORK_TO_CALENDAR * disclosure_min_days(
        physical=kind in PHYSICAL_KINDS, value=value, t=t
    )
    if channel != "lease":
        days += WORK_TO_CALENDAR * t.payment_full_days
        if kind == "land":
            days += t.land_announce_days + t.land_listing_days
    return int(days // DAYS_A_QUARTER)


def debt_service(user, place, on: dt.date, horizon: int) -> np.ndarray:
    debts = Debt.objects.visible_to(user).filter(
        voided_at=None, jurisdiction__path__startswith=place.path, maturity_date__gt=on,
        outstanding__gt=0,
    )  # fmt: skip
    scheduled = set(ScheduleRow.objects.filter(debt__in=debts).values_list("debt", flat=True))
    missing = [d.code for d in debts.order_by("code") if d.pk not in scheduled]
    if missing:
        raise field_error("debts", _("Debt %(codes)s has no repayment schedule: its service per "
                                     "quarter is unknown. Set its schedule first.")
                          % {"codes": ", ".join(missing)})  # fmt: skip
    service, floating, _per_point, _n = _service(user, place, on, horizon)
    service = service + floating
    if service.sum() <= 0:
        raise field_error("horizon", _("No debt service of %(place)s is due in the %(n)s quarters "
                                       "from %(day)s: there is nothing to cover.")
                          % {"place": place.name, "n": horizon, "day": on})  # fmt: skip
    return service


def _excluded(package, exclude_supporting: bool) -> str:
    crit = {i.asset.criticality for i in package.items.all()}
    if Criticality.ESSENTIAL in crit:
        return _("holds an essential public-service asset (protected)")
    if exclude_supporting and Criticality.SUPPORTING in crit:
        return _("holds a supporting asset, which the scope rules exclude")
    if not crit:
        return _("has no assets")
    return ""


def gather(user, place, *, on: dt.date, params: dict) -> tuple[Problem, dict]:
    """The problem and what the result shows about its inputs (packages, left out, quarters)."""
    policy.require(user, "package", "view", jurisdiction=place)
    policy.require(user, "debt", "view", jurisdiction=place)
    T = int(params["horizon"])
    service = debt_service(user, place, on, T)
    exclude_supporting = rules_for(place).exclude_supporting
    qs = (
        Package.objects.visible_to(user)
        .filter(jurisdiction__path__startswith=place.path, status=Package.Status.OPEN)
        .exclude(projects__status__in=LIVE)
        .distinct()
        .select_related("jurisdiction")
        .prefetch_related("items__asset")
        .order_by("code")
    )
    rows, packages, left = [], [], []
    approval = {k: params.get(k) for k in ("approval_days", "finance_approval_days")}
    pkgs = list(qs)
    reasons = {pkg.pk: _excluded(pkg, exclude_supporting) for pkg in pkgs}
    gathered = gather_packages(user, [p for p in pkgs if not reasons[p.pk]], on=on)
    for pkg in pkgs:
        why = reasons[pkg.pk]
        if not why:
            inputs = gathered[pkg.pk]
            if isinstance(inputs, ValidationError):
                why = " ".join(inputs.messages)
            else:
                res = decide(inputs, sensitivity=False)
        if why:
            left.append({"code": pkg.code, "id": pkg.pk, "why": why})
            continue
        i = len(packages)
        kind = pkg.items.all()[0].asset.kind
        value = inputs.value.value
        rules = thresholds_for_package(pkg)
        packages.append({"id": pkg.pk, "code": pkg.code, "name": pkg.name, "kind": kind,
                         "hold": res.hold, "lease": res.lease, "sell": res.sell,
                         "proceeds": res.proceeds, "value": value})  # fmt: skip
        rate = float(inputs.discount_rate_pct.value) / 100
        d = [(1 + rate) ** (-t / 4) for t in range(T + 1)]
        income = float(inputs.net_income.value) / 4
        held = [income * sum(d[1 : t + 1]) for t in range(T)]  # income while still held
        sale = pkg.channel if pkg.channel in SELLING_CHANNELS else "auction"
        for t in range(lead_quarters(rules, kind, value, sale, **approval), T):
            loss = float(res.hold) - float(res.sell) * d[t] - held[t]
            rows.append((i, sale, t, 1, float(res.proceeds), loss, KINDS.index(kind), True))
        net = lease_net_rent(inputs)
        extra = max(float(net - inputs.net_income.value), 0.0) / 4 if net is not None else 0.0
        term = rules.lease_max_years * 4
        for t in range(lead_quarters(rules, kind, value, "lease", **approval),
                       T if extra > 0 else 0):  # fmt: skip
            loss = float(res.hold) - float(res.lease) * d[t] - held[t]
            rows.append((i, "lease", t, term, extra, loss, KINDS.index(kind), False))
    if not rows:  # say why, naming the packages left out (the first five)
        said = _("No open package of %(place)s without a live project can be disposed of: "
                 "nothing to plan with.") % {"place": place.name}  # fmt: skip
        why = [f"{x['code']}: {x['why']}" for x in left[:5]]
        raise ValidationError({"packages": [said, *why]})
    return _problem(rows, packages, service, params), {"packages": packages, "left_out": left}


def _problem(rows, packages, service, params) -> Problem:
    T = len(service)
    a = np.array([(r[0], r[2], r[3], r[4], r[5], r[6]) for r in rows], dtype=float)
    absorbed = np.array([r[4] if r[7] else 0.0 for r in rows])
    kind = a[:, 5].astype(int)
    cap = np.zeros((len(KINDS), T))
    pct = float(params["absorption_pct"]) / 100
    for k in range(len(KINDS)):
        values = [float(p["proceeds"]) for p in packages if KINDS.index(p["kind"]) == k]
        if values:
            cap[k, :] = max(pct * sum(values), max(values))
    return Problem(
        service=service, cand=a[:, 0].astype(int), start=a[:, 1].astype(int),
        length=a[:, 2].astype(int), amount=a[:, 3], loss=a[:, 4], kind=kind, absorbed=absorbed,
        cap=cap, buffer=float(params["buffer"]), opening=float(params["opening"]),
        names=[p["code"] for p in packages], channels=[r[1] for r in rows],
    )  # fmt: skip


def quarters(on: dt.date, horizon: int) -> list[str]:
    return [add_months(on, 3 * t).isoformat() for t in range(horizon)]
