from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "panhuo.planning"
    label = "planning"

    def ready(self) -> None:
        # The policy rules, the "work_plan" approval purpose and its decision handler.
        from panhuo.planning import approval  # noqa: F401
