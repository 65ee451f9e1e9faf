"""Hooks: how a lower app calls up into a higher one without importing it.

The lower app declares a named :class:`Hook` in one of its modules; the higher app registers
its handler in its ``AppConfig.ready()``. Registering under the same key again replaces the
handler (``ready()`` may run twice). ``disposal.guards`` is the first such hook (every guard
runs before a project transition); README "Layers" lists the others.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class Hook:
    """An ordered list of ``(key, handler)``, filled by the apps above the one declaring it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.handlers: list[tuple[str, Callable[..., Any]]] = []

    def register(self, key: str, handler: Callable[..., Any]) -> None:
        self.handlers = [(k, h) for k, h in self.handlers if k != key] + [(key, handler)]

    def call(self, **kwargs) -> list[Any]:
        """Every handler's answer, in registration order."""
        return [handler(**kwargs) for _key, handler in self.handlers]

    def get(self, key: str) -> Any:
        """The handler registered under ``key``, or None."""
        return next((h for k, h in self.handlers if k == key), None)

    def one(self) -> Any:
        """The one handler of a hook that needs exactly one (a service the app above provides),
        e.g. finance's receivables for disposal."""
        if len(self.handlers) != 1:
            keys = [k for k, _h in self.handlers]
            raise ImproperlyConfigured(f"Hook {self.name} needs exactly one handler, has {keys}.")
        return self.handlers[0][1]

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {[k for k, _h in self.handlers]}>"


#: Called by ``panhuo worker`` as it starts, before it takes tasks: the apps above queue their
#: periodic tasks here (the monthly reports) unless one is queued already.
worker_started = Hook("core.worker_started")


class HookedApp(AppConfig):
    """An app that joins the apps below it through its ``hooks`` module: ``ready()`` imports it
    (there, not at the top: it imports models) and calls its ``install()``, then imports the
    ``registers`` modules, whose import fills a registry (roll-ups, policy rules). Subclass it
    through this module (``hooks.HookedApp``): a class imported into an ``apps.py`` would be a
    second candidate for the app's config."""

    registers: tuple[str, ...] = ()

    def ready(self) -> None:
        import_module(f"{self.name}.hooks").install()
        for module in self.registers:
            import_module(f"{self.name}.{module}")
