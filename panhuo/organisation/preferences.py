"""A signed-in person's own preferences (for now: the interface language)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record
from panhuo.organisation.models import User
from panhuo.organisation.services import _home_path


def user_set_language(*, actor: User, language: str) -> User:
    """Store the interface language ``actor`` chose; an unknown code names the field."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError(
            {"language": [f"Unknown language {language!r}; one of {', '.join(codes)}."]}
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = user.language
        if before == language:
            return user
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            actor=actor,
            action="user.set_language",
            obj=user,
            before={"language": before},
            after={"language": language},
            # Filed where the person works, so that the auditors there see it.
            jurisdiction_path=_home_path(user),
        )
    actor.language = language
    return user
