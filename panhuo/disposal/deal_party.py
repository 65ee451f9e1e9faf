"""A sale's buyer as a registered party, and the deal passing to the next buyer in an award
queue (issue 16): the auctions app records a lot's award on the project with the ordinary deal
step (``services.project_transition("conclude")``), then names the registered bidder here; when
that winner defaults before paying anything, the deal passes to the runner-up at their price,
and the money due is counted again from the new award (the old rows cancelled, kept). Disposal
writes its own tables; the expected receipts are finance's (``disposal.money``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.disposal import money
from panhuo.disposal.models import Channel, DisposalProject, ListingRound, ProjectStatus
from panhuo.integrity.services import Operator, audit_record, audit_update, snapshot
from panhuo.organisation import policy

MARKET = frozenset({Channel.AUCTION, Channel.EXCHANGE})


def _check(actor, project: DisposalProject) -> None:
    if not isinstance(actor, Operator):
        policy.require(actor, "project", "conclude", jurisdiction=project.jurisdiction)
    if project.channel not in MARKET:
        raise ValidationError({"project": [_("Only an auction or exchange sale has an award.")]})


def deal_party_set(*, actor, project: DisposalProject, party) -> DisposalProject:
    """Name the registered ``party`` as the buyer of the deal just recorded (their name is
    already the deal's buyer). Inside the caller's transaction."""
    project = project.locked()
    _check(actor, project)
    if project.status != ProjectStatus.CONCLUDED or project.buyer != party.name[:200]:
        raise ValidationError(
            {"buyer": [_("The deal's buyer is not %(name)s.") % {"name": party.name}]}
        )
    before = snapshot(project)
    project.buyer_party = party
    project.version += 1
    project.save(update_fields=["buyer_party", "version", "updated_at"])
    audit_update(project, actor=actor, action="project.buyer_party", before=before,
                 jurisdiction_path=project.jurisdiction.path)  # fmt: skip
    return project


def deal_reassign(
    *, actor, project: DisposalProject, party, deal_price: Decimal, due_on: dt.date, reason: str
) -> DisposalProject:
    """The deal passes to ``party`` at ``deal_price``, paid by ``due_on`` (the winner before
    them defaulted): only while the deal is recorded and nothing of its price came in."""
    with transaction.atomic():
        project = project.locked()
        _check(actor, project)
        if project.status != ProjectStatus.CONCLUDED:
            raise ValidationError(
                {"project": [_("The deal can pass to the runner-up only while it is recorded and "
                               "unpaid; %(code)s is %(status)s.")
                             % {"code": project.code, "status": project.get_status_display()}]}
            )  # fmt: skip
        if money.received_total(project) > 0:
            raise ValidationError(
                {"project": [_("Money of the deal came in: refund it before the deal passes to "
                               "the runner-up.")]}
            )  # fmt: skip
        if deal_price is None or deal_price <= 0:
            raise ValidationError({"deal_price": [_("A deal price above zero is required.")]})
        before = snapshot(project)
        project.deal_price, project.buyer = deal_price, party.name[:200]
        project.buyer_party, project.due_on = party, due_on
        project.version += 1
        project.save()
        ListingRound.objects.filter(project=project, result=ListingRound.Result.SOLD).update(
            deal_price=deal_price, buyer=project.buyer
        )
        money.cancel_open(project)
        money.expect(project, [(due_on, deal_price, money.PAYMENT, "")])
        audit_record(
            actor=actor, action="project.deal_reassign", obj=project, before=before,
            after={**snapshot(project), "reason": reason[:300]},
            jurisdiction_path=project.jurisdiction.path,
        )  # fmt: skip
    return project
