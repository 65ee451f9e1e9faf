"""Why an import run ended without its rows, in words its reader can act on, in their language.

A background import that failed used to say "see the worker log": a log the person who uploaded
the file cannot read, on a machine they cannot reach. The reason is now the exception's own
message (ours are translated; a library's is shown as it came, with its kind), stored on the run
in every language of the site when the run ends (``ImportRun.message_i18n``), because only then
is the exception at hand; ``ImportRun.shown_message`` picks the reader's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext


def in_every_language(render: Callable[[], Any]) -> dict[str, str]:
    """``render()`` as text under each of the site's languages (lazy strings translate)."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(render())
    return texts


def exception_text(exc: BaseException) -> str:
    """What went wrong, from the exception: a validation error's messages (with their fields),
    else the exception's kind and text (a library's, untranslated: the words an administrator
    searches for)."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}"
                for field, messages in exc.message_dict.items()
            )
        return " ".join(str(m) for m in exc.messages)
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def failed(exc: BaseException) -> dict[str, str]:
    """The message of a run that failed with ``exc``, in every language."""
    return in_every_language(
        lambda: (
            gettext("The import failed; nothing was written. Reason: %(reason)s")
            % {"reason": exception_text(exc)}
        )
    )


def worker_stopped(seconds: int) -> dict[str, str]:
    """The message of a run whose worker stopped showing signs of life, in every language."""
    return in_every_language(
        lambda: (
            gettext(
                "The worker stopped while importing (no sign of life for %(seconds)s s); nothing "
                "was written. Rerun the import."
            )
            % {"seconds": seconds}
        )
    )


def rejected(exc: BaseException) -> dict[str, str]:
    """The message of a file rejected as a whole (the exception's own words)."""
    return in_every_language(lambda: exc)


def cancelled() -> dict[str, str]:
    return in_every_language(lambda: gettext("Cancelled; nothing was written."))


def english(texts: dict[str, str]) -> str:
    """The text kept in ``ImportRun.message`` (logs, the command line, older readers)."""
    return texts.get("en") or next(iter(texts.values()), "")
