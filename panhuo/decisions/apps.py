from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Decision support: hold, lease or sell; the disposal plan optimiser; scenarios (issue 20)."""

    name = "panhuo.decisions"
    label = "decisions"
