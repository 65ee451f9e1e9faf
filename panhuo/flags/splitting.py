"""Splitting red flag: the assets of one site sold in several packages each just under a
threshold that would have called for more — the finance bureau's approval (administrative
assets worth more than ``finance_approval_above``) or the longer disclosure of Order 32
(physical assets over ``physical_mid_to``) — while together they are over it (DESIGN.md §3,
"splitting").

A site is the holding unit and the address (the same building, the same yard). A package's
value is its live project's deal price, else its reserve, else its assets' appraised values.
The approval and disclosure thresholds are the jurisdiction's price rules (``rule_set_for``,
else the defaults); this rule's own threshold is how close under counts (``margin_pct``) and
how many packages make a split (``min_packages``)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from panhuo.disposal.models import DisposalProject, Package, PackageItem, ProjectStatus
from panhuo.flags import split_sql, value_sql
from panhuo.flags.hits import CENT, HUNDRED, Hit, Limits, Scope, site_key
from panhuo.pricing.law import RuleClass
from panhuo.pricing.models import PriceRuleSet
from panhuo.pricing.rules import SELLING_CHANNELS, Thresholds

SPLIT = "split_under_threshold"

DEFAULTS = {SPLIT: {"margin_pct": Decimal("10.00"), "min_packages": 2}}

#: The thresholds a split evades: (name in the price rules, the rule class it belongs to).
EVADED = (
    ("finance_approval_above", RuleClass.ADMINISTRATIVE),
    ("physical_mid_to", RuleClass.ENTERPRISE),
)


def _touched_sites(scope: Scope) -> set[str] | None:
    """The sites of the assets or projects one write touched (None: every site in scope)."""
    if not scope.narrowed:
        return None
    rows = PackageItem.objects.filter(scope.projects_q("package__projects__"))
    if scope.asset_ids is not None:
        rows = PackageItem.objects.filter(
            Q(pk__in=rows.values("pk")) | Q(asset__in=scope.asset_ids)
        )
    return {
        site_key(u, a) for u, a in rows.values_list("asset__unit_id", "asset__address") if a.strip()
    }


def _items(scope: Scope) -> dict[str, set[int]]:
    """Per site: the live packages of a selling channel holding its assets."""
    rows = PackageItem.objects.filter(
        package__channel__in=SELLING_CHANNELS,
        package__status__in=(Package.Status.OPEN, Package.Status.DISPOSED),
    ).exclude(asset__address="")
    if scope.path is not None:
        rows = rows.filter(package__jurisdiction__path__startswith=scope.path)
    touched = _touched_sites(scope)
    if touched is not None:
        # Only the touched sites' units' items (the site is checked below, on the address).
        rows = rows.filter(asset__unit__in={int(k.split(":", 1)[0]) for k in touched})
    sites: dict[str, set[int]] = defaultdict(set)
    for pkg, unit, address in rows.values_list("package_id", "asset__unit_id", "asset__address"):
        key = site_key(unit, address)
        if address.strip() and (touched is None or key in touched):
            sites[key].add(pkg)
    return sites


def package_values(package_ids) -> dict[int, Decimal]:
    """Each package's value: its live project's deal price, else reserve, else the assets'
    appraised values."""
    values = {
        p: Decimal(v or 0)
        for p, v in Package.objects.filter(pk__in=package_ids)
        .annotate(v=Sum(Coalesce("items__asset__appraised_value", "items__asset__book_value")))
        .values_list("pk", "v")
    }
    live = DisposalProject.objects.filter(package__in=package_ids).exclude(
        status=ProjectStatus.WITHDRAWN
    )
    for p, deal, reserve in live.values_list("package_id", "deal_price", "reserve_price"):
        values[p] = deal or reserve
    return values


def price_rules() -> dict[tuple[str, str], PriceRuleSet]:
    """Every place's own price rules of the evaded thresholds' classes, by (path, class): one
    query for the run, not one per place."""
    rows = PriceRuleSet.objects.filter(rule_class__in={c for _n, c in EVADED})
    return {(r.jurisdiction.path, r.rule_class): r for r in rows.select_related("jurisdiction")}


def evaded(rules: dict, jurisdiction, rule_class: str, name: str) -> Decimal:
    """The threshold ``name`` in force in ``jurisdiction``: its own price rules', else its
    nearest ancestor's, else the default (as ``pricing.selectors.rule_set_for`` finds it)."""
    parts = [p for p in jurisdiction.path.strip("/").split("/") if p]
    for i in range(len(parts), 0, -1):
        row = rules.get(("/" + "/".join(parts[:i]) + "/", rule_class))
        if row is not None:
            return getattr(row, name)
    return getattr(Thresholds, name)


def just_under(value: Decimal, threshold: Decimal, margin_pct: Decimal) -> bool:
    """The rule itself: ``value`` is below ``threshold`` but within ``margin_pct`` of it."""
    return threshold * (HUNDRED - margin_pct) / HUNDRED <= value < threshold


def few(scope: Scope) -> list[int] | None:
    """The ids of the packages when the scope is those few alone, everywhere (the update after
    a write): then the rule reads through ``split_sql``'s statements, built once; else None."""
    if not value_sql.ENABLED or scope.path not in (None, "/") or scope.package_ids is None:
        return None
    if (scope.asset_ids, scope.bidder_ids, scope.project_ids) != (None, None, None):
        return None
    return sorted(scope.package_ids)


def split_sales(scope: Scope, limits: Limits) -> list[Hit]:
    """Sites whose packages sit just under an approval or disclosure threshold, one hit per
    site and threshold evaded."""
    narrow = few(scope)
    found = _items(scope) if narrow is None else split_sql.site_packages(narrow)
    sites = {k: v for k, v in found.items() if len(v) >= 2}
    if not sites:
        return []
    ids = set().union(*sites.values())
    if narrow is None:
        values = package_values(ids)
        packages = Package.objects.select_related("jurisdiction").in_bulk(ids)
        rules = price_rules()
    else:
        values, packages = split_sql.package_values(ids), split_sql.packages(ids)
        rules = split_sql.price_rules({c for _n, c in EVADED})
    hits = []
    for key, pkgs in sorted(sites.items()):
        jur = packages[min(pkgs)].jurisdiction
        lim = limits(SPLIT, jur.pk)
        for name, rule_class in EVADED:
            threshold = evaded(rules, jur, rule_class, name)
            under = sorted(
                p for p in pkgs if just_under(values[p], threshold, Decimal(lim["margin_pct"]))
            )
            total = sum((values[p] for p in under), Decimal(0))
            if len(under) >= int(lim["min_packages"]) and total >= threshold:
                hits.append(
                    _hit(key, name, threshold, lim, [packages[p] for p in under], values, jur)
                )
    return _one_per_subject(hits)


def _one_per_subject(hits: list[Hit]) -> list[Hit]:
    """One hit per package the flag hangs on (a site's first package): a site split under
    both thresholds, or a package first at two sites, shows every case in one flag."""
    by: dict[int, list[Hit]] = defaultdict(list)
    for h in hits:
        by[h.subject.pk].append(h)
    out = []
    for group in by.values():
        first = group[0]
        figures = {**first.figures, "cases": [h.figures for h in group]}
        records = tuple(dict.fromkeys(r for h in group for r in h.records))
        out.append(Hit(SPLIT, first.subject, first.jurisdiction_id, "", figures, records))
    return out


def _hit(key, name, threshold, lim, under, values, jur) -> Hit:
    figures = {
        "site": key,
        "threshold": name,
        "threshold_amount": threshold,
        "margin_pct": Decimal(lim["margin_pct"]),
        "packages": len(under),
        "total": sum((values[p.pk] for p in under), Decimal(0)).quantize(CENT),
        "values": {p.code: values[p.pk] for p in under},
    }
    return Hit(SPLIT, under[0], jur.pk, f"{key}:{name}", figures, tuple(under))


# --- the rule, as the engine runs it ---------------------------------------------------------

from django.utils.translation import gettext_lazy as _  # noqa: E402

from panhuo.flags import reach  # noqa: E402
from panhuo.flags.hits import declare  # noqa: E402
from panhuo.flags.models import Severity  # noqa: E402
from panhuo.flags.registry import SPLITTING, Param, only  # noqa: E402

split_under_threshold = declare(
    split_sales, SPLIT, Severity.MEDIUM, ids_as="package_ids", category=SPLITTING,
    label=_("Site split into packages just under a threshold"),
    source=_("SASAC/MoF Order 32 (2016) disclosure bands; Decree 738 art. 19 and the local "
             "approval limit; DESIGN.md §3 (splitting)"),
    explanation=_("%(packages)s packages of one site (%(site)s) are each within %(margin_pct)s "
                  "%% under the threshold %(threshold)s of %(threshold_amount)s yuan; together "
                  "%(total)s yuan."),
    subject="disposal.package",
    params=[Param("margin_pct", Decimal("10"),
                  _("Count packages this many per cent under the threshold or closer"),
                  _("DESIGN.md §3: packages just under an approval or disclosure threshold"),
                  high=Decimal(100)),
            Param("min_packages", 2, _("Flag a site split into at least this many packages"),
                  _("DESIGN.md §3"), low=Decimal(2), high=Decimal(1000))],
    watches={"disposal.package": reach.sites_of_packages,
             "disposal.disposalproject": reach.sites_of_projects,
             "register.asset": only({"unit", "unit_id", "address", "appraised_value",
                                     "book_value"}, reach.sites_of_assets)},
)  # fmt: skip
