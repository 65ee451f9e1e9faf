"""Auctions pages."""

from django.urls import path

from panhuo.auctions import award_views, exchange_views, live, sealed_views, views
from panhuo.core.routes import record_pages

urlpatterns: list = [
    *record_pages(
        "",
        "lot",
        list=views.lot_list_view,
        create=views.lot_create_view,
        detail=views.lot_detail,
        actions={
            "bid": views.lot_bid_view,
            "register": views.lot_register_view,
            "deposit": views.lot_deposit_view,
            "match": views.lot_match_view,
            "award": views.lot_award_view,
            "priority": views.lot_priority_view,
            "take": views.lot_take_view,
            "seal": sealed_views.lot_seal_view,
            "open": sealed_views.lot_open_view,
            "sealed": sealed_views.lot_sealed_view,
            "sign": award_views.lot_sign_view,
            "default": award_views.lot_default_view,
            "live": live.lot_live_view,
        },
    ),
    path("exchange/<int:pk>/package/", exchange_views.exchange_package_view,
         name="exchange-package"),
    path("exchange/<int:pk>/result/", exchange_views.exchange_result_view,
         name="exchange-result"),
]  # fmt: skip
