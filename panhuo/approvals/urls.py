from django.urls import path

from panhuo.approvals import views

urlpatterns = [
    path("", views.inbox_view, name="approval-inbox"),
    path("requests/", views.request_list_view, name="approval-list"),
    path("requests/export.csv", views.request_export, name="approval-export"),
    path("<int:pk>/", views.request_detail, name="approval-detail"),
    path("<int:pk>/decide/", views.decide_view, name="approval-decide"),
    path("<int:pk>/withdraw/", views.withdraw_view, name="approval-withdraw"),
    path("chains/", views.chain_list_view, name="approval-chain-list"),
    path("chains/new/", views.chain_create_view, name="approval-chain-create"),
    path("chains/<int:pk>/", views.chain_edit_view, name="approval-chain-edit"),
    path("chains/<int:pk>/delete/", views.chain_delete_view, name="approval-chain-delete"),
    path("delegations/", views.delegation_list_view, name="delegation-list"),
    path("delegations/<int:pk>/revoke/", views.delegation_revoke_view, name="delegation-revoke"),
]
