"""Scope pages, mounted at /scope/."""

from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.register import scope_views

urlpatterns = [
    path("", scope_views.scope_proposal_view, name="scope-proposal"),
    *record_pages(
        "",
        "scope",
        pages={"rules": scope_views.scope_rules_view, "decide": scope_views.scope_decide_view},
    ),
    *record_pages(
        "decisions/",
        "scope-decision",
        list=scope_views.scope_decision_list_view,
        detail=scope_views.scope_decision_detail,
    ),
]
