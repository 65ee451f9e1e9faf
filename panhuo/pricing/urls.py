from django.urls import path

from panhuo.pricing import views

urlpatterns = [
    path("valuations/", views.valuation_list_view, name="valuation-list"),
    path("valuations/export.csv", views.valuation_export, name="valuation-export"),
    path("valuations/new/", views.valuation_create_view, name="valuation-create"),
    path("valuations/<int:pk>/", views.valuation_detail, name="valuation-detail"),
    path("valuations/estimate/<int:asset_pk>/", views.avm_estimate_view, name="avm-estimate"),
    path("pricing/rules/", views.price_rules_view, name="price-rules"),
    path("pricing/model/", views.avm_runs_view, name="avm-runs"),
]
