from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The top layer: dashboard, demo, backup and restore (see the package's docstring)."""

    name = "panhuo.site"
    label = "site"

    def ready(self) -> None:
        from panhuo.site import checks  # noqa: F401 (registers the deployment checks)
