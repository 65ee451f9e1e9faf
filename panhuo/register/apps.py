from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "panhuo.register"
    label = "register"

    def ready(self) -> None:
        # The unit page (organisation, the layer below) shows the unit's assets.
        from panhuo.register import hooks

        hooks.install()
        # The roll-up joins core.rollups' registry (`panhuo rollups verify` / `rebuild`).
        from panhuo.register import rollups  # noqa: F401
