"""Bidders pages: /bidders/register/ is public; the rest need a sign-in."""

from django.urls import path

from panhuo.bidders import views
from panhuo.core.routes import record_pages

urlpatterns = [
    path("register/", views.register, name="bidder-register"),
    path("account/", views.account, name="bidder-account"),
    path("account/edit/", views.account_edit, name="bidder-account-edit"),
    path("account/register/", views.account_register, name="bidder-account-register"),
    path("account/relations/", views.relation_add, name="bidder-relation-add"),
    path(
        "account/relations/<int:pk>/withdraw/",
        views.relation_remove,
        name="bidder-relation-remove",
    ),
    path("account/resubmit/", views.resubmit, name="bidder-resubmit"),
    *record_pages(
        "",
        "bidder",
        list=views.bidder_list_view,
        detail=views.bidder_detail,
        actions={"step": views.bidder_step},
    ),
]
