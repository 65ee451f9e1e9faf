from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "panhuo.organisation"
    label = "organisation"

    def ready(self) -> None:
        # hooks.py imports models, so it loads only once the app registry is ready.
        from panhuo.organisation import hooks

        hooks.install()
