from django.apps import AppConfig


class DisposalConfig(AppConfig):
    name = "panhuo.disposal"
    label = "disposal"

    def ready(self) -> None:
        # Disposal joins pricing's and approvals' work through hooks (panhuo/disposal/hooks.py).
        from panhuo.disposal import hooks

        hooks.install()
        # The roll-up joins core.rollups' registry (`panhuo rollups verify` / `rebuild`).
        from panhuo.disposal import rollups  # noqa: F401
