"""API: receipts into the treasury, the debt register, and allocations between them."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced,
    require_any,
    visible_jurisdiction,
)
from panhuo.core.schemas import ErrorOut, Id
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.schemas import (
    ALLOCATION_ORDERINGS,
    AllocationFilters,
    AllocationIn,
    AllocationOut,
    DebtDetailOut,
    DebtFilters,
    DebtIn,
    DebtOut,
    ReceiptDetailOut,
    ReceiptFilters,
    ReceiptIn,
    ReceiptOut,
)
from panhuo.finance.selectors import (
    allocation_list,
    debt_list,
    get_debt_for,
    get_receipt_for,
    receipt_list,
)
from panhuo.finance.services import allocation_create, debt_create, receipt_create

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- Receipts ---------------------------------------------------------------------------------


@router.get("/receipts", response={200: list[ReceiptOut], **ERRORS}, tags=["receipts"])
@paginate(PagePagination)
def receipt_index(request: HttpRequest, filters: Query[ReceiptFilters]):
    require_any(request, "receipt", "view")
    return receipt_list(actor(request), **filters.dict())


@router.post("/receipts", response={201: ReceiptDetailOut, **ERRORS}, tags=["receipts"])
def receipt_new(request: HttpRequest, payload: ReceiptIn):
    """Record proceeds of a concluded project; receipts never add up past its deal price."""
    require_any(request, "receipt", "create")
    user = actor(request)
    project = referenced("project", "project", get_project_for, user, payload.project)
    receipt = receipt_create(
        actor=user,
        project=project,
        amount=payload.amount,
        received_on=payload.received_on,
        voucher=payload.voucher,
        budget_class=payload.budget_class,
    )
    return Status(201, get_receipt_for(user, receipt.pk))


@router.get("/receipts/{receipt_id}", response={200: ReceiptDetailOut, **ERRORS}, tags=["receipts"])
def receipt_detail(request: HttpRequest, receipt_id: Id):
    """A receipt with the allocations made from it."""
    return get_receipt_for(actor(request), receipt_id)


# --- Debts ------------------------------------------------------------------------------------


@router.get("/debts", response={200: list[DebtOut], **ERRORS}, tags=["debts"])
@paginate(PagePagination)
def debt_index(request: HttpRequest, filters: Query[DebtFilters]):
    require_any(request, "debt", "view")
    return debt_list(actor(request), **filters.dict())


@router.post("/debts", response={201: DebtDetailOut, **ERRORS}, tags=["debts"])
def debt_new(request: HttpRequest, payload: DebtIn):
    """Register a debt; ``outstanding`` defaults to the principal."""
    require_any(request, "debt", "create")
    user = actor(request)
    data = payload.dict(exclude_unset=True)
    jurisdiction = referenced(
        "jurisdiction", "jurisdiction", visible_jurisdiction, user, data.pop("jurisdiction")
    )
    if not data.get("code"):
        data.pop("code", None)
    debt = debt_create(actor=user, jurisdiction=jurisdiction, data=data)
    return Status(201, get_debt_for(user, debt.pk))


@router.get("/debts/{debt_id}", response={200: DebtDetailOut, **ERRORS}, tags=["debts"])
def debt_detail(request: HttpRequest, debt_id: Id):
    """A debt with the allocations that repaid it."""
    return get_debt_for(actor(request), debt_id)


# --- Allocations ------------------------------------------------------------------------------


@router.get("/allocations", response={200: list[AllocationOut], **ERRORS}, tags=["allocations"])
@paginate(PagePagination)
def allocation_index(request: HttpRequest, filters: Query[AllocationFilters]):
    require_any(request, "allocation", "view")
    qs = allocation_list(actor(request), receipt=filters.receipt, debt=filters.debt)
    desc = filters.ordering.startswith("-")
    key = ALLOCATION_ORDERINGS[filters.ordering.lstrip("-")]
    return qs.order_by(("-" if desc else "") + key, "-pk")


@router.post("/allocations", response={201: AllocationOut, **ERRORS}, tags=["allocations"])
def allocation_new(request: HttpRequest, payload: AllocationIn):
    """Apply part of a receipt to a debt: never more than is left of either."""
    require_any(request, "allocation", "create")
    user = actor(request)
    receipt = referenced("receipt", "receipt", get_receipt_for, user, payload.receipt)
    debt = referenced("debt", "debt", get_debt_for, user, payload.debt)
    return Status(
        201,
        allocation_create(
            actor=user,
            receipt=receipt,
            debt=debt,
            amount=payload.amount,
            allocated_on=payload.allocated_on,
        ),
    )
