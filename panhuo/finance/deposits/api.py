"""API of the deposit ledger: list, record, read, and the steps out of "held"."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    require_any,
    selector_filters,
)
from panhuo.core.api_lists import detail_endpoint
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import Id
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.api import ERRORS, router
from panhuo.finance.deposits.selectors import deposit_list, get_deposit_for
from panhuo.finance.deposits.services import deposit_receive, deposit_transition
from panhuo.finance.reports.schemas import DepositFilters, DepositIn, DepositOut, DepositStepIn


@router.get("/deposits", response={200: list[DepositOut], **ERRORS}, tags=["deposits"])
@paginate(PagePagination)
def deposit_index(request: HttpRequest, filters: Query[DepositFilters]):
    """Bidders' deposits the caller may read (held apart from the receipts)."""
    require_any(request, "deposit", "view")
    user = actor(request)
    return deposit_list(user, **selector_filters(user, filters, texts=("status",)))


@router.post("/deposits", response={201: DepositOut, **ERRORS}, tags=["deposits"])
def deposit_new(request: HttpRequest, payload: DepositIn):
    """Record a bidder's deposit for a project that takes bids."""
    require_any(request, "deposit", "receive")
    user = actor(request)
    project = referenced("project", "project", get_project_for, user, payload.project)
    round_ = None
    if payload.round is not None:
        round_ = project.rounds.filter(pk=payload.round).first()
        if round_ is None:
            raise ValidationError(
                {
                    "round": [
                        _("Round %(round)s is not a round of %(project)s.")
                        % {"round": payload.round, "project": project.code}
                    ]
                }
            )
    deposit = deposit_receive(
        actor=user, project=project, bidder=payload.bidder, amount=payload.amount,
        received_on=payload.received_on, voucher=payload.voucher, round=round_,
    )  # fmt: skip
    return Status(201, get_deposit_for(user, deposit.pk))


detail_endpoint(
    router, "/deposits/{deposit_id}", DepositOut, "deposit", get_deposit_for, tags=["deposits"]
)


@router.post(
    "/deposits/{deposit_id}/steps", response={200: DepositOut, **ERRORS}, tags=["deposits"]
)
def deposit_step(request: HttpRequest, deposit_id: Id, payload: DepositStepIn):
    """Refund, forfeit (with a reason; creates a forfeited-deposit receipt) or apply to the
    winner's price (creates a sale-price receipt); only a held deposit moves."""
    require_any(request, "deposit", "view")
    user = actor(request)
    deposit = get_deposit_for(user, deposit_id)
    deposit = deposit_transition(
        actor=user, deposit=deposit, action=payload.action, on=payload.on, reason=payload.reason
    )
    return get_deposit_for(user, deposit.pk)
