"""API: who am I, the jurisdictions and units I may see, and my API tokens."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from panhuo.core.api import PagePagination, actor, require_any
from panhuo.core.querying import narrowed
from panhuo.core.schemas import ERRORS, Id
from panhuo.organisation import policy
from panhuo.organisation.auth import session_auth
from panhuo.organisation.models import ApiToken, Role, RoleAssignment
from panhuo.organisation.preferences import user_set_language, user_set_money_unit
from panhuo.organisation.schemas import (
    JURISDICTION_ORDERINGS,
    UNIT_ORDERINGS,
    JurisdictionFilters,
    JurisdictionOut,
    MeOut,
    MePatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UnitFilters,
    UnitOut,
)
from panhuo.organisation.services import api_token_create, api_token_revoke

router = Router(tags=["organisation"])


def _order(qs, orderings: dict[str, str], ordering: str):
    desc = ordering.startswith("-")
    return qs.order_by(("-" if desc else "") + orderings[ordering.lstrip("-")], "pk")


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller and their roles")
def me(request: HttpRequest):
    return _me(actor(request))


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="Change the caller's preferences")
def me_update(request: HttpRequest, payload: MePatch):
    """Set your interface language or the unit the pages show amounts in (each change
    audited). Amounts in the API stay in yuan whatever the unit."""
    user = actor(request)
    if payload.language is not None:
        user_set_language(actor=user, language=payload.language)
    if payload.money_unit is not None:
        user_set_money_unit(actor=user, unit=payload.money_unit)
    return _me(user)


def _me(user):
    assignments = (
        RoleAssignment.objects.current().filter(user=user).select_related("jurisdiction", "unit")
    )
    roles = [
        {
            "role": a.role,
            "label": str(Role(a.role).label),
            "jurisdiction": {"id": a.jurisdiction_id, "name": a.jurisdiction.name},
            "unit": {"id": a.unit_id, "name": a.unit.name} if a.unit_id else None,
        }
        for a in assignments
    ]
    permissions = sorted(
        f"{resource}.{action}"
        for resource, action in policy.RULES
        if policy.can_any(user, resource, action)
    )
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "language": user.language,
        "money_unit": user.money_unit,
        "roles": roles,
        "permissions": permissions,
    }


@router.get("/jurisdictions", response={200: list[JurisdictionOut], **ERRORS})
@paginate(PagePagination)
def jurisdiction_list(request: HttpRequest, filters: Query[JurisdictionFilters]):
    """The jurisdictions the caller may see (their own and those below)."""
    require_any(request, "organisation", "view")
    qs = policy.jurisdictions_for(actor(request), "organisation", "view")
    qs = narrowed(qs, q=filters.q, search=("name", "code"), level=filters.level)
    return _order(qs, JURISDICTION_ORDERINGS, filters.ordering)


@router.get("/units", response={200: list[UnitOut], **ERRORS})
@paginate(PagePagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    """The holding units the caller may see (a unit asset officer: their own unit)."""
    require_any(request, "organisation", "view")
    qs = policy.units_for(actor(request), "organisation", "view")
    qs = narrowed(
        qs,
        q=filters.q,
        search=("name", "code"),
        kind=filters.kind,
        jurisdiction_id=filters.jurisdiction,
    )
    return _order(qs, UNIT_ORDERINGS, filters.ordering)


def _own_tokens(request: HttpRequest):
    return ApiToken.objects.filter(user=actor(request))


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, tags=["tokens"])
@paginate(PagePagination)
def token_list(request: HttpRequest):
    """The caller's own API tokens (never their keys)."""
    return _own_tokens(request).order_by("-created_at", "-pk")


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    auth=[session_auth],
    tags=["tokens"],
)
def token_create(request: HttpRequest, payload: TokenIn):
    """Make an API token for yourself; needs the browser session (a token cannot mint tokens).

    The key is in this answer only: store it now.
    """
    token, key = api_token_create(actor=actor(request), user=actor(request), name=payload.name)
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "key": key,
        },
    )


@router.delete("/tokens/{token_id}", response={204: None, **ERRORS}, tags=["tokens"])
def token_revoke(request: HttpRequest, token_id: Id):
    """Revoke one of your tokens; another user's token answers 404."""
    token = _own_tokens(request).select_related("user").get(pk=token_id)
    api_token_revoke(actor=actor(request), token=token)
    return Status(204, None)
