from django.urls import path

from panhuo.approvals import views
from panhuo.core.routes import record_pages

urlpatterns = [
    path("", views.inbox_view, name="approval-inbox"),
    *record_pages(
        "requests/", "approval", list=views.request_list_view, export=views.request_export
    ),
    *record_pages(
        "",
        "approval",
        detail=views.request_detail,
        actions={"decide": views.decide_view, "withdraw": views.withdraw_view},
    ),
    *record_pages(
        "chains/",
        "approval-chain",
        list=views.chain_list_view,
        create=views.chain_create_view,
        actions={"delete": views.chain_delete_view},
    ),
    # A chain's page is its edit form.
    path("chains/<int:pk>/", views.chain_edit_view, name="approval-chain-edit"),
    *record_pages(
        "delegations/",
        "delegation",
        list=views.delegation_list_view,
        actions={"revoke": views.delegation_revoke_view},
    ),
]
