"""The names of the records a flag is about and links to, rendered when the flag is read, in the
reader's language.

A flag keeps its records by model label and id (``subject_type``/``subject_id``, and each link's
``type``/``id``, with the record's ``code`` when it has one): a record's name may be worded in
the language of the process that ran the rule ("Lot DP000100 round 1" for an English worker,
"第 1 轮标的 DP000100" for a Chinese reader) and some names change with the record (a project's
status). The label stored beside them (written in the site's language) is only the fallback for
a record since removed, and what the list searches and sorts.

The flags one query fetched share one :class:`Labels` (``FlagQuerySet``): the first label read
loads every record those flags name, a query per model, once per language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.db.models.query import ModelIterable
from django.utils import translation

#: What a record's name reads beyond its own row (loaded with it, not one query per record).
RELATED: dict[str, tuple[str, ...]] = {
    "auctions.lot": ("round__project",),
    "auctions.lotregistration": ("lot__round__project", "bidder"),
}
#: Flags whose labels are loaded together when a query is iterated in chunks (an export).
CHUNK = 500


class Ref(NamedTuple):
    """A record behind a hit, named by its model label and id and not loaded: a rule gives
    these for the records it does not read, and the engine loads them only for the flags it
    writes (new, or their figures changed), a query per model for all of them."""

    label: str
    pk: int | str
    #: An asset's holding unit (``hits.unit_of``), when the rule read it.
    unit_id: int | None = None


def stored_links(batches: list[list]) -> list[list[dict]]:
    """Each list of records (model instances or :class:`Ref`) as a flag keeps them, the refs
    loaded together; a ref to a record no longer there is kept by type and id."""
    wanted: dict[str, set] = defaultdict(set)
    for records in batches:
        for r in records:
            if isinstance(r, Ref):
                wanted[r.label].add(str(r.pk))
    loaded = {}
    for label, ids in wanted.items():
        for obj in _records(label, ids):
            loaded[(label, str(obj.pk))] = obj
    with translation.override(settings.LANGUAGE_CODE):
        return [[_stored(r, loaded) for r in records] for records in batches]


def _stored(r, loaded: dict) -> dict:
    if not isinstance(r, Ref):
        return stored_link(r)
    obj = loaded.get((r.label, str(r.pk)))
    if obj is None:
        return {"type": r.label, "id": str(r.pk), "label": "", "url": ""}
    return stored_link(obj)


def stored_link(obj: Model) -> dict:
    """How a flag keeps a record: its model label and id, its code when it has one, its page
    and, for a record later removed, its name in the site's language."""
    link = {"type": obj._meta.label_lower, "id": str(obj.pk), "label": site_label(obj),
            "url": record_url(obj)}  # fmt: skip
    code = getattr(obj, "code", None)
    if isinstance(code, str) and code:
        link["code"] = code
    return link


def record_url(obj: Model) -> str:
    """``obj``'s page ("" for a record with no page: it is named, not linked)."""
    if not hasattr(obj, "get_absolute_url"):
        return ""
    try:
        return obj.get_absolute_url()
    except Exception:
        return ""


def site_label(obj: Model) -> str:
    """``obj``'s name in the site's language, whichever language the caller runs in."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(obj)[:200]


class Labels:
    """The names of the records a batch of flags names, in the language each is read in."""

    def __init__(self, flags: Iterable) -> None:
        self.flags = list(flags)
        self.names: dict[str, dict[tuple[str, str], str]] = {}

    def name(self, label: str, pk: str) -> str | None:
        lang = translation.get_language() or settings.LANGUAGE_CODE
        if lang not in self.names:
            self.names[lang] = self._load()
        return self.names[lang].get((label, str(pk)))

    def _load(self) -> dict[tuple[str, str], str]:
        wanted: dict[str, set[str]] = defaultdict(set)
        for f in self.flags:
            wanted[f.subject_type].add(str(f.subject_id))
            for link in f.links or ():
                if link.get("type") and link.get("id") is not None:
                    wanted[link["type"]].add(str(link["id"]))
        names = {}
        for label, ids in wanted.items():
            for obj in _records(label, ids):
                names[(label, str(obj.pk))] = str(obj)[:200]
        return names


def _records(label: str, ids: set[str]) -> Iterator[Model]:
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):  # a model since removed: the stored names stand
        return
    pks = []
    for i in ids:
        try:
            pks.append(model._meta.pk.to_python(i))
        except ValidationError:
            continue
    qs = model._base_manager.all()
    if label in RELATED:
        qs = qs.select_related(*RELATED[label])
    for start in range(0, len(pks), CHUNK):
        yield from qs.filter(pk__in=pks[start : start + CHUNK])


def fallback(link: dict) -> str:
    """A removed record's name: the one stored, else its code, else its type and id."""
    if link.get("label"):
        return link["label"]
    if link.get("code"):
        return link["code"]
    try:
        kind = str(apps.get_model(link["type"])._meta.verbose_name)
    except (LookupError, ValueError, KeyError):
        kind = link.get("type", "")
    return f"{kind} #{link.get('id', '')}"


class FlagIterable(ModelIterable):
    """The flags a query yields, sharing one :class:`Labels` per chunk of them."""

    def __iter__(self) -> Iterator:
        chunk: list = []
        for flag in super().__iter__():
            chunk.append(flag)
            if len(chunk) >= CHUNK:
                yield from _shared(chunk)
                chunk = []
        yield from _shared(chunk)


def _shared(flags: list) -> list:
    labels = Labels(flags)
    for f in flags:
        f._labels = labels
    return flags
