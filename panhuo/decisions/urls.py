"""Pages of decisions (mounted under assets/: reached from the asset's page)."""

from django.urls import path

from panhuo.decisions import views

urlpatterns = [
    path("<int:pk>/decision/", views.asset_decision_view, name="asset-decision"),
]
