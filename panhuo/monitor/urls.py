from django.urls import path

from panhuo.monitor import views

urlpatterns = [
    path("", views.monitor_view, name="monitor"),
    path("thresholds/", views.thresholds_view, name="monitor-thresholds"),
    path("revenue/", views.revenue_list_view, name="revenue-list"),
    path("revenue/set/", views.revenue_set_view, name="revenue-set"),
    path("revenue/import/", views.revenue_import_view, name="revenue-import"),
]
