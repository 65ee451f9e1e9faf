"""Reading documents: only those on records the caller may see."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from panhuo.core.querying import id_or_missing, ordered
from panhuo.integrity.document_models import Document
from panhuo.integrity.document_registry import TARGETS, DocumentTarget, target_for_model

#: Public sort keys of document lists.
DOCUMENT_ORDERINGS = {
    "uploaded_at": "uploaded_at",
    "title": "title",
    "kind": "kind",
    "size": "size",
    "filename": "filename",
    "version": "revision",
}


def documents_visible_to(user) -> QuerySet[Document]:
    return Document.objects.visible_to(user).select_related("uploaded_by", "target_type")


def get_document_for(user, pk) -> Document:
    """The document if its record is visible to ``user``; Document.DoesNotExist otherwise."""
    return documents_visible_to(user).get(pk=id_or_missing(pk, Document))


def get_target_for(user, key: str, pk) -> Model:
    """A record that may hold documents, if the caller may see it; DoesNotExist otherwise.

    An unknown record type is missing too (Document.DoesNotExist).
    """
    spec = TARGETS.get(key)
    if spec is None:
        raise Document.DoesNotExist
    return spec.visible(user).get(pk=id_or_missing(pk, spec.model))


def _on(target: Model) -> Q:
    spec = target_for_model(type(target))
    if spec is None:
        return Q(pk__in=[])
    return Q(target_type=spec.content_type(), target_id=target.pk)


def documents_for(user, target: Model) -> QuerySet[Document]:
    """Every version of every document on ``target`` (none if the caller may not see it):
    by kind and title, newest version first."""
    return (
        documents_visible_to(user).filter(_on(target)).order_by("kind", "title", "-revision", "-id")
    )


def document_history(user, document: Document) -> QuerySet[Document]:
    """Every version of ``document`` (same record, kind and title), newest first."""
    return (
        documents_visible_to(user)
        .filter(
            target_type_id=document.target_type_id,
            target_id=document.target_id,
            kind=document.kind,
            title=document.title,
        )
        .order_by("-revision")
    )


def document_list(
    user,
    *,
    q: str = "",
    kind: str = "",
    target_type: str = "",
    target_id: int | None = None,
    latest_only: bool = False,
    ordering: str = "-uploaded_at",
) -> QuerySet[Document]:
    qs = documents_visible_to(user)
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(filename__icontains=q) | Q(sha256__istartswith=q.lower())
        )
    if kind:
        qs = qs.filter(kind=kind)
    if target_type:
        spec = TARGETS.get(target_type)
        qs = qs.filter(target_type=spec.content_type()) if spec else qs.none()
    if target_id:
        qs = qs.filter(target_id=target_id)
    if latest_only:
        newer = Document.objects.filter(
            target_type_id=OuterRef("target_type_id"),
            target_id=OuterRef("target_id"),
            kind=OuterRef("kind"),
            title=OuterRef("title"),
            revision__gt=OuterRef("revision"),
        )
        qs = qs.exclude(Exists(newer))
    return ordered(qs, ordering, DOCUMENT_ORDERINGS, "-uploaded_at")


def target_spec(document: Document) -> DocumentTarget | None:
    model = document.target_type.model_class()
    return target_for_model(model) if model else None


def attach_targets(documents) -> list[Document]:
    """Load the records of a page of documents (one query per record type), as ``.record``
    with ``.target_key``, for display. Records are those the list is already scoped to."""
    documents = list(documents)
    by_type: dict[int, set[int]] = {}
    for d in documents:
        by_type.setdefault(d.target_type_id, set()).add(d.target_id)
    loaded: dict[tuple[int, int], Model] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        spec = target_for_model(model) if model else None
        if spec is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            loaded[(ct_id, obj.pk)] = obj
    for d in documents:
        d.record = loaded.get((d.target_type_id, d.target_id))
        spec = target_spec(d)
        d.target_key = spec.key if spec else ""
        d.target_name = spec.name if spec else d.target_type.model
    return documents


def documents_on(targets) -> QuerySet[Document]:
    """Every version of every document on any of ``targets`` (records), unscoped: for a
    caller that has already checked who may see the records (the public notices)."""
    where = Q(pk__in=[])
    for target in targets:
        where |= _on(target)
    return Document.objects.filter(where)


def public_documents(targets) -> list[Document]:
    """The documents marked public on any of ``targets``, by record, kind and title; for the
    public notices that publish these records (anyone may read them there)."""
    return list(
        documents_on(targets)
        .filter(publication__isnull=False)
        .order_by("target_type_id", "target_id", "kind", "title", "-revision")
    )
