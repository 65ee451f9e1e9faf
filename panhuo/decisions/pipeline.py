"""The scenarios' inputs read from the records of a place (and the places below it), as of a
day, and the scenarios' figures as the page, the API and the CLI show them.

* **Packages**: the open packages, and those whose live project has concluded but whose money
  is not in yet (concluded, in arrears); each one's amount is its live project's deal price, else
  its reserve, else its assets' appraised values (``inputs.own_figures``); its planned quarter
  comes from the project's state (``PERIOD_OF``). Packages that bring no sale proceeds (a
  lease, a free transfer, a write-off), whose money is already in, or without any value are
  left out, each named with why.
* **Debt service**: the visible, not voided debts' schedule rows due in the horizon, by quarter;
  the floating-rate debts' interest moves with the rate.
* **Auction failure**: the share of the place's ended listing rounds that ended unsold, when
  there are at least ``MIN_ROUNDS`` of them; else the default.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from panhuo.decisions.inputs import own_figures
from panhuo.decisions.scenarios import DEFAULTS, Pipeline, check, simulate
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import ZERO_PRICE_CHANNELS, Package
from panhuo.finance.debts.models import ScheduleRow
from panhuo.finance.debts.schedules import add_months
from panhuo.finance.models import Debt, RateType
from panhuo.organisation import policy
from panhuo.register.models import AssetKind

#: The quarter (0: the one starting on the day) in which a package's money is planned to come,
#: by its live project's state (a deal concluded cannot fail at auction any more); no project:
#: ``NO_PROJECT``. States whose money is in: absent.
PERIOD_OF = {"draft": 2, "submitted": 2, "approved": 1, "listed": 1, "concluded": 0,
             "in_arrears": 0}  # fmt: skip
NO_PROJECT = 3
LISTED_CHANNELS = frozenset({"auction", "exchange"})
MIN_ROUNDS = 5
KINDS = [k.value for k in AssetKind]


def _quarter(on: dt.date, day: dt.date) -> int:
    months = (day.year - on.year) * 12 + day.month - on.month - (day.day <= on.day)
    return max(months, 0) // 3


def _packages(user, place, on: dt.date, horizon: int):
    """(amounts, periods, kinds, places, listed) and the packages left out with why."""
    rows, left = [], []
    qs = (
        Package.objects.visible_to(user)
        .filter(jurisdiction__path__startswith=place.path)
        .filter(Q(status=Package.Status.OPEN) | Q(projects__status__in=list(PERIOD_OF)))
        .distinct()
        .prefetch_related("projects", "items__asset")
        .order_by("code")
    )
    for pkg in qs:
        live = [p for p in pkg.projects.all() if p.status != "withdrawn"]
        project = max(live, key=lambda p: p.pk) if live else None
        channel = project.channel if project else pkg.channel
        if channel == "lease" or channel in ZERO_PRICE_CHANNELS:
            left.append({"code": pkg.code, "why": _("brings no sale proceeds")})
            continue
        if project is not None and project.status not in PERIOD_OF:
            left.append({"code": pkg.code, "why": _("its money is already in or the project "
                                                    "has ended")})  # fmt: skip
            continue
        assets = [i.asset for i in pkg.items.all()]
        if project is not None and (project.deal_price or project.reserve_price):
            amount = project.deal_price or project.reserve_price
        else:
            try:
                amount = sum((own_figures(a, on).value.value for a in assets), Decimal(0))
            except ValidationError as exc:
                left.append({"code": pkg.code, "why": " ".join(exc.messages)})
                continue
        if not assets or amount <= 0:
            left.append({"code": pkg.code, "why": _("no reserve and no appraised value")})
            continue
        period = PERIOD_OF[project.status] if project else NO_PROJECT
        rows.append((pkg.code, amount, period, KINDS.index(assets[0].kind),
                     pkg.jurisdiction_id, channel in LISTED_CHANNELS and period > 0))  # fmt: skip
    return rows, left


def _service(user, place, on: dt.date, horizon: int):
    """Per quarter: fixed service, floating-rate interest, that interest per rate point."""
    service, floating, per_point = np.zeros(horizon), np.zeros(horizon), np.zeros(horizon)
    debts = Debt.objects.visible_to(user).filter(
        voided_at=None, jurisdiction__path__startswith=place.path
    )
    end = add_months(on, 3 * horizon)
    n_floating = 0
    rows = ScheduleRow.objects.filter(debt__in=debts, due_date__gt=on, due_date__lte=end)
    for row in rows.select_related("debt"):
        t = min(_quarter(on, row.due_date), horizon - 1)
        if row.debt.rate_type == RateType.FLOATING and row.debt.rate > 0:
            service[t] += float(row.principal)
            floating[t] += float(row.interest)
            per_point[t] += float(row.interest / row.debt.rate)
            n_floating += 1
        else:
            service[t] += float(row.principal + row.interest)
    return service, floating, per_point, n_floating


def failure_history(place) -> tuple[float | None, int]:
    """The share (percent) of the place's ended listing rounds that ended unsold, and how many
    ended; None when fewer than ``MIN_ROUNDS``."""
    ended = ListingRound.objects.filter(
        project__package__jurisdiction__path__startswith=place.path,
        result__in=[ListingRound.Result.NO_SALE, ListingRound.Result.SOLD],
    )
    n = ended.count()
    if n < MIN_ROUNDS:
        return None, n
    return round(100 * ended.filter(result=ListingRound.Result.NO_SALE).count() / n, 2), n


def _money(x: float) -> str:
    return str(Decimal(repr(round(float(x), 2))).quantize(Decimal("0.01")))


def run(user, place, *, on: dt.date, params: dict) -> dict:
    """The scenarios of ``place`` as of ``on``: per quarter the plan, P5/P50/P95 of the
    proceeds, the expected debt service and the probability it is missed; the inputs with their
    sources. Bad input is a ValidationError naming the field."""
    policy.require(user, "package", "view", jurisdiction=place)
    policy.require(user, "debt", "view", jurisdiction=place)
    given = {k: v for k, v in params.items() if v is not None}
    horizon = int(check({"horizon": given.get("horizon")})["horizon"])
    rows, left = _packages(user, place, on, horizon)
    history, rounds = failure_history(place)
    if "failure_pct" not in given and history is not None:
        given["failure_pct"] = min(history, 95.0)
    check(given)
    if not rows:
        raise ValidationError({"packages": [_("No open package of %(place)s has a reserve or "
                                              "an appraised value to plan its disposal.")
                                            % {"place": place.name}]})  # fmt: skip
    service, floating, per_point, n_floating = _service(user, place, on, horizon)
    groups = sorted({(r[3], r[4]) for r in rows})
    index = {g: i for i, g in enumerate(groups)}
    pipe = Pipeline(
        amount=np.array([float(r[1]) for r in rows]),
        period=np.array([r[2] for r in rows]),
        group=np.array([index[(r[3], r[4])] for r in rows]),
        group_kind=np.array([g[0] for g in groups]),
        listed=np.array([r[5] for r in rows]),
        service=service, floating=floating, per_point=per_point,
    )  # fmt: skip
    out = simulate(pipe, given)
    source = "history" if history is not None else "default"
    if params.get("failure_pct") is not None:
        source = "request"
    q = out["params"]
    periods = [
        {"period": t + 1, "starts": add_months(on, 3 * t).isoformat(),
         "plan": _money(out["plan"][t]), "p5": _money(out["p5"][t]),
         "p50": _money(out["p50"][t]), "p95": _money(out["p95"][t]),
         "service": _money(out["service"][t]), "p_missed": round(float(out["p_missed"][t]), 4)}
        for t in range(horizon)
    ]  # fmt: skip
    return {
        "place": place.name,
        "on": on.isoformat(),
        "params": {k: q[k] for k in DEFAULTS},
        "failure_source": source,
        "failure_source_label": {
            "request": _("Set for this question"),
            "history": _("the place's listing history"),
            "default": _("Built-in default"),
        }[source],
        "ended_rounds": rounds,
        "floating_rows": n_floating,
        "rates_note": ""
        if n_floating
        else _("No floating-rate debt is due in the horizon: rate changes move nothing."),
        "packages": [{"code": r[0], "amount": str(r[1]), "period": r[2] + 1} for r in rows],
        "left_out": left,
        "periods": periods,
    }
