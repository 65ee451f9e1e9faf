"""Why an import run ended without its rows, in words its reader can act on, in their language.

A background import that failed used to say "see the worker log": a log the person who uploaded
the file cannot read, on a machine they cannot reach. The reason is now the exception's own
message (ours are ``core.texts.Msg``, translated when read; a library's is shown as it came,
with its kind), stored on the run when it ends (``ImportRun.message_i18n``: the message and its
text in every language), because only then is the exception at hand;
``ImportRun.shown_message`` renders it in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from panhuo.core.texts import Msg, message_of


def in_every_language(render: Callable[[], Any]) -> dict[str, str]:
    """``render()`` as text under each of the site's languages (lazy strings translate)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(render())
    return texts


def stored(msg: Msg) -> dict[str, Any]:
    """What ``ImportRun.message_i18n`` keeps of ``msg``: the message itself (code, msgid and
    values, rendered when read, ``ImportRun.shown_message``) and its text in each language
    (for readers of the stored JSON, and the English kept in ``ImportRun.message``)."""
    return {**in_every_language(lambda: msg), "msg": msg.as_json()}


def exception_text(exc: BaseException) -> Msg | str:
    """What went wrong, from the exception: its message if it carries one (``Msg``), a
    validation error's messages (with their fields), else the exception's kind and text (a
    library's, untranslated: the words an administrator searches for)."""
    own = message_of(exc)
    if isinstance(own, Msg):
        return own
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}"
                for field, messages in exc.message_dict.items()
            )
        return " ".join(str(m) for m in exc.messages)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


FAILED = gettext_noop("The import failed; nothing was written. Reason: %(reason)s")


def failed(exc: BaseException) -> dict[str, Any]:
    """The message of a run that failed with ``exc``. A reason that is not ours (a validation
    error's lazily translated words) is rendered in each language now, while it is at hand."""
    msg = Msg("import_failed", FAILED, reason=exception_text(exc))
    return {
        **in_every_language(lambda: gettext(FAILED) % {"reason": exception_text(exc)}),
        "msg": msg.as_json(),
    }


def worker_stopped(seconds: int) -> dict[str, Any]:
    """The message of a run whose worker stopped showing signs of life."""
    return stored(Msg(
        "worker_stopped",
        gettext_noop(
            "The worker stopped while importing (no sign of life for %(seconds)s s); nothing "
            "was written. Rerun the import."
        ),
        seconds=seconds,
    ))  # fmt: skip


def worker_stopped_undoing() -> dict[str, Any]:
    """The message of a committing run whose worker stopped, until a worker has undone its
    writes (``imports.fail_if_stale``)."""
    return stored(Msg(
        "worker_stopped_undoing",
        gettext_noop(
            "The worker stopped while importing; what it had written is being undone in the "
            "background. Rerun the import once this says nothing was written."
        ),
    ))  # fmt: skip


def rejected(exc: BaseException) -> dict[str, Any]:
    """The message of a file rejected as a whole (the exception's own words)."""
    own = message_of(exc)
    if isinstance(own, Msg):
        return stored(own)
    return in_every_language(lambda: own)


def cancelled() -> dict[str, Any]:
    return stored(Msg("cancelled", gettext_noop("Cancelled; nothing was written.")))


def english(texts: dict[str, Any]) -> str:
    """The text kept in ``ImportRun.message`` (logs, the command line, older readers)."""
    return texts.get("en") or next((v for k, v in texts.items() if k != "msg"), "")
