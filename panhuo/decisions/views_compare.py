"""The page comparing stored scenario runs side by side (``?run=<id>&run=<id>``): debt.view in
each run's place (one the reader may not see is a 404); fewer than two is said, never a 500."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_safe

from panhuo.core.ui import fetch_or_404, section_required
from panhuo.decisions.compare import SOURCES, compare, gather
from panhuo.decisions.exports import compare_export, export_format


def asked(request) -> dict[str, list[int]]:
    """The ids the query names per kind compared (malformed ones are left out)."""
    out: dict[str, list[int]] = {}
    for kind in SOURCES:
        ids = [int(v) for v in request.GET.getlist(kind) if v.isdigit() and 0 < int(v) < 2**63]
        if ids:
            out[kind] = ids
    return out


def comparison_for(request) -> tuple[dict | None, list[str]]:
    """The comparison the query asks for, or the problems with it."""
    try:
        items = fetch_or_404(lambda user, _pk: gather(user, asked(request)), request.user, 0)
    except ValidationError as exc:
        return None, exc.messages
    return compare(items), []


@require_safe
@section_required("package")
@section_required("debt")
def compare_view(request):
    comparison, problems = comparison_for(request)
    if comparison and (fmt := export_format(request)):
        return compare_export(fmt, comparison)
    context = {"comparison": comparison, "problems": problems}
    return render(request, "decisions/compare.html", context, status=400 if problems else 200)
