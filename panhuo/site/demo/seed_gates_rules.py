"""Demo of issue 12 items 3 and 6: rule sets per asset class, and amounts that cannot be misread.

Runs last in the seeding order (it draws nothing from the seeder's random generator, so the
rest of the demo stays as it was):

- the district's price rules per class — administrative assets with the district finance
  bureau's approval limit (a local source recorded), land-use rights at MLR Order 39's
  minimums — all through ``price_rules_update``, which refuses anything laxer than the law;
- a draft whose reserve was typed in yuan while the page showed 万元 (0.01 % of the appraisal):
  its submission is held by the amount check (gate ``amount_implausible``) until the amount is
  corrected or confirmed;
- the sale paid by instalments (``seed_deposits``) carries interest at 4.35 % — above the
  reference rate, 3.00 % (1-year LPR) — with a bank guarantee recorded, and the interest is
  part of its expected receipts.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from panhuo.core.codes import next_code
from panhuo.core.gates import GateRefused
from panhuo.disposal import rollups as project_rollups
from panhuo.disposal import services as disposal
from panhuo.disposal.models import DisposalProject, Package, ProjectStatus
from panhuo.integrity.services import audit_record
from panhuo.organisation.models import Jurisdiction
from panhuo.pricing import rules
from panhuo.pricing.selectors import package_appraisal
from panhuo.pricing.services import price_rules_update
from panhuo.site.demo import catalogue as c


def seed(seeder) -> None:
    seeder.say("Price rules per asset class; a draft held by the amount check…")
    district = Jurisdiction.objects.get(code=c.DISTRICT[0])
    head = seeder.users["head"]
    price_rules_update(
        actor=head,
        jurisdiction=district,
        rule_class="administrative",
        data={"finance_approval_above": Decimal("500000.00")},
        sources={"finance_approval_above": "District finance bureau notice (2024) No. 7"},
    )
    price_rules_update(
        actor=head,
        jurisdiction=district,
        rule_class="land",
        data={"land_announce_days": 20, "land_listing_days": 10},
    )
    _draft_typed_in_yuan(seeder, district)


def _candidates(district):
    """Drafts of the district in a selling channel, then its open packages without a project."""
    yield from DisposalProject.objects.filter(
        package__jurisdiction=district,
        status=ProjectStatus.DRAFT,
        channel__in=sorted(rules.SELLING_CHANNELS),
    ).order_by("code")
    yield from Package.objects.filter(
        jurisdiction=district,
        status=Package.Status.OPEN,
        projects__isnull=True,
        channel__in=sorted(rules.SELLING_CHANNELS),
    ).order_by("code")


def _draft_typed_in_yuan(seeder, district) -> None:
    """A draft of the district whose reserve reads as yuan what was meant in 万元: the
    register's old spreadsheet put it there before the amount check existed (written as the
    import did, with its audit entry). Its submission is held."""
    proposer = seeder.users["office"]
    for found in _candidates(district):
        package = found if isinstance(found, Package) else found.package
        appraised = package_appraisal(package).total
        if appraised is None or appraised < Decimal("100000"):
            continue
        typed = (appraised / Decimal(10_000)).quantize(Decimal("0.01"))
        note = "Reserve imported from the 2023 spreadsheet (amounts there were in 万元)."
        if isinstance(found, Package):
            project = DisposalProject.objects.create(
                code=next_code(DisposalProject, "DP"),
                package=package,
                channel=package.channel,
                reserve_price=typed,
                note=note,
                created_by=proposer,
            )
            project_rollups.refresh([package.jurisdiction_id])  # as the services would
        else:
            project = found
            DisposalProject.objects.filter(pk=project.pk).update(reserve_price=typed, note=note)
            project.refresh_from_db()
        audit_record(
            actor=None,
            action="project.import_reserve",
            obj=project,
            after={
                "reserve_price": str(typed),
                "note": note,
                "source": "spreadsheet (万元 read as yuan)",
            },
            jurisdiction_path=district.path,
        )
        try:
            disposal.project_transition(actor=proposer, project=project, transition="submit")
        except GateRefused as refused:
            seeder.say(f"  {project.code}: submission held — {refused.rule.code}")
        except ValidationError as other:  # another rule held it first: still a held draft
            seeder.say(f"  {project.code}: submission held — {' '.join(other.messages)[:80]}")
        return
