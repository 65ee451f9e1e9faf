"""API of audit findings: list, raise, read, take a step, comment, and the statistics. The
same permissions as the pages; nothing here writes the audited records."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import (
    PagePagination,
    actor,
    referenced_jurisdiction,
    require_any,
    selector_filters,
)
from panhuo.core.api_lists import detail_endpoint
from panhuo.core.schemas import ERRORS, Id
from panhuo.findings.models import FindingStatus
from panhuo.findings.schemas import (
    CountsOut,
    FindingCommentIn,
    FindingDetailOut,
    FindingFilters,
    FindingIn,
    FindingOut,
    FindingStatsOut,
    FindingStepIn,
    StatsQuery,
)
from panhuo.findings.selectors import finding_list, finding_statistics, get_finding_for
from panhuo.findings.services import finding_comment, finding_raise, finding_transition

router = Router(tags=["findings"])


def _detail(user, pk):
    finding = get_finding_for(user, pk)
    finding.events_list = list(finding.events.all())
    return FindingDetailOut(**FindingOut.from_orm(finding).dict(), events=finding.events_list)


@router.get("/findings", response={200: list[FindingOut], **ERRORS})
@paginate(PagePagination)
def finding_index(request: HttpRequest, filters: Query[FindingFilters]):
    """Audit findings the caller may read (head, deputies, auditors, supervisors)."""
    require_any(request, "finding", "view")
    user = actor(request)
    return finding_list(
        user,
        **selector_filters(user, filters, texts=("status", "state", "severity", "record_kind")),
    )


@router.post("/findings", response={201: FindingDetailOut, **ERRORS})
def finding_new(request: HttpRequest, payload: FindingIn):
    """Raise a finding on an asset, package, project, receipt, allocation or debt the auditor
    may see; the record is not changed."""
    require_any(request, "finding", "raise")
    user = actor(request)
    finding = finding_raise(actor=user, **payload.dict())
    return Status(201, _detail(user, finding.pk))


@router.get("/findings/stats", response={200: FindingStatsOut, **ERRORS})
def finding_stats(request: HttpRequest, query: Query[StatsQuery]):
    """The caller's findings counted by holding unit, record kind and severity."""
    require_any(request, "finding", "view")
    user = actor(request)
    place = referenced_jurisdiction(user, query.jurisdiction) if query.jurisdiction else None
    stats = finding_statistics(user, jurisdiction=place)

    def rows(items, field):
        return [
            CountsOut(
                key=r[field],
                total=r["total"],
                open=r["open"],
                by_status={s.value: r[s.value] for s in FindingStatus},
            )
            for r in items
        ]

    return FindingStatsOut(
        total=stats["total"],
        from_flags=stats["from_flags"],
        oldest_open_days=stats["oldest_open_days"],
        by_unit=rows(stats["by_unit"], "unit__name"),
        by_kind=rows(stats["by_kind"], "record_kind"),
        by_severity=rows(stats["by_severity"], "severity"),
    )


detail_endpoint(router, "/findings/{finding_id}", FindingDetailOut, "finding", _detail)


@router.post("/findings/{finding_id}/steps", response={200: FindingDetailOut, **ERRORS})
def finding_step(request: HttpRequest, finding_id: Id, payload: FindingStepIn):
    """Escalate to the supervisor, or resolve as justified, rectified or referred to the
    discipline inspection body, with a comment; refused naming the step and the state."""
    require_any(request, "finding", "view")
    user = actor(request)
    finding = get_finding_for(user, finding_id)
    finding_transition(actor=user, finding=finding, step=payload.step, comment=payload.comment)
    return _detail(user, finding_id)


@router.post("/findings/{finding_id}/comments", response={200: FindingDetailOut, **ERRORS})
def finding_comment_add(request: HttpRequest, finding_id: Id, payload: FindingCommentIn):
    require_any(request, "finding", "view")
    user = actor(request)
    finding_comment(actor=user, finding=get_finding_for(user, finding_id), comment=payload.comment)
    return _detail(user, finding_id)
