"""The audit log page and the chain check."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import section_required
from panhuo.integrity.checkpoints import describe, verify_checkpoints
from panhuo.integrity.forms import AuditFilterForm
from panhuo.integrity.readable import readable
from panhuo.integrity.selectors import AUDIT_ORDERINGS, audit_entries_visible_to, audit_list
from panhuo.integrity.services import audit_verify
from panhuo.integrity.signing import SigningError


def _changes(row) -> str:
    return "; ".join(f"{label}: {before} → {after}" for label, before, after in row.changes)


class AuditList(ObjectList):
    """The audit log as sentences in the reader's language (integrity/readable.py); the export
    carries the sentence beside the raw codes, so a reader can filter either in Excel."""

    target, resource, filter_form = "audit", "audit", AuditFilterForm
    rows, orderings, default_sort = audit_list, AUDIT_ORDERINGS, "-seq"
    columns = [
        Column("seq", "#", "entry.seq", numeric=True),
        Column("created_at", _l("When"), "when"),
        Column("actor", _l("User"), "actor"),
        Column("sentence", _l("What happened"), "sentence"),
        Column("action", _l("Action"), "entry.action", show=False),
        Column("object_type", _l("Object type"), "entry.object_type", show=False),
        Column("object_id", _l("Object id"), "entry.object_id", show=False),
        Column("object", _l("Object"), "entry.object_repr", show=False),
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
        return readable(rows)

    def export_rows(self, qs) -> Iterator[list]:
        """Rows in batches, each made readable with a few queries."""
        columns = self.export_columns()
        batch: list = []
        for entry in qs.iterator(chunk_size=1000):
            batch.append(entry)
            if len(batch) == 1000:
                yield from ([c.cell(row) for c in columns] for row in readable(batch))
                batch = []
        yield from ([c.cell(row) for c in columns] for row in readable(batch))


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
