"""API: receipts into the treasury, the debt register, and allocations between them."""

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Status

from panhuo.core.api import (
    actor,
    referenced,
    referenced_jurisdiction,
    require_any,
    visible_jurisdiction,
)
from panhuo.core.api_lists import list_endpoint
from panhuo.core.errors import ValidationError
from panhuo.core.schemas import ERRORS, ErrorOut, Id
from panhuo.disposal.selectors import get_project_for
from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.models import FiscalInputs
from panhuo.finance.debts.schedules import Row, debt_schedule_set
from panhuo.finance.schemas import (
    AllocationFilters,
    AllocationIn,
    AllocationOut,
    AllocationSuggestionOut,
    DebtDetailOut,
    DebtFilters,
    DebtIn,
    DebtOut,
    DebtPatch,
    FiscalInputsIn,
    FiscalInputsOut,
    FiscalQuery,
    IndicatorsOut,
    IndicatorsQuery,
    ReceiptDetailOut,
    ReceiptFilters,
    ReceiptIn,
    ReceiptOut,
    ReverseIn,
    ScheduleIn,
    ScheduleOut,
    StrategyIn,
    StrategyQuery,
    TraceQuery,
    TrailOut,
)
from panhuo.finance.selectors import (
    allocation_list,
    debt_list,
    get_debt_for,
    get_receipt_for,
    receipt_list,
)
from panhuo.finance.services import (
    allocation_apply_strategy,
    allocation_create,
    allocation_reverse,
    allocation_suggest,
    debt_create,
    receipt_create,
)
from panhuo.finance.trace import trail
from panhuo.organisation import policy
from panhuo.register.selectors import get_asset_for

router = Router()


# --- Receipts ---------------------------------------------------------------------------------


list_endpoint(
    router, "/receipts", ReceiptOut, ReceiptFilters, "receipt", receipt_list, tags=["receipts"]
)


@router.post("/receipts", response={201: ReceiptDetailOut, **ERRORS}, tags=["receipts"])
def receipt_new(request: HttpRequest, payload: ReceiptIn):
    """Record proceeds of a concluded project; receipts never add up past its deal price."""
    require_any(request, "receipt", "create")
    user = actor(request)
    project = referenced("project", "project", get_project_for, user, payload.project)
    receipt = receipt_create(actor=user, project=project, **payload.dict(exclude={"project"}))
    return Status(201, get_receipt_for(user, receipt.pk))


@router.get("/receipts/{receipt_id}", response={200: ReceiptDetailOut, **ERRORS}, tags=["receipts"])
def receipt_detail(request: HttpRequest, receipt_id: Id):
    """A receipt with the allocations made from it."""
    return get_receipt_for(actor(request), receipt_id)


# --- Debts ------------------------------------------------------------------------------------


list_endpoint(router, "/debts", DebtOut, DebtFilters, "debt", debt_list, tags=["debts"])


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
    if data.get("liability_class") is None:
        data.pop("liability_class", None)
    debt = debt_create(actor=user, jurisdiction=jurisdiction, data=data)
    return Status(201, get_debt_for(user, debt.pk))


@router.get("/debts/{debt_id}", response={200: DebtDetailOut, **ERRORS}, tags=["debts"])
def debt_detail(request: HttpRequest, debt_id: Id):
    """A debt with the allocations that repaid it."""
    return get_debt_for(actor(request), debt_id)


@router.patch(
    "/debts/{debt_id}", response={200: DebtDetailOut, 409: ErrorOut, **ERRORS}, tags=["debts"]
)
def debt_change(request: HttpRequest, debt_id: Id, payload: DebtPatch):
    """Change a debt's details (creditor, liability class, borrowing unit and credit code,
    bond code and purpose, project and sector, repayment source): only those sent. With
    ``version``, a change made meanwhile answers 409."""
    from panhuo.finance.debts.details import debt_update

    require_any(request, "debt", "edit")
    user = actor(request)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    if "liability_class" in data and data["liability_class"] is None:
        data.pop("liability_class")
    debt_update(actor=user, debt=get_debt_for(user, debt_id), data=data, version=version)
    return get_debt_for(user, debt_id)


# --- Allocations ------------------------------------------------------------------------------


list_endpoint(
    router,
    "/allocations",
    AllocationOut,
    AllocationFilters,
    "allocation",
    allocation_list,
    tags=["allocations"],
    doc="The allocation ledger you may see (reversals are entries of their own), filtered and "
    "sorted as on the allocations page.",
)


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


@router.post(
    "/allocations/{allocation_id}/reverse",
    response={201: AllocationOut, **ERRORS},
    tags=["allocations"],
)
def allocation_reverse_new(request: HttpRequest, allocation_id: Id, payload: ReverseIn):
    """Undo an allocation with a new, opposite entry; the original stays in the ledger."""
    require_any(request, "allocation", "create")
    user = actor(request)
    allocation = allocation_list(user).get(pk=allocation_id)
    return Status(201, allocation_reverse(actor=user, allocation=allocation, reason=payload.reason))


# --- Repayment schedules ----------------------------------------------------------------------


def _schedule(debt) -> dict:
    rows = list(debt.schedule.all())
    return {
        "debt_id": debt.pk,
        "rows": rows,
        "total_principal": sum((r.principal for r in rows), Decimal("0.00")),
        "total_interest": sum((r.interest for r in rows), Decimal("0.00")),
    }


@router.get("/debts/{debt_id}/schedule", response={200: ScheduleOut, **ERRORS}, tags=["debts"])
def debt_schedule(request: HttpRequest, debt_id: Id):
    """The debt's repayment schedule (empty: the principal falls due at maturity)."""
    return _schedule(get_debt_for(actor(request), debt_id))


@router.put("/debts/{debt_id}/schedule", response={200: ScheduleOut, **ERRORS}, tags=["debts"])
def debt_schedule_put(request: HttpRequest, debt_id: Id, payload: ScheduleIn):
    """Replace the schedule: generated (bullet, equal principal, annuity) or custom rows that
    add up to the principal exactly."""
    require_any(request, "debt", "edit")
    user = actor(request)
    debt = get_debt_for(user, debt_id)
    rows = [Row(r.due_date, r.principal, r.interest) for r in payload.rows or []]
    if payload.method != "custom" and payload.rows:
        raise ValidationError({"rows": [gettext("Rows are given only with the custom method.")]})
    debt_schedule_set(
        actor=user, debt=debt, method=payload.method, frequency=payload.frequency, rows=rows
    )
    return _schedule(debt)


# --- Allocation strategies --------------------------------------------------------------------


def _open_debts(user, receipt):
    return list(debt_list(user, jurisdiction=receipt.jurisdiction.pk, open_only=True))


@router.get(
    "/receipts/{receipt_id}/suggestion",
    response={200: list[AllocationSuggestionOut], **ERRORS},
    tags=["receipts"],
)
def receipt_suggestion(request: HttpRequest, receipt_id: Id, query: Query[StrategyQuery]):
    """How a strategy would spread what is left of the receipt over its jurisdiction's open
    debts. Nothing is written."""
    require_any(request, "allocation", "view")
    user = actor(request)
    receipt = get_receipt_for(user, receipt_id)
    plan = allocation_suggest(
        receipt=receipt, debts=_open_debts(user, receipt), strategy=query.strategy
    )
    return [
        {"debt_id": d.pk, "debt_code": d.code, "creditor": d.creditor,
         "maturity_date": d.maturity_date, "rate": d.rate, "amount": amount}
        for d, amount in plan
    ]  # fmt: skip


@router.post(
    "/receipts/{receipt_id}/apply-strategy",
    response={201: list[AllocationOut], **ERRORS},
    tags=["receipts"],
)
def receipt_apply_strategy(request: HttpRequest, receipt_id: Id, payload: StrategyIn):
    """Allocate what is left of the receipt by a strategy, all or nothing."""
    require_any(request, "allocation", "create")
    user = actor(request)
    receipt = get_receipt_for(user, receipt_id)
    policy.require(user, "allocation", "create", jurisdiction=receipt.jurisdiction)
    return Status(
        201, allocation_apply_strategy(actor=user, receipt=receipt, strategy=payload.strategy)
    )


# --- Risk indicators and fiscal inputs --------------------------------------------------------


def debt_jurisdiction(user, pk):
    """A jurisdiction whose debts the caller may see."""
    return policy.jurisdictions_for(user, "debt", "view").get(pk=pk)


def debt_place(user, pk):
    """The jurisdiction a risk query names, or the widest one whose debts the caller sees."""
    if pk is None:
        return policy.jurisdictions_for(user, "debt", "view").order_by("path").first()
    return referenced_jurisdiction(user, pk, debt_jurisdiction)


@router.get("/indicators", response={200: IndicatorsOut, **ERRORS}, tags=["risk"])
def indicators(request: HttpRequest, query: Query[IndicatorsQuery]):
    """Debt risk indicators of a jurisdiction (and everything below it) on a date."""
    require_any(request, "debt", "view")
    user = actor(request)
    jurisdiction = debt_place(user, query.jurisdiction)
    result = indicators_for(user, jurisdiction, query.as_of)
    return {"jurisdiction_id": jurisdiction.pk, **result.__dict__,
            "thresholds": result.thresholds.__dict__}  # fmt: skip


@router.get("/fiscal-inputs", response={200: FiscalInputsOut, **ERRORS}, tags=["risk"])
def fiscal_inputs(request: HttpRequest, query: Query[FiscalQuery]):
    """A jurisdiction's fiscal figures for a year (404 until entered)."""
    require_any(request, "debt", "view")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, query.jurisdiction, debt_jurisdiction)
    return FiscalInputs.objects.get(jurisdiction=jurisdiction, year=query.year)


@router.put("/fiscal-inputs", response={200: FiscalInputsOut, **ERRORS}, tags=["risk"])
def fiscal_inputs_put(request: HttpRequest, query: Query[FiscalQuery], payload: FiscalInputsIn):
    """Enter or correct a jurisdiction's fiscal figures for a year (finance)."""
    require_any(request, "debt", "edit")
    user = actor(request)
    jurisdiction = referenced_jurisdiction(user, query.jurisdiction, debt_jurisdiction)
    inputs = fiscal_inputs_set(
        actor=user, jurisdiction=jurisdiction, year=query.year, **payload.dict()
    )
    return inputs


# --- Traceability -----------------------------------------------------------------------------


@router.get("/trace", response={200: list[TrailOut], **ERRORS}, tags=["allocations"])
def trace(request: HttpRequest, query: Query[TraceQuery]):
    """The trail from assets through packages, projects and receipts to debts: give exactly
    one of ``asset``, ``debt`` or ``receipt``."""
    require_any(request, "allocation", "view")
    user = actor(request)
    given = {k: v for k, v in query.dict().items() if v is not None}
    if len(given) != 1:
        raise ValidationError({"asset": [gettext("Give exactly one of asset, debt or receipt.")]})
    ((field, pk),) = given.items()
    getter = {"asset": get_asset_for, "debt": get_debt_for, "receipt": get_receipt_for}[field]
    subject = referenced(field, field, getter, user, pk)
    return [row.__dict__ for row in trail(user, **{field: subject})]


# The repayment, risk, report and deposit endpoints live beside, on this router.
from panhuo.finance.debts import api as _repayments_api  # noqa: E402, F401
from panhuo.finance.debts import compare_api as _compare_api  # noqa: E402, F401
from panhuo.finance.debts import risk_api as _risk_api  # noqa: E402, F401
from panhuo.finance.deposits import api as _deposits_api  # noqa: E402, F401
from panhuo.finance.reports import api as _reports_api  # noqa: E402, F401
