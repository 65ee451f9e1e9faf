"""A plan's data for the tests: totals and targets that add up (quarters, debt types, units)."""

from __future__ import annotations

from decimal import Decimal

from panhuo.core.testing import AssetFactory
from panhuo.disposal.models import DisposalProject, Package, PackageItem, ProjectStatus


def plan_data(w, year: int = 2026, **changes) -> dict:
    """Money 400 (100 a quarter), debt 300 (bank loans, 75 a quarter), 5 assets (3 of unit U1
    by auction in Q2, 2 of U2 by lease in Q3), a milestone and a task."""
    data = {
        "year": year,
        "money_total": "400.00",
        "debt_total": "300",
        "assets_total": 5,
        "targets": [
            *({"measure": "money", "quarter": q, "amount": "100"} for q in (1, 2, 3, 4)),
            *(
                {"measure": "debt", "quarter": q, "debt_type": "bank_loan", "amount": "75"}
                for q in (1, 2, 3, 4)
            ),
            {
                "measure": "assets",
                "quarter": 2,
                "unit": w.unit.pk,
                "channel": "auction",
                "amount": 3,
            },
            {
                "measure": "assets",
                "quarter": 3,
                "unit": w.unit2.pk,
                "channel": "lease",
                "amount": 2,
            },
        ],
        "milestones": [{"title": "Half-year review", "due_on": f"{year}-06-30"}],
        "tasks": [
            {"title": "List the depot", "owner": w.user("office").pk, "due_on": f"{year}-05-01"}
        ],
    }
    data.update(changes)
    return data


ZERO = Decimal("0.00")


def listed_project(w, reserve: Decimal) -> DisposalProject:
    """A listed project of one U1 asset (the pipeline), laid down directly."""
    office = w.user("office")
    package = Package.objects.create(
        code="PKG-L", name="Listed", jurisdiction=w.district, channel="auction", created_by=office
    )
    PackageItem.objects.create(package=package, asset=AssetFactory(unit=w.unit))
    project = DisposalProject.objects.create(
        code="PRJ-L", package=package, channel="auction", reserve_price=reserve,
        status=ProjectStatus.LISTED, created_by=office,
    )  # fmt: skip
    project.events.create(transition="list", from_status=ProjectStatus.APPROVED,
                          to_status=ProjectStatus.LISTED, actor=office)  # fmt: skip
    return project
