"""API: the audit log, and a check of its hash chain."""

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.schemas import ErrorOut
from panhuo.integrity import selectors
from panhuo.integrity.schemas import AuditEntryOut, AuditFilters, VerifyOut
from panhuo.integrity.services import audit_verify

router = Router(tags=["audit"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


@router.get("/audit", response={200: list[AuditEntryOut], **ERRORS})
@paginate(PagePagination)
def audit_list(request: HttpRequest, filters: Query[AuditFilters]):
    """Audit entries in the caller's jurisdictions, newest first by default."""
    require_any(request, "audit", "view")
    return selectors.audit_list(
        actor(request), **filters.dict(exclude={"ordering", "sort"})
    ).order_by(filters.ordering)


@router.get("/audit/verify", response={200: VerifyOut, **ERRORS})
def audit_chain_verify(request: HttpRequest):
    """Walk the whole hash chain; name the first broken entry, if any."""
    require_any(request, "audit", "view")
    result = audit_verify()
    return {
        "ok": result.ok,
        "checked": result.checked,
        "broken_seq": result.broken_seq,
        "reason": result.reason,
    }
