"""What may be approved (purposes) and who hears about the outcome (on_decided callbacks).

A purpose names a kind of decision ("disposal", "price_exception", ...). Other apps add their
own with :func:`register_purpose` and react to outcomes with :func:`on_decided`; the handlers run
inside the deciding transaction, so a handler that raises undoes the decision too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Purpose:
    name: str
    label: str | Promise
    #: Requests of this purpose follow their target's own workflow (e.g. a disposal project's
    #: submit / send back / withdraw), so they are not withdrawn on their own.
    follows_target: bool = False
    #: Roles that may decide its steps (None: any role that decides approvals). A disposal's
    #: deciders also take the project's approve / send back, which only the head and deputies may.
    step_roles: frozenset[str] | None = None
    #: The least authority the law names for this decision: the roles that alone may decide the
    #: last step (None: any role of ``step_roles``). A chain whose last step lets another role
    #: decide is refused when saved; a request is decided at its last step only by one of them
    #: (``approvals.services.gates``). ``channel_least_roles`` names a stricter authority for
    #: requests of one channel (e.g. a negotiated transfer's, Order 32 art. 31).
    least_roles: frozenset[str] | None = None
    channel_least_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: The gate (``core.gates.Rule``) that names the law behind ``least_roles``.
    authority: Any = None
    #: The steps that apply where no chain is configured (None: the engine's default).
    default_steps: tuple[tuple[str, ...], ...] | None = None
    #: Document kinds (``integrity.DocumentKind``) that must be on the request's record before
    #: its last step is approved; an approval document also needs its number (文号).
    documents: tuple[str, ...] = ()
    #: documents_for(obj) -> the document kinds a request on ``obj`` needs, when they depend on
    #: the record (e.g. on its asset class); None: ``documents`` for every request.
    documents_for: Callable[[Any], tuple[str, ...]] | None = None
    #: Its approval document answers one request: only one put on the record after the request
    #: was opened counts (``approvals.services.gates.missing_documents``).
    fresh_approval: bool = False
    #: summary(request) -> dict of figures for the inbox (e.g. appraisal, reserve, ratio);
    #: registered by the app that owns the figures.
    summary: Callable[..., dict] | None = None

    def least_for(self, channel: str = "") -> frozenset[str] | None:
        """The least authority for a request of ``channel``."""
        return self.channel_least_roles.get(channel or "", self.least_roles)


PURPOSES: dict[str, Purpose] = {}

#: handler(request=..., decision=...) called when a request of the purpose is approved or
#: rejected, inside the transaction that decided it.
Handler = Callable[..., None]
_HANDLERS: dict[str, list[Handler]] = {}


def register_purpose(
    name: str, label, *, follows_target: bool = False, step_roles: frozenset[str] | None = None
) -> Purpose:
    purpose = Purpose(name, label, follows_target, step_roles)
    PURPOSES[name] = purpose
    return purpose


def configure_purpose(name: str, **changes) -> Purpose:
    """Add what the owning app knows to a registered purpose (its least authority, the
    documents its last step needs, its inbox summary). ``ready()`` may run twice: the result
    is the same."""
    purpose = replace(PURPOSES[name], **changes)
    PURPOSES[name] = purpose
    return purpose


def purpose_choices() -> list[tuple[str, str]]:
    return [(p.name, str(p.label)) for p in PURPOSES.values()]


def purpose_label(name: str) -> str:
    p = PURPOSES.get(name)
    return str(p.label) if p else name


#: The channels a chain may be limited to, (value, label) pairs: named by the app that has them
#: (disposal, in its AppConfig.ready), since approvals sits below it.
_CHANNELS: list[tuple[str, str]] = []


def register_channels(choices) -> None:
    """Set the channels a chain may be limited to (replacing any set before: ready() may run
    twice)."""
    _CHANNELS[:] = [(value, label) for value, label in choices]


def channel_choices() -> list[tuple[str, str]]:
    return list(_CHANNELS)


def on_decided(purpose: str) -> Callable[[Handler], Handler]:
    """Decorator: call the function when a request of ``purpose`` is approved or rejected.

    Registering the same function twice (``ready()`` may run twice) keeps one copy.
    """

    def decorator(fn: Handler) -> Handler:
        handlers = _HANDLERS.setdefault(purpose, [])
        key = (fn.__module__, fn.__qualname__)
        handlers[:] = [h for h in handlers if (h.__module__, h.__qualname__) != key] + [fn]
        return fn

    return decorator


def handlers_for(purpose: str) -> list[Handler]:
    return list(_HANDLERS.get(purpose, []))


register_purpose(
    "disposal", _("Disposal"), follows_target=True, step_roles=frozenset({"head", "deputy"})
)
register_purpose("price_exception", _("Price exception (below the appraisal)"))
