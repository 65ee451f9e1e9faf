from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "panhuo.core"
    label = "core"

    def ready(self):
        from django.core import checks

        from panhuo.core.bounds import bound_dates
        from panhuo.core.calendars import check_next_year_calendar

        # From 1 November, a warning while next year's working-day calendar is unknown.
        checks.register(check_next_year_calendar, checks.Tags.database)

        # Every business date of Panhuo's models lies within the documented bounds.
        bound_dates(m for m in apps.get_models() if m.__module__.startswith("panhuo."))
