"""Scope pages, mounted at /scope/."""

from django.urls import path

from panhuo.register import scope_views

urlpatterns = [
    path("", scope_views.scope_proposal_view, name="scope-proposal"),
    path("rules/", scope_views.scope_rules_view, name="scope-rules"),
    path("decide/", scope_views.scope_decide_view, name="scope-decide"),
    path("decisions/", scope_views.scope_decision_list_view, name="scope-decision-list"),
    path("decisions/<int:pk>/", scope_views.scope_decision_detail, name="scope-decision-detail"),
]
