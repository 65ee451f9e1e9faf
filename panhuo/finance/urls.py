from django.urls import path

from panhuo.finance import instalment_views, views
from panhuo.finance.debts import views as risk_views
from panhuo.finance.deposits import views as deposit_views
from panhuo.finance.reports import views as report_views
from panhuo.finance.securities import views as security_views

urlpatterns = [
    path("debts/", views.debt_list_view, name="debt-list"),
    path("debts/export.csv", views.debt_export, name="debt-export"),
    path("debts/new/", views.debt_create_view, name="debt-create"),
    path("debts/<int:pk>/", views.debt_detail, name="debt-detail"),
    path("debts/<int:pk>/schedule/", risk_views.debt_schedule_view, name="debt-schedule"),
    path("trace/debts/<int:pk>/", risk_views.trace_debt_view, name="trace-debt"),
    path("receipts/", views.receipt_list_view, name="receipt-list"),
    path("allocations/", views.allocation_list_view, name="allocation-list"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/allocations/", views.allocation_create_view, name="allocation-create"),
    path(
        "receipts/<int:pk>/apply-strategy/",
        risk_views.receipt_apply_strategy_view,
        name="receipt-apply-strategy",
    ),
    path(
        "allocations/<int:pk>/reverse/",
        risk_views.allocation_reverse_view,
        name="allocation-reverse",
    ),
    path(
        "projects/<int:project_pk>/receipts/new/",
        views.receipt_create_view,
        name="receipt-create",
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
    path("deposits/", deposit_views.deposit_list_view, name="deposit-list"),
    path("deposits/<int:pk>/", deposit_views.deposit_detail, name="deposit-detail"),
    path("deposits/<int:pk>/step/", deposit_views.deposit_step_view, name="deposit-step"),
    path(
        "projects/<int:project_pk>/deposits/new/",
        deposit_views.deposit_create_view,
        name="deposit-create",
    ),
    path("risk/", risk_views.risk_indicators_view, name="risk-indicators"),
    path("risk/fiscal-inputs/", risk_views.fiscal_inputs_view, name="fiscal-inputs"),
    path("trace/assets/<int:pk>/", risk_views.trace_asset_view, name="trace-asset"),
]
