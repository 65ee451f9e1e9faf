"""Pages of decisions, reached from the asset's and the package's pages."""

from django.urls import path

from panhuo.decisions import views, views_plan

urlpatterns = [
    path("assets/<int:pk>/decision/", views.asset_decision_view, name="asset-decision"),
    path("assets/<int:pk>/decision/inputs/", views.asset_input_view, name="asset-decision-input"),
    path("packages/<int:pk>/decision/", views.package_decision_view, name="package-decision"),
    path("plans/scenarios/", views.scenarios_view, name="plan-scenarios"),
    path("plans/optimiser/", views_plan.optimiser_view, name="plan-optimiser"),
    path("plans/optimiser/<int:pk>/", views_plan.optimiser_run_view, name="plan-optimiser-run"),
    path(
        "plans/optimiser/<int:pk>/cancel/",
        views_plan.optimiser_cancel_view,
        name="plan-optimiser-cancel",
    ),
    path(
        "plans/optimiser/<int:pk>/adopt/",
        views_plan.optimiser_adopt_view,
        name="plan-optimiser-adopt",
    ),
]
