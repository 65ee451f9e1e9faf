"""API of a debt's repayment ledger: list the entries, record a repayment, reverse one, and void
a debt entered by mistake."""

from django.http import HttpRequest
from ninja import Query, Status
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.schemas import Id
from panhuo.finance.api import ERRORS, router
from panhuo.finance.debts.repayments import (
    debt_void,
    repayment_create,
    repayment_list,
    repayment_reverse,
)
from panhuo.finance.schemas import (
    DebtOut,
    RepaymentFilters,
    RepaymentIn,
    RepaymentOut,
    ReverseIn,
    VoidIn,
)
from panhuo.finance.selectors import get_debt_for


@router.get(
    "/debts/{debt_id}/repayments", response={200: list[RepaymentOut], **ERRORS}, tags=["debts"]
)
@paginate(PagePagination)
def repayment_index(request: HttpRequest, debt_id: Id, filters: Query[RepaymentFilters]):
    """The debt's repayment ledger, newest first: budget, refinancing, disposal proceeds, swaps,
    write-offs and the opening entry, each with its date and document; reversals are entries
    of their own (negative ``signed_amount``)."""
    require_any(request, "debt", "view")
    user = actor(request)
    debt = get_debt_for(user, debt_id)
    return repayment_list(user, debt=debt.pk, source=filters.source or "")


@router.post("/debts/{debt_id}/repayments", response={201: RepaymentOut, **ERRORS}, tags=["debts"])
def repayment_new(request: HttpRequest, debt_id: Id, payload: RepaymentIn):
    """Record a repayment from the budget, refinancing bond proceeds or a write-off: never more
    than is outstanding, not before issue, not on a voided debt. Disposal proceeds are allocated
    from a receipt (``POST /allocations``)."""
    require_any(request, "debt", "edit")
    user = actor(request)
    debt = get_debt_for(user, debt_id)
    return Status(201, repayment_create(actor=user, debt=debt, **payload.dict()))


@router.post(
    "/debts/{debt_id}/repayments/{repayment_id}/reverse",
    response={201: RepaymentOut, **ERRORS},
    tags=["debts"],
)
def repayment_reverse_new(request: HttpRequest, debt_id: Id, repayment_id: Id, payload: ReverseIn):
    """Undo a repayment recorded by hand with an opposite entry dated today; the original
    stays in the ledger."""
    require_any(request, "debt", "edit")
    user = actor(request)
    debt = get_debt_for(user, debt_id)
    entry = repayment_list(user, debt=debt.pk).get(pk=repayment_id)
    return Status(201, repayment_reverse(actor=user, repayment=entry, reason=payload.reason))


@router.post("/debts/{debt_id}/void", response={200: DebtOut, **ERRORS}, tags=["debts"])
def debt_void_endpoint(request: HttpRequest, debt_id: Id, payload: VoidIn):
    """Void a debt entered by mistake: kept and marked, left out of lists (``voided=include``
    shows it), indicators and allocations; never deleted."""
    require_any(request, "debt", "edit")
    user = actor(request)
    return debt_void(actor=user, debt=get_debt_for(user, debt_id), reason=payload.reason)
