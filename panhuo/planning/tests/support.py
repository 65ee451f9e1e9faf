"""A plan's data for the tests: totals and targets that add up (quarters, debt types, units)."""

from __future__ import annotations

from decimal import Decimal


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
