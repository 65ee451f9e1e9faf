"""The audit log page and the chain check."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panhuo.core.ui import paginate, section_required
from panhuo.integrity.forms import AuditFilterForm
from panhuo.integrity.selectors import audit_entries_visible_to
from panhuo.integrity.services import audit_verify

#: Where an entry's object is shown, by ``object_type``.
OBJECT_PAGES = {
    "register.asset": "asset-detail",
    "disposal.package": "package-detail",
    "disposal.disposalproject": "project-detail",
    "finance.debt": "debt-detail",
    "finance.receipt": "receipt-detail",
    "integrity.document": "document-detail",
}


def _object_url(entry) -> str | None:
    name = OBJECT_PAGES.get(entry.object_type)
    if name is None:
        return None
    try:
        return reverse(name, args=[int(entry.object_id)])
    except (ValueError, NoReverseMatch):
        return None


@section_required("audit")
def audit_list(request):
    visible = audit_entries_visible_to(request.user)
    choices = visible.order_by()
    form = AuditFilterForm(
        request.GET or None,
        actions=choices.values_list("action", flat=True).distinct().order_by("action"),
        object_types=choices.values_list("object_type", flat=True)
        .distinct()
        .order_by("object_type"),
    )
    qs = form.apply(visible) if form.is_bound else visible
    page = paginate(request, qs.order_by("-seq"))
    for entry in page:
        entry.url = _object_url(entry)
    return render(request, "integrity/audit_list.html", {"filter_form": form, "page": page})


@require_POST
@section_required("audit")
def audit_verify_view(request):
    """Walk the whole chain and say whether it is intact, naming the first broken entry."""
    result = audit_verify()
    if result.ok:
        messages.success(
            request,
            _("The audit chain is intact: %(n)s entries checked.") % {"n": f"{result.checked:,}"},
        )
    else:
        messages.error(
            request,
            _("The audit chain is broken at entry #%(seq)s: %(reason)s")
            % {"seq": result.broken_seq, "reason": result.reason},
        )
    return redirect("audit-list")
