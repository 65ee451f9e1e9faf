"""Messages kept as what they say (a code, a msgid and its values), read in the reader's language.

An import's row errors and a file's refusal are written by a worker, stored, and read later by
people of either language (and by scripts through the API). Rendered when written, they would
stay in the worker's language for ever; so they are kept as a ``Msg``: a stable ``code`` (for
scripts), the English ``msgid`` (the catalogue's key, marked with ``gettext_noop`` where it is
written so that makemessages finds it) and the values, translated each time the message is
shown (``str(msg)`` in the active language, ``render(stored)`` for a stored one).

Values may themselves be messages (a reason inside a sentence) or lazy labels (a status's
name): both are stored as messages and translated on display too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext


class Msg:
    """A translatable message with its values; ``str()`` renders it in the active language."""

    __slots__ = ("code", "msgid", "params")

    def __init__(self, code: str, msgid: str, /, **params: Any):
        self.code = code
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return _render(self.msgid, self.params)

    def __repr__(self) -> str:
        return f"Msg({self.code!r}, {self.english()!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Msg):
            return self.as_json() == other.as_json()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def english(self) -> str:
        """The message in English (logs, and the text older readers of a stored one see)."""
        with translation.override("en"):
            return str(self)

    def as_json(self) -> dict[str, Any]:
        """The message as stored: code, msgid and values (JSON: text, numbers, messages)."""
        return {"code": self.code, "msgid": self.msgid,
                "params": {k: _store(v) for k, v in self.params.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Msg:
        return cls(data.get("code", ""), data.get("msgid", ""), **(data.get("params") or {}))


def _store(value: Any) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return value  # already stored (a message read back with ``from_json``)
    if isinstance(value, Msg):
        return {"msg": value.as_json()}
    if isinstance(value, Promise):
        # A lazy label (gettext_lazy): its English text is its msgid.
        with translation.override("en"):
            return {"msg": {"code": "", "msgid": str(value), "params": {}}}
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _value(value: Any) -> Any:
    if isinstance(value, dict) and "msg" in value:
        return render(value["msg"])
    if isinstance(value, Msg | Promise):
        return str(value)
    return value


def _render(msgid: str, params: dict[str, Any]) -> str:
    text = gettext(msgid) if msgid else ""
    if not params:
        return text
    try:
        return text % {k: _value(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder (the translations test forbids it): the
        # English text still reads.
        return msgid % {k: _value(v) for k, v in params.items()}


def render(stored: dict[str, Any] | None) -> str:
    """A stored message (``Msg.as_json()``) in the active language."""
    if not stored:
        return ""
    return _render(stored.get("msgid", ""), stored.get("params") or {})


def message_of(exc: BaseException) -> Msg | str:
    """The message an exception was raised with: its ``Msg`` if it carries one, else its text."""
    args = getattr(exc, "args", ())
    if len(args) == 1 and isinstance(args[0], Msg):
        return args[0]
    message = getattr(exc, "message", None)  # a Django ValidationError of one message
    if isinstance(message, Msg):
        return message
    messages = getattr(exc, "messages", None)  # a Django ValidationError: its text, not a list
    if isinstance(messages, list) and messages:
        return " ".join(str(m) for m in messages)
    return str(exc)
