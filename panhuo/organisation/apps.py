from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "panhuo.organisation"
    label = "organisation"
