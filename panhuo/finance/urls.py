from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.finance import instalment_views, views
from panhuo.finance.debts import compare_views, repayment_views
from panhuo.finance.debts import views as risk_views
from panhuo.finance.deposits import views as deposit_views
from panhuo.finance.reports import views as report_views
from panhuo.finance.securities import views as security_views

urlpatterns = [
    *record_pages(
        "debts/",
        "debt",
        list=views.debt_list_view,
        export=views.debt_export,
        create=views.debt_create_view,
        detail=views.debt_detail,
        actions={
            "schedule": risk_views.debt_schedule_view,
            "repayments": repayment_views.repayment_create_view,
            "void": repayment_views.debt_void_view,
            "details": repayment_views.debt_details_view,
        },
    ),
    path(
        "debts/<int:pk>/repayments/<int:repayment_pk>/reverse/",
        repayment_views.repayment_reverse_view,
        name="repayment-reverse",
    ),
    path("trace/debts/<int:pk>/", risk_views.trace_debt_view, name="trace-debt"),
    *record_pages(
        "receipts/",
        "receipt",
        list=views.receipt_list_view,
        detail=views.receipt_detail,
        actions={"apply-strategy": risk_views.receipt_apply_strategy_view},
    ),
    *record_pages(
        "allocations/",
        "allocation",
        list=views.allocation_list_view,
        actions={"reverse": risk_views.allocation_reverse_view},
    ),
    path("receipts/<int:pk>/allocations/", views.allocation_create_view, name="allocation-create"),
    *record_pages(
        "projects/<int:project_pk>/receipts/", "receipt", create=views.receipt_create_view
    ),
    path("receipts/overdue/", report_views.overdue_receipts_view, name="overdue-receipts"),
    path("reports/reconciliation/", report_views.reconciliation_view, name="reconciliation"),
    path(
        "projects/<int:project_pk>/instalment-plan/",
        instalment_views.instalment_plan_view,
        name="instalment-plan",
    ),
    path(
        "debts/<int:pk>/securities/",
        security_views.security_create_view,
        name="debt-security-create",
    ),
    path(
        "debts/<int:pk>/securities/<int:security_pk>/release/",
        security_views.security_release_view,
        name="debt-security-release",
    ),
    path(
        "debts/<int:pk>/securities/<int:security_pk>/delete/",
        security_views.security_delete_view,
        name="debt-security-delete",
    ),
    *record_pages(
        "deposits/",
        "deposit",
        list=deposit_views.deposit_list_view,
        detail=deposit_views.deposit_detail,
        actions={"step": deposit_views.deposit_step_view},
    ),
    *record_pages(
        "projects/<int:project_pk>/deposits/", "deposit", create=deposit_views.deposit_create_view
    ),
    path("risk/", risk_views.risk_indicators_view, name="risk-indicators"),
    path("risk/fiscal-inputs/", risk_views.fiscal_inputs_view, name="fiscal-inputs"),
    path("risk/settings/", risk_views.risk_settings_view, name="risk-settings"),
    path("risk/compare/", compare_views.risk_compare_view, name="risk-compare"),
    path("trace/assets/<int:pk>/", risk_views.trace_asset_view, name="trace-asset"),
]
