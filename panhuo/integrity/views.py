"""The audit log page and the chain check."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import section_required
from panhuo.integrity.checkpoints import describe, verify_checkpoints
from panhuo.integrity.forms import AuditFilterForm
from panhuo.integrity.selectors import AUDIT_ORDERINGS, audit_entries_visible_to, audit_list
from panhuo.integrity.services import audit_verify
from panhuo.integrity.signing import SigningError


def object_urls(entries) -> None:
    """Set each entry's ``url`` to its object's page where the object's model has one and the
    object still exists (one query per kind of object on the page)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        entry.url = None
        if str(entry.object_id).isdigit():
            wanted.setdefault(entry.object_type, set()).add(int(entry.object_id))
    urls: dict[tuple[str, str], str] = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        if not hasattr(model, "get_absolute_url"):
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            try:
                urls[(label, str(obj.pk))] = obj.get_absolute_url()
            except NoReverseMatch:
                continue
    for entry in entries:
        entry.url = urls.get((entry.object_type, str(entry.object_id)))


def _changes(entry) -> str:
    return "; ".join(f"{name}: {before} → {after}" for name, before, after in entry.changes())


class AuditList(ObjectList):
    target, resource, filter_form = "audit", "audit", AuditFilterForm
    rows, orderings, default_sort = audit_list, AUDIT_ORDERINGS, "-seq"
    columns = [
        Column("seq", "#", numeric=True),
        Column("created_at", _l("When")),
        Column("actor", _l("User"), "actor_name"),
        Column("action", _l("Action")),
        Column("object_type", _l("Object type"), show=False),
        Column("object_id", _l("Object id"), show=False),
        Column("object", _l("Object"), "object_repr"),
        Column("changes", _l("Changes"), _changes),
    ]

    def form(self):
        choices = audit_entries_visible_to(self.user).order_by()
        return AuditFilterForm(
            self.request.GET or None,
            actions=choices.values_list("action", flat=True).distinct().order_by("action"),
            object_types=choices.values_list("object_type", flat=True)
            .distinct()
            .order_by("object_type"),
        )

    def decorate(self, rows):
        rows = list(rows)
        object_urls(rows)
        return rows


audit_list_view = AuditList.as_view()


@require_POST
@section_required("audit")
def audit_verify_view(request):
    """Walk the whole chain and say whether it is intact, naming the first broken entry."""
    result = audit_verify()
    try:
        good, lines = describe(verify_checkpoints())
    except SigningError as exc:
        good, lines = False, [str(exc)]
    if result.ok:
        text = _("The audit chain is intact: %(n)s entries checked.") % {"n": f"{result.checked:,}"}
    else:
        text = _("The audit chain is broken at entry #%(seq)s: %(reason)s") % {
            "seq": result.broken_seq,
            "reason": result.reason,
        }
    text = " ".join([text, *lines])
    (messages.success if result.ok and good else messages.error)(request, text)
    return redirect("audit-list")
