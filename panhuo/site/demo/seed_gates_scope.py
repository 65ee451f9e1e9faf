"""Demo of the scope gate (issue 12 item 2), seeded last so earlier random draws stay.

An idle building registered after the task force's last scope decision is covered by no
decision: it is no package candidate, and putting it into a package is refused by gate
``scope_not_included`` (printed while seeding; nothing is stored, as with any refusal). The
same refusal shows on the open package's page when its code is typed into "Add assets"; a
scope decision that includes it (Scope → Decide) lets it through.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

from panhuo.disposal import services as disposal
from panhuo.disposal.models import Package
from panhuo.register import services as register
from panhuo.register.models import Asset, AssetKind, AssetStatus, Criticality
from panhuo.site.demo import catalogue as c
from panhuo.site.demo.refusals import refused

#: The building's code: after every code the seed's kind sequence can give.
CODE = "HX-BLD-90001"
NAME = "滨江路原区档案馆附楼（范围界定后登记）"


def seed(seeder) -> list[str]:
    """Register the uncovered building and offer it to a package; return the refusals' rule
    codes (for the demo's tests)."""
    district = seeder.places[c.DISTRICT[0]]
    office = seeder.users["office"]
    asset = register.asset_create(
        actor=office,
        data={
            "code": CODE,
            "name": NAME,
            "unit": seeder.units["HX-FIN"],
            "kind": AssetKind.BUILDING,
            "classification": "1020000",
            "status": AssetStatus.IDLE,
            "criticality": Criticality.NON_ESSENTIAL,
            "idle_since": seeder.today - dt.timedelta(days=400),
            "title_complete": True,
            "area": Decimal("640.00"),
            "book_value": Decimal("2300000.00"),
            "appraised_value": Decimal("2650000.00"),
            "address": "清河市河西区滨江路18号",
        },
    )
    codes = []
    tries = [("a new package", None)]
    open_package = (
        Package.objects.filter(jurisdiction=district, status=Package.Status.OPEN)
        .filter(projects__isnull=True)
        .order_by("code")
        .first()
    )
    if open_package is not None:
        tries.append((f"open package {open_package.code}", open_package))
    for where, package in tries:
        if package is None:
            step = partial(
                disposal.package_create,
                actor=office,
                jurisdiction=district,
                name="Gate demo: an asset outside the scope",
                channel="auction",
                asset_ids=[asset.pk],
            )
        else:
            step = partial(
                disposal.package_add_assets, actor=office, package=package, asset_ids=[asset.pk]
            )
        codes.append(refused(seeder, step, f"{asset.code} refused in {where}"))
    return codes


def uncovered_asset() -> Asset | None:
    """The demo's building that no scope decision covers (None before the seed)."""
    return Asset.objects.filter(code=CODE).first()
