from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "panhuo.core"
    label = "core"

    def ready(self):
        from panhuo.core.bounds import bound_dates

        # Every business date of Panhuo's models lies within the documented bounds.
        bound_dates(m for m in apps.get_models() if m.__module__.startswith("panhuo."))
