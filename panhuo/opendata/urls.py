"""Open-data pages (mounted at /open-data/): route, view, name."""

from django.urls import path

from panhuo.opendata import views

ROUTES = (
    ("", views.index, "index"),
    ("releases/<str:ocid>.json", views.process_releases, "releases"),
    ("records/<str:ocid>.json", views.process_record, "record"),
    ("notices/<str:code>/", views.notice_process, "notice"),
    ("feed.json", views.feed, "feed"),
    ("bulk/<int:year>.json", views.bulk, "bulk"),
    ("extension/<str:name>", views.extension, "extension"),
    ("extension/codelists/<str:name>", views.codelist, "codelist"),
)
urlpatterns = [path(route, view, name=f"opendata-{name}") for route, view, name in ROUTES]
