"""A URLconf with only the API, for API tests while the UI's URLconf is being built."""

from django.urls import path

from panhuo.api import api

urlpatterns = [path("api/v1/", api.urls)]
