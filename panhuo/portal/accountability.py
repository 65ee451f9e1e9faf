"""The public accountability page of one district: how much money its published sales and
leases raised from idle (non-income-producing) assets and from income-producing ones, which
debts that money repaid, and how many red flags were raised and how each was resolved; every
figure as of one date, read from the ledger as it stood then (an asset's income and a red
flag's figures as the audit log holds them on that date, not as they are now).

Only public figures leave it: money is counted only for projects the portal has published a
notice of (the public knows the sale), split between the package's assets by their share of
its value (``finance.trace.asset_shares``); a debt is named by its type, its bond code (a
bond's is public) and maturity, never by its creditor; red flags are counts per rule, never
the record or the people a flag is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Sum, When
from django.utils import timezone

from panhuo.disposal.models import PackageItem
from panhuo.finance.models import Allocation, DebtType, Receipt
from panhuo.finance.trace import asset_shares
from panhuo.flags.models import Flag, FlagStatus, Resolution
from panhuo.flags.registry import RULES
from panhuo.integrity.selectors import values_as_of
from panhuo.organisation.models import Jurisdiction
from panhuo.portal.models import Notice
from panhuo.portal.value_lost import LostSale, Repaid, by_type, value_lost
from panhuo.register.models import Asset

ZERO = Decimal("0.00")


@dataclass
class FlagCounts:
    rule: str
    raised: int = 0
    open: int = 0
    cleared: int = 0
    resolutions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Resolution.values, 0))


@dataclass
class DebtRepaid:
    debt_type: str
    bond_code: str
    maturity_date: dt.date
    amount: Decimal


@dataclass
class Accountability:
    jurisdiction: Jurisdiction
    as_of: dt.date
    idle: Decimal
    income: Decimal
    debts: list[DebtRepaid]
    flags: list[FlagCounts]
    #: The value-destroying sales with their public figures (``value_lost``).
    lost: list[LostSale] = field(default_factory=list)

    @property
    def lost_by_type(self) -> list[Repaid]:
        return by_type(self.lost)

    @property
    def destroyed(self) -> Decimal:
        return sum((s.value_destroyed or ZERO for s in self.lost), ZERO)

    @property
    def saved(self) -> Decimal:
        return sum((s.interest_saved or ZERO for s in self.lost), ZERO)

    @property
    def raised(self) -> Decimal:
        return self.idle + self.income

    @property
    def repaid(self) -> Decimal:
        return sum((d.amount for d in self.debts), ZERO)

    @property
    def flag_total(self) -> FlagCounts:
        total = FlagCounts("")
        for row in self.flags:
            total.raised += row.raised
            total.open += row.open
            total.cleared += row.cleared
            for k, n in row.resolutions.items():
                total.resolutions[k] += n
        return total


def districts():
    """The places with a page: districts and counties, by code."""
    return Jurisdiction.objects.filter(level=Jurisdiction.Level.DISTRICT).order_by("code")


def _published_projects(place: Jurisdiction, as_of: dt.date):
    return Notice.objects.filter(
        jurisdiction__path__startswith=place.path, starts_on__lte=as_of
    ).values("project_id")


def _earning(package_ids, as_of: dt.date) -> set[int]:
    """The packages' assets that had an income on ``as_of``: the register's figure, or the one
    an audited change after that day replaced."""
    now = dict(
        PackageItem.objects.filter(package_id__in=package_ids).values_list(
            "asset_id", "asset__annual_income"
        )
    )
    then = values_as_of(Asset, list(now), "annual_income", _end(as_of), now)
    return {pk for pk, income in then.items() if income is not None and Decimal(income) > 0}


def _end(as_of: dt.date) -> dt.datetime:
    """The end of the as-of day where the district is (the server's time zone)."""
    return timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))


def _money_raised(place: Jurisdiction, as_of: dt.date) -> tuple[Decimal, Decimal]:
    """Receipts of the published projects up to ``as_of``, split between idle and
    income-producing assets (an asset with annual income is income-producing)."""
    per_package = dict(
        Receipt.objects.filter(
            project_id__in=_published_projects(place, as_of), received_on__lte=as_of
        )
        .values_list("project__package_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    shares = asset_shares(per_package)
    earning = _earning(per_package, as_of)
    idle = income = ZERO
    for package_id, total in per_package.items():
        rows = shares.get(package_id) or []
        part = sum((s for asset_id, *_x, s in rows if asset_id in earning), Decimal(0))
        from_income = (Decimal(total) * part).quantize(Decimal("0.01"))
        income += from_income
        idle += Decimal(total).quantize(Decimal("0.01")) - from_income
    return idle, income


def _debts_repaid(place: Jurisdiction, as_of: dt.date) -> list[DebtRepaid]:
    """The debts the published projects' money repaid up to ``as_of``, net of reversals."""
    signed = Case(When(reverses__isnull=True, then=F("amount")), default=-F("amount"),
                  output_field=DecimalField(max_digits=20, decimal_places=2))  # fmt: skip
    rows = (
        Allocation.objects.filter(
            receipt__project_id__in=_published_projects(place, as_of), allocated_on__lte=as_of
        )
        .values("debt_id", "debt__debt_type", "debt__bond_code", "debt__maturity_date")
        .annotate(s=Sum(signed))
        .order_by("debt__maturity_date", "debt_id")
    )

    names = dict(DebtType.choices)
    return [
        DebtRepaid(str(names.get(r["debt__debt_type"], r["debt__debt_type"])), r["debt__bond_code"],
                   r["debt__maturity_date"], Decimal(r["s"]).quantize(Decimal("0.01")))
        for r in rows if r["s"] and Decimal(r["s"]) > 0
    ]  # fmt: skip


def _flags(place: Jurisdiction, as_of: dt.date) -> list[FlagCounts]:
    """Red flags first seen up to ``as_of`` per rule, each as it stood then: open, cleared, or
    resolved (and how)."""
    end = _end(as_of)
    rows = Flag.objects.filter(
        jurisdiction__path__startswith=place.path, first_seen__lt=end
    ).values_list("rule", "status", "resolution", "resolved_at", "cleared_at")
    out: dict[str, FlagCounts] = {}
    for rule, status, resolution, resolved_at, cleared_at in rows:
        label = str(RULES[rule].label) if rule in RULES else rule
        row = out.setdefault(label, FlagCounts(label))
        row.raised += 1
        if status == FlagStatus.RESOLVED and resolved_at and resolved_at < end:
            row.resolutions[resolution] += 1
        elif status == FlagStatus.CLEARED and cleared_at and cleared_at < end:
            row.cleared += 1
        else:
            row.open += 1
    return sorted(out.values(), key=lambda r: r.rule)


def accountability(place: Jurisdiction, as_of: dt.date) -> Accountability:
    """The district's public figures as of ``as_of``."""
    idle, income = _money_raised(place, as_of)
    return Accountability(
        place, as_of, idle, income, _debts_repaid(place, as_of), _flags(place, as_of),
        value_lost(place, as_of),
    )  # fmt: skip
