"""The audit log as a reader reads it: one sentence per entry in the reader's language
("Min Zhang listed DP000070 at a reserve of 2,709.79 10k yuan"), the changed fields by their
labels with the old and new values formatted as the pages show them (names, not ids; labels, not
codes; amounts in the reader's unit; local times), and a link to the object.

The log itself stays as written (codes and raw snapshots, hash-chained); only reading turns it
into prose, so `panhuo audit verify` is unchanged and a new language needs no rewrite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.db.models import BooleanField, DateTimeField, DecimalField, Model
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from panhuo.core.fields import MoneyField
from panhuo.core.money import format_money, unit_label
from panhuo.integrity import sentences
from panhuo.integrity.models import AuditEntry

#: Bookkeeping fields that say nothing to a reader.
NOT_SHOWN = {"id", "created_at", "updated_at", "version", "digests"}
#: Fields naming an object by its code, preferred to its full name in a sentence.
CODE_FIELDS = ("code", "voucher", "number", "reference")


#: Verbs whose sentence does not itself say the new status (a transition's verb does: "listed",
#: "concluded"); their sentence is followed by the status change when the write made one.
STATUS_UNSAID = {"update", "edit", "set", "save", "import_update", "status", "touch"}


def model_of(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


class Formatter:
    """Formats the values of one model's snapshots; related ids become names, fetched in one
    query per related model for all the entries it is given."""

    def __init__(self, model: type[Model] | None, entries: Iterable[AuditEntry]):
        self.model = model
        self.fields = {f.name: f for f in model._meta.concrete_fields} if model else {}
        self.order = {name: i for i, name in enumerate(self.fields)}
        wanted: dict[str, set] = {}
        for entry in entries:
            for snap in (entry.before or {}, entry.after or {}):
                for name, value in snap.items():
                    f = self.fields.get(name)
                    if f is not None and f.is_relation and value not in (None, ""):
                        wanted.setdefault(name, set()).add(value)
        self.names: dict[str, dict] = {}
        for name, ids in wanted.items():
            related = self.fields[name].related_model
            try:
                self.names[name] = {
                    obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)
                }
            except (ValueError, TypeError):
                self.names[name] = {}

    def label(self, name: str) -> str:
        f = self.fields.get(name)
        return capfirst(str(f.verbose_name)) if f is not None else name

    def show(self, name: str, value) -> str:
        """A value as the pages show it."""
        if value is None or value == "":
            return "—"
        f = self.fields.get(name)
        if isinstance(value, dict):
            return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
        if f is None:
            return str(value)
        if f.is_relation:
            return self.names.get(name, {}).get(value, str(value))
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, BooleanField):
            return _("yes") if value else _("no")
        if isinstance(f, MoneyField):
            try:
                return f"{format_money(Decimal(str(value)))} {unit_label()}"
            except InvalidOperation:
                return str(value)
        if isinstance(f, DecimalField):
            try:
                return f"{Decimal(str(value)):,}"
            except InvalidOperation:
                return str(value)
        if isinstance(f, DateTimeField):
            moment = parse_datetime(str(value))
            if moment is not None and timezone.is_aware(moment):
                return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        return str(value)

    def changes(self, entry: AuditEntry) -> list[tuple[str, str, str]]:
        """(label, before, after) of every field the write changed, in the model's order; a
        creation lists only the values it set."""
        created = entry.before is None
        rows = sorted(
            (
                (name, before, after)
                for name, before, after in entry.changes()
                if name not in NOT_SHOWN and not (created and after in (None, "", {}, []))
            ),
            key=lambda change: self.order.get(change[0], len(self.order)),
        )
        return [
            (self.label(name), self.show(name, before), self.show(name, after))
            for name, before, after in rows
        ]


@dataclass
class ReadableEntry:
    entry: AuditEntry
    sentence: str
    actor: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    url: str | None = None
    when: dt.datetime | None = None

    @property
    def seq(self) -> int:
        return self.entry.seq


def actor_of(entry: AuditEntry) -> str:
    if entry.actor is not None:
        return str(entry.actor)
    if entry.actor_name in ("", "system"):
        return str(sentences.SYSTEM)
    return entry.actor_name


def _object_name(entry: AuditEntry, live: Model | None) -> str:
    if live is not None:
        for name in CODE_FIELDS:
            value = getattr(live, name, None)
            if isinstance(value, str) and value:
                return value
        return str(live)
    return entry.object_repr


def sentence_of(entry: AuditEntry, fmt: Formatter, live: Model | None) -> str:
    """The entry as one sentence (see sentences.py for how a sentence is chosen)."""
    model = fmt.model
    values = {
        "actor": actor_of(entry),
        "kind": str(model._meta.verbose_name) if model else entry.object_type,
        "object": _object_name(entry, live),
        "action": entry.action,
    }
    snapshot = {**(entry.before or {}), **(entry.after or {})}
    for name, value in snapshot.items():
        values.setdefault(name, fmt.show(name, value))
    verb = entry.action.rsplit(".", 1)[-1]
    templates = [sentences.BY_ACTION.get(entry.action), sentences.BY_VERB.get(verb)]
    text, used = None, ""
    for template in templates:
        if template is None:
            continue
        try:
            text, used = str(template) % values, str(template)
            break
        except KeyError:  # the entry lacks a field the sentence names: the verb's
            continue
    if text is None:
        text = str(sentences.OTHER) % values
    before = (entry.before or {}).get("status")
    after = (entry.after or {}).get("status")
    said = verb not in STATUS_UNSAID or "%(status)s" in used
    if entry.before is not None and before != after and not said:
        text = str(sentences.STATUS_CHANGE) % {
            "sentence": text,
            "before": fmt.show("status", before),
            "after": fmt.show("status", after),
        }
    return text


def _live_objects(entries: list[AuditEntry]) -> dict[tuple[str, str], Model]:
    """The objects the entries are about that still exist, one query per kind."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if str(entry.object_id).isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    found: dict[tuple[str, str], Model] = {}
    for label, ids in wanted.items():
        model = model_of(label)
        if model is None:
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            found[(label, str(obj.pk))] = obj
    return found


def _url(obj: Model | None) -> str | None:
    if obj is None or not hasattr(obj, "get_absolute_url"):
        return None
    try:
        return obj.get_absolute_url()
    except NoReverseMatch:
        return None


def readable(entries: Iterable[AuditEntry]) -> list[ReadableEntry]:
    """Entries made readable, in the order given (a few queries for the whole page)."""
    entries = list(entries)
    by_type: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.object_type, []).append(entry)
    formatters = {label: Formatter(model_of(label), group) for label, group in by_type.items()}
    live = _live_objects(entries)
    out = []
    for entry in entries:
        fmt = formatters[entry.object_type]
        obj = live.get((entry.object_type, str(entry.object_id)))
        out.append(
            ReadableEntry(
                entry=entry,
                sentence=sentence_of(entry, fmt, obj),
                actor=actor_of(entry),
                changes=fmt.changes(entry),
                url=_url(obj),
                when=timezone.localtime(entry.created_at),
            )
        )
    return out
