from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "panhuo.monitor"
    label = "monitor"

    def ready(self) -> None:
        from panhuo.monitor import hooks, permissions  # noqa: F401 (registers the rules)

        hooks.install()
