from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "panhuo.disposal"
    label = "disposal"
