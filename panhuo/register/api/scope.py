"""API: scope — the rules per jurisdiction, the proposal they make, and the recorded decisions.

Scope is read by the readers of a jurisdiction, its rules set by the head, a deputy or the
office, and decided by the head or a deputy (organisation/policy.py).
"""

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, referenced, require_any
from panhuo.core.schemas import ERRORS, Id
from panhuo.organisation import policy
from panhuo.register import scope
from panhuo.register.scope_models import ScopeDecision
from panhuo.register.scope_schemas import (
    JurisdictionQuery,
    ProposalFilters,
    ProposalOut,
    ScopeDecisionDetailOut,
    ScopeDecisionFilters,
    ScopeDecisionIn,
    ScopeDecisionOut,
    ScopeRulesIn,
    ScopeRulesOut,
)
from panhuo.register.selectors import scope_decision_list

router = Router()


# --- Scope ---------------------------------------------------------------------------------------


def _scope_jurisdiction(request: HttpRequest, action: str, pk: int):
    """The jurisdiction named, if the caller may take the scope ``action`` there (else 404)."""
    require_any(request, "scope", action)
    return referenced(
        "jurisdiction",
        "jurisdiction",
        lambda user, i: policy.jurisdictions_for(user, "scope", action).get(pk=i),
        actor(request),
        pk,
    )


def _rules_out(jurisdiction, rules) -> dict:
    return {
        "jurisdiction": jurisdiction.pk,
        "inherited_from": rules.jurisdiction_id if rules.pk else None,
        **rules.as_json(),
        "min_value": rules.min_value,
        "updated_at": rules.updated_at,
    }


@router.get("/scope/proposal", response={200: list[ProposalOut], **ERRORS}, tags=["scope"])
@paginate(PagePagination)
def scope_proposal(request: HttpRequest, filters: Query[ProposalFilters]):
    """Every asset of the jurisdiction (and below) proposed in or out under its rules, with
    the reasons; ``included`` keeps the candidates (true) or the exclusions (false)."""
    jurisdiction = _scope_jurisdiction(request, "view", filters.jurisdiction)
    return scope.proposal_query(actor(request), jurisdiction).pages(filters.included)


@router.get("/scope/rules", response={200: ScopeRulesOut, **ERRORS}, tags=["scope"])
def scope_rules(request: HttpRequest, filters: Query[JurisdictionQuery]):
    """The rules that apply in the jurisdiction: its own, the nearest ancestor's, or the
    defaults (``inherited_from`` says which)."""
    jurisdiction = _scope_jurisdiction(request, "view", filters.jurisdiction)
    return _rules_out(jurisdiction, scope.rules_for(jurisdiction))


@router.put("/scope/rules", response={200: ScopeRulesOut, **ERRORS}, tags=["scope"])
def scope_rules_set(request: HttpRequest, filters: Query[JurisdictionQuery], payload: ScopeRulesIn):
    """Set the jurisdiction's own rules (every field; they then apply below it too)."""
    jurisdiction = _scope_jurisdiction(request, "rules", filters.jurisdiction)
    rules = scope.scope_rules_update(
        actor=actor(request), jurisdiction=jurisdiction, data=payload.dict()
    )
    return _rules_out(jurisdiction, rules)


def _decisions(request: HttpRequest, **filters):
    require_any(request, "scope", "view")
    return (
        scope_decision_list(actor(request), **filters)
        .select_related("jurisdiction", "decided_by")
        .annotate(
            included_count=Count("items", filter=Q(items__included=True)),
            excluded_count=Count("items", filter=Q(items__included=False)),
        )
    )


def _decision_detail(request: HttpRequest, decision_id: int) -> ScopeDecision:
    decision = _decisions(request).get(pk=decision_id)
    decision.items_list = list(
        decision.items.select_related("asset__unit").order_by("-included", "asset__code", "pk")
    )
    return decision


@router.post("/scope/decisions", response={201: ScopeDecisionDetailOut, **ERRORS}, tags=["scope"])
def scope_decision_new(request: HttpRequest, payload: ScopeDecisionIn):
    """Record the task force's scope decision: the rules' candidates, or those of them listed in
    ``include``; the head or a deputy decides."""
    jurisdiction = _scope_jurisdiction(request, "decide", payload.jurisdiction)
    decision = scope.scope_decide(
        actor=actor(request),
        jurisdiction=jurisdiction,
        include=payload.include,
        note=payload.note,
    )
    return Status(201, _decision_detail(request, decision.pk))


@router.get("/scope/decisions", response={200: list[ScopeDecisionOut], **ERRORS}, tags=["scope"])
@paginate(PagePagination)
def scope_decision_index(request: HttpRequest, filters: Query[ScopeDecisionFilters]):
    """Recorded scope decisions in the caller's jurisdictions, newest first."""
    return _decisions(request, **filters.selector_kwargs()).order_by("-decided_at", "-pk")


@router.get(
    "/scope/decisions/{decision_id}",
    response={200: ScopeDecisionDetailOut, **ERRORS},
    tags=["scope"],
)
def scope_decision_detail(request: HttpRequest, decision_id: Id):
    """One decision with every asset it covered, in or out, and why."""
    return _decision_detail(request, decision_id)
