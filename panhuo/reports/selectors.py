"""Reads of stored reports, scoped to the reader: the reports of the jurisdictions their roles
for ``report`` reach (their place and those below it); others are missing (404)."""

from __future__ import annotations

from django.db.models import QuerySet

from panhuo.core.querying import id_or_missing, narrowed, ordered
from panhuo.reports.models import GeneratedReport

#: The list's sortable columns (each ascending, or descending with "-").
REPORT_ORDERINGS = {"as_of": "as_of", "kind": "kind", "generated_at": "generated_at"}


def report_list(
    user, *, q: str = "", kind: str = "", year: int | None = None, ordering: str = "-as_of"
) -> QuerySet[GeneratedReport]:
    """The reports ``user`` may read, newest first; the files are left unread (a list needs
    none)."""
    qs = (
        GeneratedReport.objects.visible_to(user)
        .select_related("jurisdiction", "generated_by")
        .defer("xlsx", "pdf", "figures")
    )
    qs = narrowed(
        qs, q=q, search=("title", "number", "period"), kind=kind, as_of__year=year or None
    )
    return ordered(qs, ordering, REPORT_ORDERINGS, "-as_of", tiebreak="-pk")


def get_report_for(user, pk) -> GeneratedReport:
    return (
        GeneratedReport.objects.visible_to(user)
        .select_related("jurisdiction", "project", "generated_by")
        .get(pk=id_or_missing(pk, GeneratedReport))
    )
