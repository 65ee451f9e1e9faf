"""Value red flags: sales that lose the place money (DESIGN.md §3, "value-destroying sale").

* ``value.destroying_sale`` — the assets a deal sold earned a net income (rent less holding
  costs) whose yield on the price they fetched exceeds the interest rate of a debt their
  proceeds repaid: keeping them would have paid that debt's interest and more. Where decision
  support can value the sale (``decisions.selectors.sale_figures``: every asset had a value on
  the deal day, every debt repaid has a schedule), it must also find that holding or leasing
  was worth more than the sale (a value destroyed above zero over its horizon); where it
  cannot, the yield test alone decides and the evidence says why the figures are missing. The
  evidence is the figures: income, costs, net, price, yield, each debt repaid with its rate,
  the amount and the interest it saves a year against the income given up, and decision
  support's hold, lease and sell values and the value destroyed, with the market rent the
  lease is valued at (from the rent appraisal, else from comparable leases: how many, their
  median rent per m², the area).
* ``value.sold_while_idle`` — an essential or income-producing asset put up for sale while idle
  assets of the same holding unit, idle for months, wait in no package (sell those first).

Both read the chain asset → package → project → receipt → allocation → debt; they write
nothing (the engine stores the hits)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from panhuo.decisions.selectors import MISSING, Sale, sale_figures
from panhuo.disposal.models import DisposalProject, PackageItem, ProjectStatus
from panhuo.disposal.workflow import AFTER_DEAL
from panhuo.finance.models import Allocation
from panhuo.flags import value_sql
from panhuo.flags.batch import deal_days
from panhuo.flags.hits import CENT, HUNDRED, Hit, Limits, Scope, pct
from panhuo.flags.labels import Ref
from panhuo.pricing.rules import SELLING_CHANNELS, add_months
from panhuo.register.models import Asset, AssetStatus, Criticality

DESTROYING = "value_destroying_sale"
SOLD_WHILE_IDLE = "sold_while_idle"

#: Default thresholds. ``margin_pp``: the yield must exceed the debt's rate by more than this
#: many percentage points (0: any excess; DESIGN.md §3). ``idle_months``: how long an idle asset
#: has waited before it counts; ``min_idle``: how many must wait.
DEFAULTS = {
    DESTROYING: {"margin_pp": Decimal("0.00")},
    SOLD_WHILE_IDLE: {"idle_months": 6, "min_idle": 1},
}

MONEY = DecimalField(max_digits=18, decimal_places=2)
IDLE = (AssetStatus.IDLE, AssetStatus.UNDER_USED)


def destroys_value(yield_pct: Decimal | None, rate_pct: Decimal, margin_pp: Decimal) -> bool:
    """The rule itself: the sold assets' net yield is above the debt's rate by more than the
    margin. No yield (no price) never flags."""
    return yield_pct is not None and yield_pct > Decimal(rate_pct) + Decimal(margin_pp)


def _dealt_projects(scope: Scope):
    """Projects past the deal, sold for a price (a selling channel), in scope."""
    return DisposalProject.objects.filter(
        scope.projects_q(),
        status__in=AFTER_DEAL,
        channel__in=SELLING_CHANNELS,
        deal_price__gt=0,
    )


def _total(path: str):
    """The sum of a money field over the package's assets (zero for none)."""
    return Coalesce(Sum(path), Value(0), output_field=MONEY)


def _net_incomes(scope: Scope) -> dict[int, dict]:
    """Per dealt project whose assets earned a positive net income: the income, the costs,
    the deal price and the place."""
    rows = (
        _dealt_projects(scope)
        .values("pk", "deal_price", "package_id", "package__jurisdiction_id")
        .annotate(
            income=_total("package__items__asset__annual_income"),
            cost=_total("package__items__asset__annual_holding_cost"),
        )
        .filter(income__gt=F("cost"))
    )  # fmt: skip
    return {r["pk"]: r for r in rows}


def _repaid(project_ids) -> dict[int, list[dict]]:
    """Per project: each debt its proceeds repaid (allocations net of reversals, above zero),
    with the debt's rate."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"))
    rows = (
        Allocation.objects.filter(receipt__project__in=list(project_ids), debt__voided_at=None)
        .values("receipt__project_id", "debt_id", "debt__code", "debt__rate")
        .annotate(repaid=Sum(signed, output_field=MONEY))
        .filter(repaid__gt=0)
        .order_by("receipt__project_id", "debt__code")
    )
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r["receipt__project_id"]].append(r)
    return out


def few(scope: Scope) -> list[int] | None:
    """The ids of the projects when the scope is those few alone, everywhere (the update after
    a write): then the rules read through ``value_sql``'s statements, built once; else None."""
    if not value_sql.ENABLED or scope.path not in (None, "/") or scope.project_ids is None:
        return None
    if (scope.asset_ids, scope.bidder_ids, scope.package_ids) != (None, None, None):
        return None
    return sorted(scope.project_ids)


def destroying_sales(scope: Scope, limits: Limits, with_cleared: bool = False) -> list[Hit]:
    """The value-destroying sales in scope, one hit per project, the figures shown. With
    ``with_cleared``: the hits (records not loaded) and the ids of the projects the yield test
    found but decision support cleared (what bench/flags.py's SQL twin, the yield test alone,
    finds more)."""
    ids = few(scope)
    if ids is None:
        incomes = _net_incomes(scope)
        repaid = _repaid(incomes)
    else:
        incomes = value_sql.net_incomes(ids)
        repaid = value_sql.repaid(sorted(incomes))
    found = []
    for pid, row in incomes.items():
        margin = Decimal(limits(DESTROYING, row["package__jurisdiction_id"])["margin_pp"])
        net = row["income"] - row["cost"]
        yield_pct = pct(net, row["deal_price"])
        debts = [
            d for d in repaid.get(pid, []) if destroys_value(yield_pct, d["debt__rate"], margin)
        ]
        if debts:
            found.append((pid, row, net, yield_pct, margin, debts))
    decided = _decided(found, repaid, few_sales=ids is not None)
    hits, cleared = [], set()
    for pid, row, net, yield_pct, margin, debts in found:
        hit = _destroying_hit(pid, row, net, yield_pct, margin, debts)
        figures = decided[pid]
        if "missing" not in figures and figures["value_destroyed"] <= 0:
            cleared.add(pid)  # over its horizon the sale was worth more than keeping
            continue
        hit.figures.update(figures)
        hits.append(hit)
    return (hits, cleared) if with_cleared else _with_records(hits, sql=ids is not None)


def _decided(found, repaid, few_sales: bool = False) -> dict[int, dict]:
    """Decision support's figures of each sale found (all the debts its proceeds repaid),
    valued on its deal day (``few_sales``: read by hand-written statements)."""
    days = (value_sql.deal_days if few_sales else deal_days)([pid for pid, *_rest in found])
    sales = [
        Sale(pid, row["package_id"], row["package__jurisdiction_id"], days[pid],
             row["deal_price"],
             tuple((d["debt_id"], d["debt__code"], Decimal(d["repaid"]).quantize(CENT))
                   for d in repaid[pid]))
        for pid, row, *_rest in found
    ]  # fmt: skip
    return sale_figures(sales, few=few_sales)


def _destroying_hit(pid, row, net, yield_pct, margin, debts) -> Hit:
    """The hit of one sale: the figures as money (cents) and rates (three decimals, as a debt's
    rate is kept), whichever database summed them."""
    rate = Decimal("0.001")
    for d in debts:
        d["repaid"], d["debt__rate"] = (
            Decimal(d["repaid"]).quantize(CENT),
            d["debt__rate"].quantize(rate),
        )
    row = {
        **row,
        "income": Decimal(row["income"]).quantize(CENT),
        "cost": Decimal(row["cost"]).quantize(CENT),
    }
    net = Decimal(net).quantize(CENT)
    repaid = sum((d["repaid"] for d in debts), Decimal(0))
    saved = sum((d["repaid"] * d["debt__rate"] / HUNDRED for d in debts), Decimal(0))
    forgone = (net * repaid / row["deal_price"]).quantize(CENT)
    figures = {
        "annual_income": row["income"],
        "annual_holding_cost": row["cost"],
        "net_income": net,
        "deal_price": row["deal_price"],
        "yield_pct": yield_pct,
        "margin_pp": margin,
        "repaid": repaid,
        "interest_saved": saved.quantize(CENT),
        "income_forgone": forgone,
        "debt": ", ".join(d["debt__code"] for d in debts),
        "rate_pct": max(d["debt__rate"] for d in debts),
        "debts": [
            {"code": d["debt__code"], "rate_pct": d["debt__rate"], "repaid": d["repaid"]}
            for d in debts
        ],
    }
    return Hit(DESTROYING, pid, row["package__jurisdiction_id"], "", figures,
               tuple(("finance.Debt", d["debt_id"]) for d in debts))  # fmt: skip


def _with_records(hits: list[Hit], sql: bool = False) -> list[Hit]:
    """The hits with their subject project and the records behind them loaded (a query per
    kind, not per hit; with ``sql``, ``value_sql``'s)."""
    if not hits:
        return []
    if sql:
        projects = value_sql.projects(h.subject for h in hits)
        items = value_sql.assets_of_sales(projects)
    else:
        projects = DisposalProject.objects.only("id", "code", "status", "package_id").in_bulk(
            [h.subject for h in hits]
        )
        items = PackageItem.objects.filter(package__projects__in=projects).values_list(
            "package_id", "asset_id", "asset__unit_id"
        )
    # The assets behind each sale by id and unit only: loaded for the flags written alone.
    assets = defaultdict(list)
    for package_id, asset_id, unit_id in items:
        assets[package_id].append(Ref("register.asset", asset_id, unit_id))
    out = []
    for h in hits:
        p = projects[h.subject]
        own_debts = [Ref("finance.debt", pk) for m, pk in h.records if m == "finance.Debt"]
        records = (p, *assets[p.package_id], *own_debts)
        out.append(Hit(h.rule, p, h.jurisdiction_id, h.key, h.figures, records))
    return out


def _selling_items(scope: Scope):
    """Assets put up for sale (a selling channel, the project not withdrawn) that are essential
    or produce a net income (more than they cost to hold): what should be sold last."""
    return (
        PackageItem.objects.filter(
            scope.projects_q("package__projects__"),
            package__projects__channel__in=SELLING_CHANNELS,
        )
        .exclude(package__projects__status=ProjectStatus.WITHDRAWN)
        .filter(
            Q(asset__criticality=Criticality.ESSENTIAL)
            | Q(asset__annual_income__gt=F("asset__annual_holding_cost"))
        )
        .values("asset_id", "asset__unit_id", "package__projects", "package__jurisdiction_id")
    )


def _waiting_idle(unit_ids, since: dt.date) -> dict[int, dict]:
    """Per unit: its assets idle since ``since`` or earlier that no live package holds."""
    rows = (
        Asset.objects.filter(unit__in=unit_ids, status__in=IDLE, idle_since__lte=since)
        .exclude(package_items__live=True)
        .values("unit_id")
        .annotate(n=Count("pk"), book=Sum("book_value"))
    )
    return {r["unit_id"]: r for r in rows}


def sold_while_idle(scope: Scope, limits: Limits, today: dt.date | None = None) -> list[Hit]:
    """Essential or income-producing assets for sale while idle ones of their unit wait."""
    today = today or timezone.localdate()
    ids = few(scope)
    items = list(_selling_items(scope)) if ids is None else value_sql.selling_items(ids)
    waiting_idle = _waiting_idle if ids is None else value_sql.waiting_idle
    by_months: dict[int, list[dict]] = defaultdict(list)
    for it in items:
        lim = limits(SOLD_WHILE_IDLE, it["package__jurisdiction_id"])
        it["limits"] = lim
        by_months[int(lim["idle_months"])].append(it)
    hits = []
    for months, group in by_months.items():
        since = add_months(today, -months)
        idle = waiting_idle({it["asset__unit_id"] for it in group}, since)
        for it in group:
            waiting = idle.get(it["asset__unit_id"])
            if waiting and waiting["n"] >= int(it["limits"]["min_idle"]):
                hits.append((it, waiting, months, since))
    return _idle_hits(hits, sql=ids is not None)


def _idle_lists(
    wanted: set[tuple[int, dt.date]], limit: int = 10, sql: bool = False
) -> dict[tuple, list[Ref]]:
    """Per (unit, date): the first ``limit`` assets of the unit idle since that date or before
    and in no live package, longest idle first — one query per date (a window per unit), not
    one per unit; by id (``labels.Ref``: loaded for the flags written alone)."""
    from django.db.models import Window
    from django.db.models.functions import RowNumber

    out: dict[tuple, list[Ref]] = defaultdict(list)
    for since in {s for _u, s in wanted}:
        units = [u for u, s in wanted if s == since]
        if sql:
            for pk, unit_id in value_sql.idle_lists(sorted(units), since, limit):
                out[unit_id, since].append(Ref("register.asset", pk, unit_id))
            continue
        rank = Window(RowNumber(), partition_by=F("unit_id"), order_by=["idle_since", "code"])
        rows = (
            Asset.objects.filter(unit__in=units, status__in=IDLE, idle_since__lte=since)
            .exclude(package_items__live=True)
            .annotate(rank=rank)
            .filter(rank__lte=limit)
            .order_by("unit_id", "idle_since", "code")
            .values_list("pk", "unit_id")
        )
        for pk, unit_id in rows:
            out[unit_id, since].append(Ref("register.asset", pk, unit_id))
    return out


def _idle_hits(found, sql: bool = False) -> list[Hit]:
    """The hits of ``sold_while_idle``, one per project, with their records: the project, the
    assets for sale that should wait and (up to ten of) the idle assets waiting."""
    if not found:
        return []
    asset_ids = [it["asset_id"] for it, *_ in found]
    project_ids = [it["package__projects"] for it, *_ in found]
    if sql:
        assets, projects = value_sql.assets(asset_ids), value_sql.projects(project_ids)
    else:
        fields = ("id", "code", "name", "unit_id", "criticality", "annual_income")
        assets = Asset.objects.only(*fields).in_bulk(asset_ids)
        projects = DisposalProject.objects.only("id", "code", "status").in_bulk(project_ids)
    per_project: dict[int, list] = defaultdict(list)
    place = {it["package__projects"]: it["package__jurisdiction_id"] for it, *_ in found}
    for it, waiting, months, since in found:
        per_project[it["package__projects"]].append(
            (assets[it["asset_id"]], waiting, months, since)
        )
    lists = _idle_lists(
        {(rows[0][0].unit_id, rows[0][3]) for rows in per_project.values()}, sql=sql
    )
    out = []
    for pid, rows in sorted(per_project.items()):
        first, waiting, months, since = rows[0]
        idle = lists.get((first.unit_id, since), [])
        figures = {
            "asset": first.code,
            "criticality": first.criticality,
            "annual_income": first.annual_income,
            "idle_waiting": waiting["n"],
            "idle_book_value": Decimal(waiting["book"]).quantize(CENT),
            "idle_months": months,
            "assets": [
                {"code": a.code, "criticality": a.criticality, "annual_income": a.annual_income,
                 "idle_waiting": w["n"], "idle_book_value": Decimal(w["book"]).quantize(CENT)}
                for a, w, _m, _s in rows
            ],
        }  # fmt: skip
        project = projects[pid]
        out.append(Hit(SOLD_WHILE_IDLE, project, place[pid], "", figures,
                       (project, *(a for a, *_ in rows), *idle)))  # fmt: skip
    return out


# --- the rules, as the engine runs them -----------------------------------------------------

from django.utils.translation import gettext_lazy as _  # noqa: E402

from panhuo.flags import reach  # noqa: E402
from panhuo.flags.figures import projects_of_valuations  # noqa: E402
from panhuo.flags.hits import declare  # noqa: E402
from panhuo.flags.models import Severity  # noqa: E402
from panhuo.flags.registry import VALUE, Param, only, same  # noqa: E402

#: The asset fields the rules read: what an asset's write must change to reach them (a sale's
#: figures read the income; whether an asset waits idle, its status, since when, its value).
INCOME_FIELDS = {"annual_income", "annual_holding_cost"}
UNIT_FIELDS = {"unit", "unit_id"}

value_destroying_sale = declare(
    destroying_sales, DESTROYING, Severity.HIGH, category=VALUE,
    label=_("Value-destroying sale"),
    source=_("DESIGN.md §3 (value-destroying sale); Decree 738 art. 3 (best use of assets)"),
    explanation=_("Sold for %(deal_price)s yuan, the assets earned a net %(net_income)s yuan a "
                  "year (income %(annual_income)s less costs %(annual_holding_cost)s): a yield "
                  "of %(yield_pct)s %%, above the %(rate_pct)s %% of debt %(debt)s their "
                  "proceeds repaid (flagged above the rate plus %(margin_pp)s points). Repaying "
                  "%(repaid)s yuan saves %(interest_saved)s yuan of interest a year and gives up "
                  "%(income_forgone)s yuan of income."),
    more={"hold_value": _(
              "Decision support, valued on %(on)s at %(discount_rate_pct)s %% over "
              "%(horizon_years)s years: holding the assets was worth %(hold_value)s yuan, "
              "selling %(sell_value)s yuan (proceeds %(sale_proceeds)s after fees and taxes, "
              "plus %(interest_saved_npv)s of interest saved on the debts repaid); the sale "
              "destroyed %(value_destroyed)s yuan of value."),
          "lease_value": _("Leasing them out was worth %(lease_value)s yuan."),
          "market_rent": _("The lease is valued at a market rent of %(market_rent)s yuan a "
                           "year."),
          "rent_comparable": _(
              "Of that rent, %(rent_comparable)s yuan a year comes from comparable leases (no "
              "rent appraisal): the median of %(rent_leases)s leases in %(rent_place)s, "
              "%(rent_per_m2)s yuan per m² a year, over %(rent_area)s m²."),
          "missing": _("Decision support could not value the sale (%(missing)s: "
                       "%(missing_record)s): the yield test alone decided.")},
    words=MISSING,
    subject="disposal.disposalproject",
    params=[Param("margin_pp", Decimal("0"),
                  _("Flag when the yield exceeds the debt's rate by more than (percentage points)"),
                  _("DESIGN.md §3: any excess of the yield over the rate"), high=Decimal(100))],
    watches={"disposal.disposalproject": same,
             "register.asset": only(INCOME_FIELDS, reach.projects_of_assets),
             "finance.receipt": reach.projects_of_receipts,
             "finance.allocation": reach.projects_of_allocations,
             "finance.debt": reach.projects_of_debts,
             "pricing.valuation": projects_of_valuations},
)  # fmt: skip


sold_while_idle_rule = declare(
    sold_while_idle, SOLD_WHILE_IDLE, Severity.MEDIUM, dated=True, category=VALUE,
    label=_("Income-producing or essential asset sold while idle ones wait"),
    source=_("DESIGN.md §3; Decree 738 art. 3 (idle assets activated first)"),
    explanation=_("Asset %(asset)s (income %(annual_income)s yuan a year) is for sale while "
                  "%(idle_waiting)s idle assets of the same unit (book value "
                  "%(idle_book_value)s yuan), idle for %(idle_months)s months or more, are in no "
                  "package."),
    subject="disposal.disposalproject",
    params=[Param("idle_months", 6, _("Count assets idle for at least this many months"),
                  _("DESIGN.md §3: idle assets are sold first"), high=Decimal(240)),
            Param("min_idle", 1, _("Flag when at least this many idle assets wait"),
                  _("DESIGN.md §3"), low=Decimal(1), high=Decimal(100000))],
    watches={"disposal.disposalproject": same, "disposal.package": reach.projects_of_packages,
             "register.asset": (
                 only({*INCOME_FIELDS, "criticality", "code", *UNIT_FIELDS},
                      reach.projects_of_assets),
                 only({"status", "idle_since", "book_value", *UNIT_FIELDS},
                      reach.projects_of_units_of_assets))},
)  # fmt: skip
