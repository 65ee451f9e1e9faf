from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "panhuo.register"
    label = "register"
