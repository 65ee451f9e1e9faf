"""Demo of the disposal plan optimiser (issue 20, item 2), seeded last so earlier random draws
stay: the office runs the optimiser for the district as of the demo's day (solved here, as the
worker would) and adopts the plan found, which opens a draft disposal project per chosen
package. The run (Work plans → Optimiser) shows the plan, the cover per quarter, the gap, the
binding quarters and the greedy baseline. Small and deterministic: a few dozen packages at
most, solved to optimality in well under the time limit.

The optimiser refuses a place with a running debt whose schedule is unknown (its service per
quarter would be missing); the demo's debts without one get finance's annuity schedule as
issued first, as the value-destroying sale's debts do (``seed_flag_cases``). The district's
debt service runs to billions and its open packages to millions: the budget's funds for debt
service are the cash at the start (``opening``), set to leave the packages half of the most they
could bring by the horizon's end to cover, so the plan has something to choose."""

from __future__ import annotations

from decimal import Decimal

from panhuo.decisions.optimiser import runs
from panhuo.decisions.optimiser.gather import gather, params_of
from panhuo.decisions.optimiser.solve import most_by
from panhuo.finance.debts.schedules import debt_schedule_set
from panhuo.finance.models import Debt
from panhuo.site.demo import catalogue as c


def seed(seeder):
    """The adopted run (or the failed one, whose message says why: printed)."""
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    seeder.say("Running the disposal plan optimiser…")
    running = Debt.objects.filter(
        jurisdiction__path__startswith=district.path, voided_at=None, schedule__isnull=True,
        outstanding__gt=0, maturity_date__gt=seeder.today,
    ).order_by("code")  # fmt: skip
    for debt in running:
        debt_schedule_set(actor=seeder.users["finance"], debt=debt, method="annuity")
    problem, _meta = gather(office, district, on=seeder.today, params=params_of({}))
    left = max(float(problem.service.sum()) - float(most_by(problem)[-1]) / 2, 0.0)
    opening = Decimal(repr(round(left, 2)))
    run = runs.run_create(actor=office, place=district, on=seeder.today,
                          params={"time_limit": 60, "gap_pct": 0, "opening": opening})  # fmt: skip
    run = runs.execute(run)
    if run.status == "done" and run.result.get("plan"):
        made = runs.run_adopt(actor=office, run=run)
        seeder.say(f"  optimiser run #{run.pk} adopted: {len(made)} draft projects")
    else:
        seeder.say(f"  optimiser run #{run.pk} {run.status}: {run.message}")
    return run
