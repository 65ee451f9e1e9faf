from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "panhuo.finance"
    label = "finance"
