"""The demo's public side (seed_auctions): registered bidders with valid numbers, verified by the
office; a lot closed after a soft-close extension, awarded, paid and with its result notice on
the portal; a lot in progress; a scheduled lot with a related bidder; deposits in every state a
registration goes through."""

from __future__ import annotations

import pytest
from django.test import Client

from panhuo.auctions.models import Lot, LotStatus
from panhuo.bidders import identity
from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.disposal.models import ProjectStatus
from panhuo.finance.deposits.models import Deposit
from panhuo.portal.models import Notice, NoticeKind

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_has_bidders_lots_and_a_published_auction_result(small_demo):
    bidders = list(Bidder.objects.all())
    assert {b.kind for b in bidders} == {"person", "company"}
    for b in bidders:
        problem = (
            identity.id_number_error(b.id_number)
            if b.kind == "person"
            else identity.credit_code_error(b.credit_code)
        )
        assert problem is None, (b.name, problem)
    statuses = sorted(b.status for b in bidders)
    assert statuses.count(BidderStatus.VERIFIED) == 4 and BidderStatus.PENDING in statuses
    related = Bidder.objects.get(relations__isnull=False)

    lots = {lot.status: lot for lot in Lot.objects.all()}
    assert set(lots) == {LotStatus.AWARDED, LotStatus.OPEN, LotStatus.SCHEDULED}
    awarded = lots[LotStatus.AWARDED]
    assert awarded.extensions >= 1 and awarded.end_at > awarded.planned_end_at
    project = awarded.round.project
    assert project.status == ProjectStatus.PUBLISHED
    assert project.deal_price == awarded.price and project.buyer == awarded.leader.bidder.name
    notice = Notice.objects.get(project=project, kind=NoticeKind.RESULT, current=True)
    assert notice.data["deal_price"] == str(awarded.price)
    page = Client().get(notice.get_absolute_url())
    assert page.status_code == 200 and f"{awarded.price:,}" in page.text
    assert lots[LotStatus.OPEN].bid_count >= 3 and lots[LotStatus.OPEN].price is not None
    assert lots[LotStatus.SCHEDULED].registrations.filter(bidder=related).exists()

    states = set(Deposit.objects.filter(party__isnull=False).values_list("status", flat=True))
    assert states == {"due", "paid", "held", "refunded", "applied"}
