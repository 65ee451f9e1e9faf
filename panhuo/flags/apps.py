from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: The modules declaring rules (flags/registry.py), imported when the app is ready.
RULE_MODULES = (
    "price",
    "price_market",
    "process",
    "process_awards",
    "process_late",
    "people",
    "splitting",
    "value",
)


class FlagsConfig(AppConfig):
    name = "panhuo.flags"
    label = "flags"
    verbose_name = _("Red flags")

    def ready(self) -> None:
        # In ready(), not at the top: integrity's hook registry (a layer below) is filled once
        # the apps and their models are loaded.
        from importlib import import_module
        from importlib.util import find_spec

        from panhuo.flags import engine, permissions  # noqa: F401 (registers the rules)
        from panhuo.integrity.services import appended, appended_many

        for name in RULE_MODULES:
            if find_spec(f"panhuo.flags.{name}") is not None:
                import_module(f"panhuo.flags.{name}")
        appended.register("flags", engine.note_written)
        appended_many.register("flags", engine.note_written_many)
