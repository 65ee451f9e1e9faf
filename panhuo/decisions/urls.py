"""Pages of decisions, reached from the asset's and the package's pages."""

from django.urls import path

from panhuo.decisions import views

urlpatterns = [
    path("assets/<int:pk>/decision/", views.asset_decision_view, name="asset-decision"),
    path("assets/<int:pk>/decision/inputs/", views.asset_input_view, name="asset-decision-input"),
    path("packages/<int:pk>/decision/", views.package_decision_view, name="package-decision"),
    path("plans/scenarios/", views.scenarios_view, name="plan-scenarios"),
]
