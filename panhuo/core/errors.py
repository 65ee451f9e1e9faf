"""Errors that services raise and every interface (UI, API, CLI) turns into a clear message."""

from django.core.exceptions import ValidationError


class Conflict(Exception):
    """The record changed since the caller read it (optimistic version check failed)."""


def field_error(field: str, message: str) -> ValidationError:
    """A ValidationError attached to one field, so that forms and the API can name it."""
    return ValidationError({field: [message]})
