"""The one place that decides who may do what, where.

A permission is a role (from the table below) held over a scope that covers the object:
a jurisdiction assignment covers everything in that jurisdiction and below it; a unit asset
officer's assignment covers only that unit's records. Querysets are scoped with
:func:`scope_q`; single objects are checked with :func:`allowed`. Callers that fetch objects
use the ``get_*_for`` helpers of each app, which answer "missing" for what the caller may not
see, so that denied and absent look alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from panhuo.organisation import memo
from panhuo.organisation.models import Jurisdiction, Role, RoleAssignment, User

_ASSIGNMENTS = RoleAssignment._meta.db_table
_JURISDICTIONS = Jurisdiction._meta.db_table

H, D, O, U, F, A, S, SA = (  # noqa: E741 (one letter per role keeps the table readable)
    Role.HEAD,
    Role.DEPUTY,
    Role.OFFICE,
    Role.UNIT_OFFICER,
    Role.FINANCE,
    Role.AUDITOR,
    Role.SUPERVISOR,
    Role.SITE_ADMIN,
)
#: Roles that read everything in their jurisdiction.
READERS = frozenset({H, D, O, F, A, S})

#: (resource, action) → roles that may take it. Scope is checked separately.
RULES: dict[tuple[str, str], frozenset[Role]] = {
    ("asset", "view"): READERS | {U},
    ("asset", "create"): frozenset({O, U}),
    ("asset", "edit"): frozenset({O, U}),
    ("package", "view"): READERS | {U},
    ("package", "create"): frozenset({O}),
    ("package", "edit"): frozenset({O}),
    ("project", "view"): READERS | {U},
    ("project", "create"): frozenset({O, U}),
    ("receipt", "view"): READERS,
    ("receipt", "create"): frozenset({F}),
    ("debt", "view"): READERS,
    ("debt", "create"): frozenset({F}),
    ("debt", "edit"): frozenset({F}),
    ("allocation", "view"): READERS,
    ("allocation", "create"): frozenset({F}),
    # Bidders' deposits (finance/deposits.py): finance receives, refunds and applies them to the
    # winner's price; forfeiting one (the bidder broke the rules) is the head's or a deputy's.
    ("deposit", "view"): READERS,
    ("deposit", "receive"): frozenset({F}),
    # A deposit a registered bidder declared paid is confirmed by finance (it is then held).
    ("deposit", "confirm"): frozenset({F}),
    ("deposit", "refund"): frozenset({F}),
    ("deposit", "apply"): frozenset({F}),
    ("deposit", "forfeit"): frozenset({H, D}),
    # A deposit settled as a sale's rules say when the office records an award's signing or
    # default (auctions' award queue): the winner's applied, the defaulter's forfeited, the
    # others refunded (finance/deposits/settle.py).
    ("deposit", "settle"): frozenset({O, H, D}),
    # Auction lots (auctions app): readers follow them; the office sets them up, marks the
    # priority-right holders and awards a closed lot (the deal step is disposal's). Bidders
    # register, bid and match as themselves (auctions.services checks who they are).
    ("lot", "view"): READERS | {U},
    ("lot", "create"): frozenset({O}),
    ("lot", "award"): frozenset({O}),
    # A sealed-bid lot is opened by two different officers of the office (auctions/sealed.py).
    ("lot", "open"): frozenset({O}),
    ("audit", "view"): frozenset({H, D, A, S}),
    ("scope", "view"): READERS,
    ("scope", "rules"): frozenset({H, D, O}),
    ("scope", "decide"): frozenset({H, D}),
    ("organisation", "view"): READERS | {U, SA},
    # The site administrator (and only they) keeps the organisation: jurisdictions, holding
    # units, users and their roles (organisation/admin_services.py). They are no reader: assets,
    # money and approvals are closed to them.
    ("organisation", "manage"): frozenset({SA}),
    ("user", "view"): frozenset({SA}),
    ("user", "manage"): frozenset({SA}),
    # The working-day calendar (core/calendars.py): everyone reads it; the head and the office
    # load a year's notice and set a jurisdiction's own days.
    ("calendar", "view"): READERS | {U},
    ("calendar", "manage"): frozenset({H, O}),
    # The task force as a record (organisation/taskforce.py): its founding document and its
    # members over time. Its own roles, the finance officer, the auditor and the supervisor
    # read it; the head and the site administrator keep it (a membership starts and ends the
    # matching role assignment).
    ("taskforce", "view"): READERS | {SA},
    ("taskforce", "manage"): frozenset({H, SA}),
}


class NotPermitted(PermissionDenied):
    """Raised by services when the actor's roles or scope do not allow the write."""


#: How a refusal names a resource: one record ("this asset") and all of them ("assets").
#: A resource missing here is named by its key, spaces for underscores.
RESOURCE_NAMES = {
    "asset": (_("this asset"), _("assets")),
    "package": (_("this package"), _("packages")),
    "project": (_("this project"), _("disposal projects")),
    "receipt": (_("this receipt"), _("receipts")),
    "debt": (_("this debt"), _("debts")),
    "allocation": (_("this allocation"), _("allocations")),
    "deposit": (_("this deposit"), _("deposits")),
    "lot": (_("this lot"), _("lots")),
    "audit": (_("this audit log"), _("the audit log")),
    "scope": (_("the scope of this place"), _("the scope")),
    "organisation": (_("this organisation"), _("the organisation")),
    "user": (_("this user"), _("users")),
    "valuation": (_("this valuation"), _("valuations")),
    "pricerules": (_("the price rules of this place"), _("price rules")),
    "avm": (_("this valuation model"), _("the valuation model")),
    "approval": (_("this approval"), _("approvals")),
    "approval_chain": (_("this approval chain"), _("approval chains")),
    "delegation": (_("this delegation"), _("delegations")),
    "document": (_("this document"), _("documents")),
    "revenue": (_("the revenue figures of this place"), _("revenue figures")),
    "revenue_thresholds": (_("the monitor thresholds of this place"), _("monitor thresholds")),
    "calendar": (_("the working-day calendar of this place"), _("the working-day calendar")),
    "taskforce": (_("this task force"), _("task forces")),
}
#: How a refusal names an action ("edit"); a project's transitions are named by their key.
ACTION_NAMES = {
    "view": _("view"),
    "create": _("create"),
    "edit": _("edit"),
    "attach": _("attach documents to"),
    "rules": _("set the rules of"),
    "decide": _("decide on"),
    "set": _("set"),
    "train": _("train"),
    "request": _("request"),
    "withdraw": _("withdraw"),
    "receive": _("receive"),
    "refund": _("refund"),
    "apply": _("apply"),
    "forfeit": _("forfeit"),
    "confirm": _("confirm"),
    "award": _("award"),
    "open": _("open the sealed bids of"),
    "manage": _("manage"),
}


def refusal(resource: str, action: str, *, one: bool = True) -> str:
    """The sentence refusing ``action`` on ``resource`` (one record, or any), in the user's
    language: "You may not set the rules of the scope." (not "You may not rules scopes.")."""
    names = RESOURCE_NAMES.get(resource)
    what = str(names[0 if one else 1]) if names else resource.replace("_", " ")
    verb = ACTION_NAMES.get(action)
    verb = str(verb) if verb is not None else action.replace("_", " ")
    return gettext("You may not %(action)s %(what)s.") % {"action": verb, "what": what}


@dataclass(frozen=True)
class Grant:
    role: Role
    path: str
    jurisdiction_id: int
    unit_id: int | None


def grants(user: User | None) -> list[Grant]:
    """The caller's role assignments, loaded once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_panhuo_grants", None)
    # A token call's user carries the memo's key its request read (organisation/memo.py).
    key = getattr(user, "_panhuo_memo_key", None)
    if cached is None and key is not None:
        cached = memo.get(key, ("grants", user.pk))
    if cached is None:
        # Read on every request: one raw statement, since compiling the ORM's query cost more
        # than running it.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT a.role, j.path, a.jurisdiction_id, a.unit_id FROM {_ASSIGNMENTS} a "  # noqa: S608 (table names from our models)
                f"JOIN {_JURISDICTIONS} j ON j.id = a.jurisdiction_id "
                "WHERE a.user_id = %s AND a.ended_at IS NULL ORDER BY a.role, a.id",
                [user.pk],
            )
            cached = tuple(Grant(Role(r), p, j, u) for r, p, j, u in cursor.fetchall())
        memo.put(key, ("grants", user.pk), cached)
        user._panhuo_grants = cached
    return list(cached)


def roles(user: User | None) -> set[Role]:
    return {g.role for g in grants(user)}


def has_role(user: User | None, *wanted: Role) -> bool:
    return bool(roles(user) & set(wanted))


def _grants_for(user: User | None, resource: str, action: str) -> list[Grant]:
    allowed_roles = RULES.get((resource, action))
    if allowed_roles is None:
        raise KeyError(f"No permission rule for {resource}.{action}")
    return [g for g in grants(user) if g.role in allowed_roles]


def scope_q(
    user: User | None,
    resource: str,
    action: str,
    *,
    path: str,
    unit: str | None = None,
) -> Q:
    """A filter matching the rows ``user`` may take ``action`` on.

    ``path`` names the lookup of the row's jurisdiction path (e.g. ``unit__jurisdiction__path``)
    and ``unit`` that of its holding unit id, if it has one. No grant means no rows.
    """
    q = Q(pk__in=[])
    for g in _grants_for(user, resource, action):
        if g.role == Role.UNIT_OFFICER:
            if unit is not None:
                q |= Q(**{unit: g.unit_id})
        else:
            q |= Q(**{f"{path}__startswith": g.path})
    return q


def scope_sql(
    user: User | None, resource: str, action: str, *, path: str, unit: str | None = None
) -> tuple[str, list]:
    """:func:`scope_q` as a condition of a hand-written statement, and its parameters: ``path``
    is the SQL column of the row's jurisdiction path, ``unit`` a condition on one holding unit
    id (its one ``%s``), if the row has one. The same rows as ``scope_q`` (``startswith`` as
    the ORM writes it: ``LIKE`` with ``%``, ``_`` and ``\\`` escaped); no grant, no rows."""
    parts, params = [], []
    for g in _grants_for(user, resource, action):
        if g.role == Role.UNIT_OFFICER:
            if unit is not None:
                parts.append(unit)
                params.append(g.unit_id)
        else:
            parts.append(f"{path} LIKE %s ESCAPE '\\'")
            params.append(connection.ops.prep_for_like_query(g.path) + "%")
    return ("(" + " OR ".join(parts) + ")" if parts else "1 = 0"), params


def allowed(
    user: User | None,
    resource: str,
    action: str,
    *,
    jurisdiction: Jurisdiction,
    units: Iterable[int] | None = None,
    roles_subset: Iterable[Role] | None = None,
) -> bool:
    """Whether ``user`` may take ``action`` on a record in ``jurisdiction``.

    ``units`` lists the holding units the record touches: a unit asset officer is covered only
    when every one of them is their own unit (a package mixing units is the task force's).
    ``roles_subset`` narrows the roles further (e.g. a transition open to some roles only).
    """
    unit_ids = set(units or [])
    subset = set(roles_subset) if roles_subset is not None else None
    for g in _grants_for(user, resource, action):
        if subset is not None and g.role not in subset:
            continue
        if g.role == Role.UNIT_OFFICER:
            if unit_ids and unit_ids == {g.unit_id}:
                return True
        elif jurisdiction.path.startswith(g.path):
            return True
    return False


def require(
    user: User | None,
    resource: str,
    action: str,
    *,
    jurisdiction: Jurisdiction,
    units: Iterable[int] | None = None,
) -> None:
    """Raise :class:`NotPermitted` unless :func:`allowed`."""
    if not allowed(user, resource, action, jurisdiction=jurisdiction, units=units):
        raise NotPermitted(refusal(resource, action))


def can_any(user: User | None, resource: str, action: str) -> bool:
    """Whether the user holds any role for the action somewhere (to show or hide a button)."""
    return bool(_grants_for(user, resource, action))


def jurisdictions_for(user: User | None, resource: str, action: str):
    """The jurisdictions where ``user`` may take ``action`` (for form choices)."""
    q = Q(pk__in=[])
    for g in _grants_for(user, resource, action):
        if g.role != Role.UNIT_OFFICER:
            q |= Q(path__startswith=g.path)
        else:
            q |= Q(pk=g.jurisdiction_id)
    return Jurisdiction.objects.filter(q)


def units_for(user: User | None, resource: str, action: str):
    """The holding units where ``user`` may take ``action`` (for form choices)."""
    from panhuo.organisation.models import Unit

    q = Q(pk__in=[])
    for g in _grants_for(user, resource, action):
        if g.role == Role.UNIT_OFFICER:
            q |= Q(pk=g.unit_id)
        else:
            q |= Q(jurisdiction__path__startswith=g.path)
    return Unit.objects.filter(q).select_related("jurisdiction")


@dataclass(frozen=True)
class ViewScope:
    """Which rows of a model a user may view, as a model declares it (``view_scope``): the rows
    under a jurisdiction path (``path``, e.g. ``project__package__jurisdiction__path``) that
    their roles for ``resource`` reach and, for a unit asset officer, the rows of their unit
    (``unit``, the lookup of the row's holding unit, where it has one). ``distinct`` where the
    unit lookup runs through a to-many relation."""

    resource: str
    path: str
    unit: str | None = None
    distinct: bool = False


class ScopedQuerySet(QuerySet):
    """A queryset whose ``visible_to(user)`` keeps the rows its model's ``view_scope`` lets the
    user view."""

    def visible_to(self, user):
        scope: ViewScope = self.model.view_scope
        qs = self.filter(scope_q(user, scope.resource, "view", path=scope.path, unit=scope.unit))
        return qs.distinct() if scope.distinct else qs


class Scoped(models.Model):
    """A model whose rows a user may view as its ``view_scope`` declares: its ``objects``
    answer ``visible_to(user)``."""

    view_scope: ClassVar[ViewScope]

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
