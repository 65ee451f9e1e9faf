"""Open-data pages (mounted at /open-data/)."""

from django.urls import path

from panhuo.opendata import views

urlpatterns = [
    path("", views.index, name="opendata-index"),
    path("releases/<str:ocid>.json", views.process_releases, name="opendata-releases"),
    path("records/<str:ocid>.json", views.process_record, name="opendata-record"),
    path("notices/<str:code>/", views.notice_process, name="opendata-notice"),
    path("feed.json", views.feed, name="opendata-feed"),
    path("bulk/<int:year>.json", views.bulk, name="opendata-bulk"),
    path("extension/<str:name>", views.extension, name="opendata-extension"),
    path("extension/codelists/<str:name>", views.codelist, name="opendata-codelist"),
]
