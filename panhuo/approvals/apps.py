from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "panhuo.approvals"
    label = "approvals"

    def ready(self) -> None:
        # Disposal never imports approvals: the approval chain joins the project workflow
        # through disposal's guard registry and this app's on_decided callbacks.
        from panhuo.approvals import disposal_hooks

        disposal_hooks.install()
