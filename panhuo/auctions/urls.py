"""Auctions pages."""

from panhuo.auctions import live, views
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
            "live": live.lot_live_view,
        },
    ),
]
