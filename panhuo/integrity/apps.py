from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "panhuo.integrity"
    label = "integrity"
