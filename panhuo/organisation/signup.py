"""Accounts the public opens for themselves: a bidder's user and their bidder role.

The bidders app registers a party (panhuo/bidders/services.py) and calls these inside its own
transaction, so the user, the role and the party are written together or not at all. A bidder
may bid anywhere: their role is held over the top of the tree of the place they registered
with (the bidder role grants no permission over records; what a bidder may do is decided by
their verified registration, not by the role's place).
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.translation import gettext as _

from panhuo.integrity.services import audit_insert, snapshot
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, User
from panhuo.organisation.place_file import USER_FIELDS

LANGUAGES = ("", "en", "zh-hans")


def username_errors(username: str) -> list[str]:
    """What is wrong with ``username`` for a new account (nothing: an empty list); every way an
    account is opened checks it so."""
    if not username:
        return [_("This field is required.")]
    if len(username) > 150:
        return [_("At most 150 characters.")]
    if User.objects.filter(username__iexact=username).exists():
        return [_("Another user has this username.")]
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def account_errors(*, username: str, password: str, email: str, language: str = "") -> dict:
    """Every field of a new account that is wrong, named ({} when all are right)."""
    errors: dict[str, list[str]] = {}
    if wrong := username_errors(username):
        errors["username"] = wrong
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if not password:
        errors["password"] = [_("This field is required.")]
    else:
        try:
            password_validation.validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if language not in LANGUAGES:
        errors["language"] = [_("Must be en or zh-hans.")]
    return errors


def root_of(place: Jurisdiction) -> Jurisdiction:
    """The top of the tree ``place`` sits in."""
    top = int(place.path.strip("/").split("/")[0])
    return place if top == place.pk else Jurisdiction.objects.get(pk=top)


def bidder_account_create(
    *, username: str, password: str, email: str, language: str, place: Jurisdiction
) -> User:
    """A new user with ``password`` (checked by the site's password rules) holding the bidder
    role over the top of ``place``'s tree, each with its audit entry (the new user is the
    actor: they opened the account). Runs inside the caller's transaction; raises a
    ValidationError naming each wrong field."""
    if not connection.in_atomic_block:
        raise RuntimeError("bidder_account_create must run inside the caller's transaction")
    username, email = (username or "").strip(), (email or "").strip()
    errors = account_errors(username=username, password=password, email=email, language=language)
    if errors:
        raise ValidationError(errors)
    user = User(username=username, email=email, language=language)
    user.set_password(password)
    home = root_of(place)
    audit_insert(
        user,
        actor=user,
        action="user.signup",
        jurisdiction_path=place.path,
        after=snapshot(user, USER_FIELDS),  # never the password's hash
    )
    bidder_role_ensure(user=user, actor=user, place=home)
    return user


def bidder_role_ensure(*, user: User, actor, place: Jurisdiction) -> None:
    """Give ``user`` the bidder role over the top of ``place``'s tree unless they hold it
    somewhere already (inside the caller's transaction, audited)."""
    if RoleAssignment.objects.current().filter(user=user, role=Role.BIDDER).exists():
        return
    home = root_of(place)
    audit_insert(
        RoleAssignment(user=user, role=Role.BIDDER, jurisdiction=home),
        actor=actor,
        action="roleassignment.create",
        jurisdiction_path=home.path,
    )
