"""Figures the rules share: a project's deal day and the appraisal it was judged against, the
holding unit of a package, ratios as text. Read-only, from the apps below."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from panhuo.auctions.models import LotRegistration
from panhuo.disposal.channel_models import Contract, ListingRound
from panhuo.disposal.models import DisposalProject, Package, ProjectEvent
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.finance.models import Receipt
from panhuo.pricing.models import Valuation
from panhuo.pricing.selectors import package_appraisal

PCT = Decimal("0.1")


def pct(part: Decimal, whole: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole``, to one decimal (rounded half up)."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PCT, rounding=ROUND_HALF_UP)


def below(part: Decimal, whole: Decimal, threshold_pct: Decimal) -> bool:
    """Whether ``part`` is below ``threshold_pct`` % of ``whole``, exactly (the ratio shown is
    rounded; the comparison is not: 999,999 of 1,000,000 is below 100 %)."""
    return Decimal(part) * 100 < Decimal(threshold_pct) * Decimal(whole)


def deal_day(project: DisposalProject) -> dt.date:
    """The day the deal was struck: its sold round's end, else the conclude step's day."""
    sold = project.rounds.filter(result="sold").order_by("-number").first()
    if sold is not None and sold.ended_on:
        return sold.ended_on
    event = (
        ProjectEvent.objects.filter(project=project, to_status="concluded").order_by("-at").first()
    )
    return timezone.localdate(event.at) if event else timezone.localdate()


def appraised_on(package: Package, day: dt.date) -> Decimal | None:
    """The package's appraised value as it stood on ``day`` (each asset's latest appraisal
    then, valid or not); None when an asset had none."""
    return package_appraisal(package, on=day).total


def unit_of(package: Package):
    """The package's holding unit when all its assets share one, else None (a mixed package is
    the task force's)."""
    units = {item.asset.unit for item in package.items.select_related("asset__unit")}
    return units.pop() if len(units) == 1 else None


def projects_of_packages(package_ids) -> list[int]:
    return list(
        DisposalProject.objects.filter(package_id__in=package_ids).values_list("pk", flat=True)
    )


def written_to(model, column: str):
    """A rule's watch over writes to ``model``: the ids in ``column`` (``"project_id"``, or a
    path such as ``"asset__unit_id"``) of the rows written, i.e. the subjects to check again.
    The written ids come as text; anything not a number is passed over."""

    def reach(ids) -> list[int]:
        rows = model.objects.filter(pk__in=_ints(ids))
        return list(rows.values_list(column, flat=True).distinct())

    return reach


projects_of_rounds = written_to(ListingRound, "project_id")
projects_of_contracts = written_to(Contract, "project_id")
projects_of_receipts = written_to(Receipt, "project_id")
projects_of_expected = written_to(ExpectedReceipt, "project_id")
lots_of_registrations = written_to(LotRegistration, "lot_id")


def projects_of_valuations(valuation_ids: list[str]) -> list[int]:
    """Projects whose package holds an asset one of these valuations is of."""

    assets = Valuation.objects.filter(pk__in=_ints(valuation_ids)).values("asset_id")
    return list(
        DisposalProject.objects.filter(package__items__asset_id__in=assets)
        .values_list("pk", flat=True)
        .distinct()
    )


def rounds_of_projects(project_ids: list[str]) -> list[int]:

    return list(
        ListingRound.objects.filter(project_id__in=_ints(project_ids)).values_list("pk", flat=True)
    )


def _ints(ids) -> list[int]:
    return [int(i) for i in ids if str(i).isdigit()]
