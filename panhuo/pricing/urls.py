from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.pricing import views

urlpatterns = [
    *record_pages(
        "valuations/",
        "valuation",
        list=views.valuation_list_view,
        export=views.valuation_export,
        create=views.valuation_create_view,
        detail=views.valuation_detail,
    ),
    path("valuations/estimate/<int:asset_pk>/", views.avm_estimate_view, name="avm-estimate"),
    path("pricing/rules/", views.price_rules_view, name="price-rules"),
    path("pricing/model/", views.avm_runs_view, name="avm-runs"),
]
