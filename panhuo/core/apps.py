from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "panhuo.core"
    label = "core"
