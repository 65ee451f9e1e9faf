"""Pages of the money: debts, receipts and the allocations that link them."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.errors import Conflict
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import (
    add_service_errors,
    fetch_or_404,
    form_post,
    section_required,
)
from panhuo.disposal.selectors import get_project_for
from panhuo.disposal.workflow import RECEIVING
from panhuo.finance import expected, services
from panhuo.finance.debts.forms import ScheduleForm, StrategyForm
from panhuo.finance.forms import (
    AllocationFilterForm,
    AllocationForm,
    DebtFilterForm,
    DebtForm,
    ReceiptFilterForm,
    ReceiptForm,
)
from panhuo.finance.selectors import (
    ALLOCATION_ORDERINGS,
    DEBT_ORDERINGS,
    RECEIPT_ORDERINGS,
    allocation_list,
    debt_list,
    get_debt_for,
    get_receipt_for,
    receipt_list,
)
from panhuo.organisation import policy

# --- debts ----------------------------------------------------------------------------------


class DebtList(ObjectList):
    """The debt register: exports in the columns the debt import maps back by itself."""

    target, resource, url_name = "debts", "debt", "debt-list"
    template, filter_form = "finance/debt_list.html", DebtFilterForm
    rows, orderings = debt_list, DEBT_ORDERINGS  # searches q itself (code, creditor)
    columns = [
        Column("code", _l("Code")),
        Column("creditor", _l("Creditor")),
        Column("type", _l("Type")),
        Column("liability_class", _l("Class")),
        Column("principal", _l("Principal"), numeric=True, money=True),
        Column("outstanding", _l("Outstanding"), numeric=True, money=True),
        Column("rate", _l("Rate (%)"), numeric=True),
        Column("issue_date", _l("Issued")),
        Column("maturity_date", _l("Matures")),
    ]

    def extra_context(self, qs) -> dict:
        return {
            "totals": qs.aggregate(principal=Sum("principal"), outstanding=Sum("outstanding")),
            "can_create": policy.can_any(self.user, "debt", "create"),
            "can_import": policy.can_any(self.user, "debt", "edit"),
            "today": timezone.localdate(),
        }

    def system_layout(self) -> bool:
        """``?layout=system``: the debt management system's Chinese headers and values."""
        return self.request.GET.get("layout") == "system"

    def export_header(self) -> list[str]:
        from panhuo.finance.debts.importing import EXPORT_COLUMNS
        from panhuo.finance.debts.importing_system import SYSTEM_COLUMNS

        columns = SYSTEM_COLUMNS if self.system_layout() else EXPORT_COLUMNS
        return [str(label) for label, _field in columns]

    def export_rows(self, qs):
        from panhuo.finance.debts.importing import export_row
        from panhuo.finance.debts.importing_system import system_row

        debts = qs.select_related("jurisdiction").iterator(chunk_size=2000)
        if not self.system_layout():
            return (export_row(d) for d in debts)
        return _in_chinese(system_row, debts)


def _in_chinese(make_row, items):
    """Each row made in Chinese (the language switched back before the row is handed on)."""
    for item in items:
        with translation.override("zh-hans"):
            row = make_row(item)
        yield row


debt_list_view = DebtList.as_view()
debt_export = DebtList.as_view(export="csv")


def debt_page(
    request,
    debt,
    *,
    schedule_form=None,
    reverse_form=None,
    reverse_pk=None,
    security_form=None,
    repayment_form=None,
    void_form=None,
    details_form=None,
    status: int | None = None,
):
    from panhuo.finance.debts.forms import RepaymentForm, VoidForm
    from panhuo.finance.debts.repayments import repayment_list
    from panhuo.finance.securities.views import security_context

    user = request.user
    securities = security_context(request, debt)
    if security_form is not None and securities["can_edit_securities"]:
        securities["security_form"] = security_form
    allocations = list(
        allocation_list(user, debt=debt.pk).select_related("receipt__project", "reverses")
    )
    reversed_ids = {a.reverses_id for a in allocations if a.reverses_id}
    can_edit = policy.allowed(user, "debt", "edit", jurisdiction=debt.jurisdiction)
    can_reverse = policy.allowed(user, "allocation", "create", jurisdiction=debt.jurisdiction)
    if schedule_form is None and can_edit:
        schedule_form = ScheduleForm(initial={"method": "bullet", "frequency": "annual"})
    schedule = list(debt.schedule.all())
    repayments = list(repayment_list(user, debt=debt.pk))
    reversed_entries = {r.reverses_id for r in repayments if r.reverses_id}
    open_for_entries = can_edit and not debt.is_voided
    failed = any(f is not None for f in (security_form, repayment_form, void_form, details_form))
    if open_for_entries and details_form is None:
        from panhuo.finance.debts.details import DETAILS
        from panhuo.finance.forms import DebtDetailsForm

        details_form = DebtDetailsForm(initial={n: getattr(debt, n) for n in DETAILS})
    return render(
        request,
        "finance/debt_detail.html",
        {
            "debt": debt,
            "allocations": allocations,
            "reversed_ids": reversed_ids,
            "repaid": allocation_list(user, debt=debt.pk).net_total(),
            "today": timezone.localdate(),
            "schedule": schedule,
            "schedule_totals": {
                "principal": sum((r.principal for r in schedule), Decimal("0.00")),
                "interest": sum((r.interest for r in schedule), Decimal("0.00")),
            },
            "schedule_form": schedule_form if can_edit else None,
            "can_reverse": can_reverse,
            "reverse_form": reverse_form,
            "reverse_pk": reverse_pk,
            "can_trace": policy.can_any(user, "allocation", "view"),
            "repayments": repayments,
            "reversed_entries": reversed_entries,
            "repaid_all": sum((r.signed_amount for r in repayments), Decimal("0.00")),
            "reversible_sources": ("budget", "refinancing", "write_off", "opening"),
            "repayment_form": (
                repayment_form or RepaymentForm(initial={"repaid_on": timezone.localdate()})
            )
            if open_for_entries
            else None,
            "void_form": (void_form or VoidForm()) if open_for_entries else None,
            "details_form": details_form if open_for_entries else None,
            "can_reverse_repayments": open_for_entries,
            **securities,
        },
        status=status or (400 if failed else 200),
    )


@section_required("debt")
def debt_detail(request, pk):
    return debt_page(request, fetch_or_404(get_debt_for, request.user, pk))


@section_required("debt")
def debt_create_view(request):
    if request.method != "POST" and not policy.can_any(request.user, "debt", "create"):
        raise PermissionDenied(_("Your roles do not allow registering debts."))
    form = DebtForm(request.POST or None, user=request.user)
    return form_post(
        request, form,
        lambda data: services.debt_create(
            actor=request.user, jurisdiction=data["jurisdiction"], data=form.data_for_service()
        ),
        lambda d: _("Debt %(code)s registered.") % {"code": d.code}, to=lambda debt: debt,
        page=lambda form: render(request, "finance/debt_form.html", {"form": form}),
    )  # fmt: skip


# --- receipts and allocations ---------------------------------------------------------------


class ReceiptList(ObjectList):
    target, resource, url_name = "receipts", "receipt", "receipt-list"
    template, filter_form = "finance/receipt_list.html", ReceiptFilterForm
    rows, orderings = receipt_list, RECEIPT_ORDERINGS  # searches q itself (voucher, project code)
    columns = [
        Column("voucher", _l("Voucher")),
        Column("project", _l("Project"), "project.code"),
        Column("received_on", _l("Received on")),
        Column("kind", _l("Kind"), "get_kind_display"),
        Column("budget_class", _l("Budget class"), "get_budget_class_display"),
        Column("amount", _l("Amount (yuan)"), numeric=True),
        Column("allocated", _l("Allocated (yuan)"), numeric=True),
        Column("unallocated", _l("Unallocated (yuan)"), numeric=True),
    ]

    def extra_context(self, qs) -> dict:
        return {"totals": qs.aggregate(amount=Sum("amount"), allocated=Sum("allocated"))}


receipt_list_view = ReceiptList.as_view()


class AllocationList(ObjectList):
    """The allocation ledger: which receipt repaid which debt, when and by whom; a reversal is
    an entry of its own (negative in the totals), never an edit."""

    target, resource, url_name = "allocations", "allocation", "allocation-list"
    template, filter_form = "finance/allocation_list.html", AllocationFilterForm
    rows, orderings = (
        allocation_list,
        ALLOCATION_ORDERINGS,
    )  # searches q itself (voucher, project, debt, creditor)
    columns = [
        Column("allocated_on", _l("Allocated on")),
        Column("receipt", _l("Receipt"), "receipt.voucher"),
        Column("project", _l("Project"), "receipt.project.code"),
        Column("debt", _l("Debt"), "debt.code"),
        Column("creditor", _l("Creditor"), "debt.creditor"),
        Column("amount", _l("Amount (yuan)"), "signed_amount", numeric=True),
        Column("allocated_by", _l("Allocated by"), "allocated_by.get_username"),
        Column("reason", _l("Reversal reason"), "reason"),
    ]

    def extra_context(self, qs) -> dict:
        return {"net_total": qs.net_total()}


allocation_list_view = AllocationList.as_view()


def _receipt_page(request, receipt, form=None, status: int = 200, strategy_form=None):
    user = request.user
    can_allocate = receipt.unallocated > 0 and policy.allowed(
        user, "allocation", "create", jurisdiction=receipt.jurisdiction
    )
    if form is None and can_allocate:
        form = AllocationForm(user=user, receipt=receipt, initial={"amount": receipt.unallocated})
    plan = None
    if strategy_form is None and can_allocate:
        strategy_form = StrategyForm(request.GET if "strategy" in request.GET else None)
        if strategy_form.is_bound and strategy_form.is_valid():
            debts = debt_list(user, jurisdiction=receipt.jurisdiction.pk, open_only=True)
            plan = services.allocation_suggest(
                receipt=receipt, debts=list(debts), strategy=strategy_form.cleaned_data["strategy"]
            )
    return render(
        request,
        "finance/receipt_detail.html",
        {
            "receipt": receipt,
            "allocations": allocation_list(user, receipt=receipt.pk),
            "form": form,
            "strategy_form": strategy_form if can_allocate else None,
            "plan": plan,
            "plan_total": sum((a for _d, a in plan or []), Decimal("0.00")),
        },
        status=status,
    )


@section_required("receipt")
def receipt_detail(request, pk):
    return _receipt_page(request, fetch_or_404(get_receipt_for, request.user, pk))


def _suggested_amount(project, due: Decimal) -> Decimal | None:
    """What the receipt form suggests: a project paid by expected receipts (rent, instalments)
    is paid one at a time, so the first one still owing; otherwise what remains of the deal."""
    owing = (line.due for line in expected.lines(project, today=timezone.localdate()))
    return next((d for d in owing if d > 0), due if due > 0 else None)


@section_required("receipt")
def receipt_create_view(request, project_pk):
    project = fetch_or_404(get_project_for, request.user, project_pk)
    if request.method != "POST":
        if not policy.allowed(request.user, "receipt", "create", jurisdiction=project.jurisdiction):
            raise PermissionDenied(_("Your roles do not allow recording receipts here."))
        if project.status not in RECEIVING:
            messages.error(request, _("Proceeds are recorded for concluded projects only."))
            return redirect(project)
    received = receipt_list(request.user, project=project.pk).aggregate(s=Sum("amount"))[
        "s"
    ] or Decimal("0.00")
    due = (project.deal_price or Decimal("0.00")) - received
    context = {"project": project, "received": received, "due": due}
    return form_post(
        request,
        ReceiptForm(request.POST or None, initial={"amount": _suggested_amount(project, due)}),
        lambda data: services.receipt_create(actor=request.user, project=project, **data),
        lambda r: _("Receipt %(voucher)s recorded.") % {"voucher": r.voucher}, to=lambda r: r,
        page=lambda form: render(request, "finance/receipt_form.html", {"form": form, **context}),
    )  # fmt: skip


@require_POST
@section_required("receipt")
def allocation_create_view(request, pk):
    receipt = fetch_or_404(get_receipt_for, request.user, pk)
    form = AllocationForm(request.POST, user=request.user, receipt=receipt)
    if form.is_valid():
        try:
            allocation = services.allocation_create(
                actor=request.user, receipt=receipt, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            # The database stayed busy with other allocations: nothing was written.
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(amount)s yuan allocated to debt %(debt)s.")
                % {"amount": f"{allocation.amount:,}", "debt": allocation.debt.code},
            )
            return redirect(receipt)
    return _receipt_page(request, receipt, form=form)
