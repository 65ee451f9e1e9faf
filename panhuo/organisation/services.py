"""Writes for organisation records: API tokens, each one transaction with its audit entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import Operator, actor_label, audit_insert, audit_record, snapshot
from panhuo.organisation import memo, policy
from panhuo.organisation.models import ApiToken, User

#: Keys start with this, so that a leaked one is recognisable (e.g. by secret scanners).
KEY_PREFIX = "phk_"
#: ``last_used_at`` is refreshed at most this often, so reads do not each cost a write.
TOUCH_EVERY = dt.timedelta(minutes=1)
_AUDITED_FIELDS = ["id", "user", "name", "created_at"]


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _home_path(user: User) -> str:
    """The highest jurisdiction the user works in, so that auditors there see the entry."""
    paths = [g.path for g in policy.grants(user)]
    return min(paths, key=len) if paths else ""


def _require_self(actor: User | None, user: User) -> None:
    if actor is None or not actor.is_authenticated or actor.pk != user.pk:
        raise policy.NotPermitted(_("You may manage only your own API tokens."))


def api_token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user`` (who must be the actor); the key is returned only here."""
    _require_self(actor, user)
    return _token_create(actor=actor, user=user, name=name)


def api_token_issue(*, operator: Operator, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user`` from the server's command line (``panhuo token create``): the
    audit log names the operator who ran the command as its creator, not ``user``."""
    if not user.is_active:
        raise ValidationError(
            {"user": [_("User “%(user)s” is not active.") % {"user": user.username}]}
        )
    return _token_create(actor=operator, user=user, name=name)


def _token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("This field is required.")]})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(user=user, name=name, key_hash=key_hash(key))
        audit_insert(
            token,
            actor=actor,
            action="api_token.create",
            jurisdiction_path=_home_path(user),
            after={**snapshot(token, _AUDITED_FIELDS), "created_by": actor_label(actor)},
        )
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    """Delete a token of the actor's own; scripts using it are refused from then on."""
    _require_self(actor, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            before=snapshot(token, _AUDITED_FIELDS),
            jurisdiction_path=_home_path(token.user),
        )
        token.delete()


def api_token_authenticate(key: str, *, memo_key: str | None = None) -> User | None:
    """The active user owning ``key``, or None; notes when the token was last used.

    Every API call by a script comes through here, so the token and its user are read in one
    raw statement: compiling the ORM's query cost more than running it. Given the memo's
    key as the request read it (the audit chain's access mark), the answer is kept in the
    process's memo (organisation/memo.py) and taken from it while the mark stays; each call
    gets its own copy of the user, which carries the key on to :func:`policy.grants` and the
    bidder's read.
    """
    if not key or len(key) > 200:
        return None
    digest = key_hash(key)
    found = memo.get(memo_key, ("token", digest))
    if found is None:
        found = _token_user(digest)
        if found is None:
            return None
        memo.put(memo_key, ("token", digest), found)
    template, token_id, last_used = found
    now = timezone.now()
    if last_used is None or now - last_used >= TOUCH_EVERY:
        # Bookkeeping, not a change of record: no audit entry for every script call.
        _touch(token_id, now)
        memo.put(memo_key, ("token", digest), (template, token_id, now))
    # copy.copy's result without its detour through pickling (__reduce__, the model looked up
    # by its label, the version check): the same state, copied, on a new instance.
    user = User.__new__(User)
    user.__dict__.update(template.__getstate__())
    if memo_key is not None:
        user._panhuo_memo_key = memo_key
    return user


def _token_user(digest: str) -> tuple[User, int, dt.datetime | None] | None:
    token_table, user_table = ApiToken._meta.db_table, User._meta.db_table
    found = list(
        User.objects.raw(
            f"SELECT u.*, t.id AS panhuo_token_id, t.last_used_at AS panhuo_token_used "  # noqa: S608 (table names from our models)
            f"FROM {token_table} t JOIN {user_table} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s",
            [digest],
        )
    )
    if not found or not found[0].is_active:
        return None
    user = found[0]
    last_used = user.panhuo_token_used
    if isinstance(last_used, str):  # SQLite hands back the stored text
        last_used = parse_datetime(last_used)
    if last_used is not None and timezone.is_naive(last_used):
        last_used = timezone.make_aware(last_used, dt.UTC)
    return user, user.panhuo_token_id, last_used


def _touch(token_id: int, now: dt.datetime) -> None:
    """Note a token's use without ever waiting for a lock (a long import's batch, another
    call's touch): if the row or the database is busy, the note is skipped; a later call
    makes it."""
    touch = ApiToken.objects.filter(pk=token_id)
    try:
        if connection.vendor == "sqlite":
            if connection.in_atomic_block:  # the write lock is already ours or awaited
                touch.update(last_used_at=now)
                return
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout")
                (waited,) = cursor.fetchone()
                cursor.execute("PRAGMA busy_timeout = 0")
                try:
                    touch.update(last_used_at=now)
                finally:
                    cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")
        else:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '50ms'")
                touch.update(last_used_at=now)
    except OperationalError:
        pass  # busy: skipped, not waited for
