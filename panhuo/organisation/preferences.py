"""A signed-in person's own preferences: the interface language, the unit of amounts."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from panhuo.core.errors import ValidationError
from panhuo.core.money import UNIT_CHOICES
from panhuo.integrity.services import audit_record
from panhuo.organisation.models import User
from panhuo.organisation.services import _home_path


def user_set_language(*, actor: User, language: str) -> User:
    """Store the interface language ``actor`` chose; an unknown code names the field."""
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError(
            {
                "language": [
                    gettext("Unknown language “%(language)s”; one of %(choices)s.")
                    % {"language": language, "choices": ", ".join(codes)}
                ]
            }
        )
    return _set_own(actor, "language", language, "user.set_language")


def user_set_money_unit(*, actor: User, unit: str) -> User:
    """Store the unit ``actor`` reads amounts in (yuan, wan or yi; blank: the site's), audited;
    an unknown unit names the field. Only the pages follow it: exports and the API stay in
    yuan."""
    codes = [code for code, _label in UNIT_CHOICES]
    if unit not in ("", *codes):
        message = gettext("Unknown unit %(unit)s: yuan, wan, yi, or blank for the site's unit.")
        raise ValidationError({"money_unit": [message % {"unit": repr(unit)}]})
    return _set_own(actor, "money_unit", unit, "user.set_money_unit")


def _set_own(actor: User, field: str, value: str, action: str) -> User:
    """Store one of ``actor``'s own preferences (nothing when unchanged), audited."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = getattr(user, field)
        if before == value:
            return user
        setattr(user, field, value)
        user.save(update_fields=[field])
        audit_record(
            actor=actor,
            action=action,
            obj=user,
            before={field: before},
            after={field: value},
            # Filed where the person works, so that the auditors there see it.
            jurisdiction_path=_home_path(user),
        )
    setattr(actor, field, value)
    return user
