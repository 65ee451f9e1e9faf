from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "panhuo.integrity"
    label = "integrity"

    def ready(self) -> None:
        # Declares which records hold documents and the policy rules that gate uploads.
        from panhuo.integrity import document_registry  # noqa: F401
