"""Demo: what secures the district's debts.

Bank loans are secured by land or buildings the district still holds (mortgages), an LGFV bond
by the city investment group's guarantee, a trust loan by a pledged equity stake; one mortgage
was released when its loan was half repaid. Only assets in no package are put up, so that no
listed project is encumbered; the asset pages then show the debts, and the disposal guard
would refuse to list them. Recorded by the finance officer through the services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.core.money import CENT
from panhuo.finance.models import Debt
from panhuo.finance.securities.services import security_create, security_release
from panhuo.register.models import Asset
from panhuo.site.demo import catalogue as c


def seed(seeder) -> None:
    fin = seeder.users["finance"]
    rng = seeder.rng
    debts = list(
        Debt.objects.filter(jurisdiction__code=c.DISTRICT[0], outstanding__gt=0).order_by("code")
    )
    free = list(
        Asset.objects.filter(unit__jurisdiction__code=c.DISTRICT[0], package_items__isnull=True)
        .exclude(criticality="essential")
        .order_by("code")
    )
    land = [a for a in free if a.kind in ("land", "building")]
    stakes = [a for a in free if a.kind == "equity"]
    made = 0
    for debt in debts:
        share = Decimal(rng.choice([40, 60, 80, 100])) / 100
        amount = (debt.principal * share).quantize(CENT)
        start = max(debt.issue_date, seeder.today - dt.timedelta(days=3650))
        if debt.debt_type == "bank_loan" and land:
            s = security_create(actor=fin, debt=debt, kind="collateral", amount=amount,
                                valid_from=start, valid_until=debt.maturity_date,
                                asset=land.pop(0), note="抵押登记")  # fmt: skip
            if made == 1:
                released = max(start, seeder.today - dt.timedelta(days=90))
                note = "贷款已偿还过半，银行同意解除抵押"
                security_release(actor=fin, security=s, released_on=released, note=note)
        elif debt.debt_type == "lgfv_bond":
            security_create(actor=fin, debt=debt, kind="guarantee", amount=debt.principal,
                            valid_from=start, guarantor="区城市投资发展集团有限公司")  # fmt: skip
        elif debt.debt_type == "trust_leasing" and stakes:
            security_create(actor=fin, debt=debt, kind="pledge", amount=amount,
                            valid_from=start, asset=stakes.pop(0), note="股权质押")  # fmt: skip
        else:
            continue
        made += 1
        if made >= 8:
            break
