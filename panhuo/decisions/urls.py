"""Pages of decisions, reached from the asset's and the package's pages."""

from django.urls import path

from panhuo.decisions import views, views_compare, views_list, views_plan, views_runs

urlpatterns = [
    path("assets/<int:pk>/decision/", views.asset_decision_view, name="asset-decision"),
    path("assets/<int:pk>/decision/inputs/", views.asset_input_view, name="asset-decision-input"),
    path("packages/<int:pk>/decision/", views.package_decision_view, name="package-decision"),
    path("decisions/assets/", views_list.asset_decision_list_view, name="asset-decision-list"),
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
    path("plans/scenarios/save/", views_runs.run_save_view, name="scenario-run-save"),
    path("plans/scenarios/runs/", views_runs.run_list_view, name="scenario-run-list"),
    path("plans/scenarios/runs/<int:pk>/", views_runs.run_detail_view, name="scenario-run"),
    path("plans/scenarios/compare/", views_compare.compare_view, name="scenario-compare"),
]
