from django.urls import path

from panhuo.finance import views

urlpatterns = [
    path("debts/", views.debt_list_view, name="debt-list"),
    path("debts/export.csv", views.debt_export, name="debt-export"),
    path("debts/new/", views.debt_create_view, name="debt-create"),
    path("debts/<int:pk>/", views.debt_detail, name="debt-detail"),
    path("receipts/", views.receipt_list_view, name="receipt-list"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/allocations/", views.allocation_create_view, name="allocation-create"),
    path(
        "projects/<int:project_pk>/receipts/new/",
        views.receipt_create_view,
        name="receipt-create",
    ),
]
