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


def user_set_money_unit(*, actor: User, unit: str) -> User:
    """Store the unit ``actor`` reads amounts in (yuan, wan or yi; blank: the site's), audited;
    an unknown unit names the field. Only the pages follow it: exports and the API stay in
    yuan."""
    codes = [code for code, _label in UNIT_CHOICES]
    if unit not in ("", *codes):
        message = gettext("Unknown unit %(unit)s: yuan, wan, yi, or blank for the site's unit.")
        raise ValidationError({"money_unit": [message % {"unit": repr(unit)}]})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        before = user.money_unit
        if before == unit:
            return user
        user.money_unit = unit
        user.save(update_fields=["money_unit"])
        audit_record(
            actor=actor,
            action="user.set_money_unit",
            obj=user,
            before={"money_unit": before},
            after={"money_unit": unit},
            jurisdiction_path=_home_path(user),
        )
    actor.money_unit = unit
    return user
