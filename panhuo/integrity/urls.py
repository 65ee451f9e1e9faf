from django.urls import path

from panhuo.integrity import views

urlpatterns = [
    path("", views.audit_list, name="audit-list"),
    path("verify/", views.audit_verify_view, name="audit-verify"),
]
