"""Demo: records the red-flag rules read that the rest of the seed does not make, each written
through its app's services as the role that would.

- 东城区's office has three assets of one unit appraised by the same firm (the flag
  ``same_appraiser``: the choice of appraiser deserves a look);
- the sale paid by instalments (seed_deposits) has its plan set again after the deal, the last
  instalment brought forward a fortnight at the buyer's request (``terms_changed_after_award``).

Run last, before the flags are raised (seed.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from panhuo.disposal.models import ProjectStatus
from panhuo.finance.expected_models import DeferredTerms
from panhuo.finance.instalments import instalment_plan_set
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.models import Unit
from panhuo.pricing.services import valuation_create
from panhuo.register.models import Asset
from panhuo.site.demo import catalogue as c

FIRM = "东城华信资产评估有限公司"


def seed(seeder) -> None:
    _same_appraiser(seeder)
    _rescheduled(seeder)


def _same_appraiser(seeder) -> None:
    """Three assets of the 东城区 unit with the most, each appraised by the same firm."""
    from django.db.models import Count

    place = seeder.places[c.OTHER_DISTRICT[0]]
    unit = (
        Unit.objects.filter(jurisdiction=place)
        .annotate(n=Count("assets"))
        .filter(n__gte=3)
        .order_by("-n", "code")
        .first()
    )
    if unit is None:
        return
    base = seeder.today - dt.timedelta(days=60)
    for i, asset in enumerate(Asset.objects.filter(unit=unit).order_by("code")[:3], start=1):
        value = max(asset.book_value, Decimal("100000.00"))
        valuation_create(
            actor=seeder.users["dc_office"], asset=asset, kind="appraisal", value=value,
            base_date=base, valid_until=base + dt.timedelta(days=364), method="market",
            appraiser=FIRM, licence_number="11000123",
            report_number=f"DC-HX-PG-{base.year}-{i:03d}",
        )  # fmt: skip


def _rescheduled(seeder) -> None:
    """The instalment sale's plan set again: the rows it was set with (its audit entry), the
    last brought forward a fortnight."""

    terms = (
        DeferredTerms.objects.filter(cancelled=False, project__status=ProjectStatus.CONCLUDED)
        .select_related("project")
        .order_by("pk")
        .first()
    )
    if terms is None:
        return
    entry = AuditEntry.objects.filter(
        action="instalment_plan.set", object_type="disposal.disposalproject",
        object_id=str(terms.project_id),
    ).order_by("-seq").first()  # fmt: skip
    rows = [{"due_date": dt.date.fromisoformat(d), "amount": Decimal(a)}
            for d, a in (entry.after or {}).get("rows", [])] if entry else []  # fmt: skip
    if len(rows) < 4:
        return
    rows[3]["due_date"] -= dt.timedelta(days=14)
    instalment_plan_set(
        actor=seeder.users["finance"], project=terms.project, rows=rows,
        interest_rate=str(terms.interest_rate), security_kind=terms.security_kind,
        security_reference=terms.security_reference,
    )  # fmt: skip
