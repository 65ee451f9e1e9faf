"""Writes for shared things (saved filters); audited like every other write."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.lists import registry
from panhuo.core.models import SavedFilter
from panhuo.integrity.services import audit_record


def saved_filter_save(*, actor, target: str, name: str, query: str) -> SavedFilter:
    """Keep (or replace) a named filter; paging is dropped so it opens on the first page."""
    if target not in registry():
        raise ValidationError({"target": [_("Unknown list “%(target)s”.") % {"target": target}]})
    if not (name or "").strip():
        raise ValidationError({"name": [_("The filter needs a name.")]})
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k != "page"]
    clean = urlencode(pairs)[:2000]
    with transaction.atomic():
        item = SavedFilter.objects.update_or_create(
            owner=actor, target=target, name=name.strip()[:100], defaults={"query": clean}
        )[0]
        audit_record(actor=actor, action="saved_filter.save", obj=item,
                     after={"target": target, "name": item.name, "query": clean})  # fmt: skip
    return item


def saved_filter_delete(*, actor, saved_filter: SavedFilter) -> None:
    if saved_filter.owner_id != actor.pk:
        raise SavedFilter.DoesNotExist
    with transaction.atomic():
        audit_record(actor=actor, action="saved_filter.delete", obj=saved_filter,
                     before={"name": saved_filter.name, "query": saved_filter.query})  # fmt: skip
        saved_filter.delete()
