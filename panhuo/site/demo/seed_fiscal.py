"""Demo fiscal inputs: each district's comprehensive fiscal capacity and budget expenditure for the
last three years, so that the debt risk indicators (the debt ratio, the interest burden) have
their denominators and show values, not "no capacity entered".

The figures follow the revenue the monitor holds (``seed_monitor``): a year's own revenue (tax,
non-tax and government-fund revenue) plus the transfers a district receives from above, about
45 % on top of its own general budget revenue in a district of this size. Budget expenditure is
the general budget's: own general revenue and transfers, spent about in full. Entered by each
district's finance officer through the service, on a working day after the local People's
Congress adopted the year's budget (mid-March), so the audit log says when.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.seed_monitor import BASE, level

#: Transfers from the city and province, as a share of own general budget revenue.
TRANSFERS = Decimal("0.45")
#: The day of the year the year's figures are entered (after the budget is adopted).
ENTERED = (3, 18)
FUND = {"land_sales", "other_fund"}


def capacity(index: int, year: int) -> tuple[Decimal, Decimal]:
    """(comprehensive fiscal capacity, budget expenditure) in yuan of district ``index`` (0 for
    the demo district, 1 for the other) in ``year``."""
    general = sum(
        Decimal(sizes[index]) * Decimal(str(level(code, year)))
        for code, sizes in BASE.items()
        if code not in FUND
    )
    fund = sum(Decimal(BASE[code][index]) * Decimal(str(level(code, year))) for code in FUND)
    transfers = general * TRANSFERS
    million = Decimal(1_000_000)
    whole = (general + transfers + fund) * million
    spent = (general + transfers) * Decimal("0.98") * million
    return Decimal(int(whole) // 1_000_000 * 1_000_000), Decimal(
        int(spent) // 1_000_000 * 1_000_000
    )


def seed(seeder) -> None:
    """Three years of figures for both districts, by each district's finance officer."""
    seeder.say("Entering fiscal capacity and budget expenditure…")
    today = seeder.today
    for index, (district, officer) in enumerate(
        ((c.DISTRICT[0], "finance"), (c.OTHER_DISTRICT[0], "dc_finance"))
    ):
        for year in range(today.year - 2, today.year + 1):
            entered = dt.date(year, *ENTERED)
            if entered > today:
                continue  # this year's budget is not adopted yet
            whole, spent = capacity(index, year)
            seeder.clock.after(entered)
            fiscal_inputs_set(
                actor=seeder.users[officer],
                jurisdiction=seeder.places[district],
                year=year,
                comprehensive_fiscal_capacity=whole,
                budget_expenditure=spent,
            )
    seeder.clock.back_to_today()
