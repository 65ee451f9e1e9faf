"""Pages of scorecards (mounted at /scorecards/): no menu entry, the work plan's page and the
dashboard link here."""

from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.scorecards import views

urlpatterns = [
    *record_pages("", "scorecard", list=views.scorecard_list_view),
    path("plans/<int:pk>/units/<int:unit>/", views.scorecard_card_view, name="scorecard-card"),
    path("plans/<int:pk>/weights/", views.scorecard_weights_view, name="scorecard-weights"),
    path("plans/<int:pk>/issue/", views.scorecard_issue_view, name="scorecard-issue"),
    path("issued/<int:pk>/propose/", views.scorecard_propose_view, name="scorecard-propose"),
    *record_pages(
        "decisions/",
        "scorecard-decision",
        list=views.scorecard_decision_list_view,
        detail=views.scorecard_decision_detail,
    ),
]
