from django.urls import path

from panhuo.core.routes import record_pages
from panhuo.planning import views

urlpatterns = [
    *record_pages(
        "",
        "plan",
        list=views.plan_list_view,
        create=views.plan_create_view,
        detail=views.plan_detail_view,
        edit=views.plan_edit_view,
        actions={"submit": views.plan_submit_view, "revise": views.plan_revise_view},
    ),
    *record_pages(
        "tasks/",
        "plan-task",
        list=views.plan_task_list_view,
        actions={"done": views.plan_task_done_view},
    ),
    path("from-optimiser/<int:pk>/", views.plan_from_optimiser_view, name="plan-from-optimiser"),
]
