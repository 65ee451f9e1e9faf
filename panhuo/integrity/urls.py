from django.urls import path

from panhuo.integrity import views

urlpatterns = [
    path("", views.audit_list_view, name="audit-list"),
    path("verify/", views.audit_verify_view, name="audit-verify"),
]
