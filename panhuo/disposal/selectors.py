"""Reads of packages and projects, scoped to the caller, with figures derived from assets."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from panhuo.core.querying import id_or_missing, narrowed, ordered
from panhuo.disposal import deadlines, rollups
from panhuo.disposal.models import Channel, DisposalProject, Package, PackageItem, ProjectStatus
from panhuo.disposal.workflow import reachable, table_for
from panhuo.organisation import policy
from panhuo.pricing.avm import Deal

PACKAGE_ORDERINGS = {
    "code": "code",
    "name": "name",
    "created_at": "created_at",
    "status": "status",
    "book_value": "total_book_value",
    "appraised_value": "total_appraised_value",
    "assets": "asset_count",
}
PROJECT_ORDERINGS = {
    "code": "code",
    "status": "status",
    "channel": "channel",
    "reserve_price": "reserve_price",
    "deal_price": "deal_price",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def with_figures(qs: QuerySet[Package]) -> QuerySet[Package]:
    """Package figures are sums over its assets, never stored."""
    return qs.annotate(
        asset_count=Count("items", distinct=True),
        total_book_value=Sum("items__asset__book_value"),
        total_appraised_value=Sum("items__asset__appraised_value"),
    )


def get_package_for(user, pk) -> Package:
    pk = id_or_missing(pk, Package)
    visible = Package.objects.visible_to(user).filter(pk=pk).values("pk")
    return (
        with_figures(Package.objects.filter(pk__in=visible))
        .select_related("jurisdiction", "created_by")
        .get()
    )


def package_list(
    user, *, q: str = "", status: str = "", channel: str = "", ordering: str = "-created_at"
) -> QuerySet[Package]:
    visible = Package.objects.visible_to(user).values("pk")
    qs = with_figures(Package.objects.filter(pk__in=visible)).select_related("jurisdiction")
    qs = narrowed(qs, q=q, search=("name", "code"), status=status, channel=channel)
    return ordered(qs, ordering, PACKAGE_ORDERINGS, "created_at")


def get_project_for(user, pk) -> DisposalProject:
    pk = id_or_missing(pk, DisposalProject)
    visible = DisposalProject.objects.visible_to(user).filter(pk=pk).values("pk")
    return (
        DisposalProject.objects.filter(pk__in=visible)
        .select_related("package__jurisdiction", "created_by", "submitted_by", "approved_by")
        .get()
    )


def project_list(
    user,
    *,
    q: str = "",
    status: str = "",
    channel: str = "",
    package: int | None = None,
    ordering: str = "-created_at",
):
    visible = DisposalProject.objects.visible_to(user).values("pk")
    qs = DisposalProject.objects.filter(pk__in=visible).select_related("package")
    qs = narrowed(
        qs,
        q=q,
        search=("code", "buyer", "package__name"),
        status=status,
        channel=channel,
        package_id=package,
    )
    return ordered(qs, ordering, PROJECT_ORDERINGS, "created_at")


def project_counts_by_status(user) -> list[dict]:
    """Projects per state that the user may view: from the roll-up (``disposal.rollups``),
    counted from the projects for a unit asset officer."""
    counted = rollups.counts_by_status(user)
    if counted is not None:
        return [r for r in counted if r["n"]]
    visible = DisposalProject.objects.visible_to(user).values("pk")
    return list(
        DisposalProject.objects.filter(pk__in=visible)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    )


# --- deadlines and the board ----------------------------------------------------------------

#: The order of states on the board (each channel shows the ones its table reaches).
STATE_ORDER = [
    ProjectStatus.DRAFT,
    ProjectStatus.SUBMITTED,
    ProjectStatus.APPROVED,
    ProjectStatus.LISTED,
    ProjectStatus.CONCLUDED,
    ProjectStatus.IN_FORCE,
    ProjectStatus.IN_ARREARS,
    ProjectStatus.ENDED,
    ProjectStatus.PAID,
    ProjectStatus.PUBLISHED,
    ProjectStatus.CLOSED,
    ProjectStatus.WITHDRAWN,
]
BOARD_CARDS = 50


def overdue_for(user, *, today: dt.date | None = None, channel: str = "", mine: bool = True):
    """Projects past the time limit of their state, oldest first; a disclosure or result notice
    period is a date to wait for, not a deadline (``deadlines.WAITS``), and never listed here.
    With ``mine`` (the default),
    only those whose next step is one of the caller's roles: each role's own overdue list."""
    today = today or timezone.localdate()
    visible = DisposalProject.objects.visible_to(user).values("pk")
    qs = (
        DisposalProject.objects.filter(pk__in=visible, due_on__lt=today)
        .exclude(status__in=[ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN])
        .select_related("package__jurisdiction")
        .order_by("due_on", "code")
    )
    if channel:
        qs = qs.filter(channel=channel)
    roles = policy.roles(user)
    out = []
    for p in qs:
        if deadlines.is_wait(p.channel, p.status):
            continue  # a period still to wait out, or waited out: not a deadline missed
        steps = _next_steps(p.channel, p.status, roles)
        if steps or not mine:
            p.next_steps = steps
            p.days_overdue = (today - p.due_on).days
            p.deadline = deadlines.deadline_kind(p.channel, p.status) or ""
            out.append(p)
    return out


def _next_steps(channel: str, status: str, roles) -> list:
    """The steps out of ``status`` of a ``channel`` project that ``roles`` take (withdrawing
    is not one), the step that meets its time limit included."""
    met_by = deadlines.MET_BY.get(deadlines.deadline_kind(channel, status) or "")
    return [
        t
        for t in table_for(channel).values()
        if (status in t.sources or t.name == met_by) and t.name != "withdraw" and t.roles & roles
    ]


@functools.lru_cache(maxsize=64)
def _late_states(roles: frozenset) -> dict[str, list[str]]:
    """Channel -> the states whose overdue projects ``overdue_for(mine=True)`` lists for
    ``roles`` (neither closed, withdrawn, nor a period to wait out; a next step theirs)."""
    out: dict[str, list[str]] = {}
    for channel in Channel.values:
        for status in ProjectStatus.values:
            if status in (ProjectStatus.CLOSED, ProjectStatus.WITHDRAWN):
                continue
            if deadlines.is_wait(channel, status) or not _next_steps(channel, status, roles):
                continue
            out.setdefault(channel, []).append(status)
    return out


def overdue_count(user, *, today: dt.date | None = None) -> int:
    """``len(overdue_for(user))`` (the menu's badge, read on every page) as one COUNT: which
    states of which channel are the caller's to clear depends on their roles only, so the
    per-project checks become a filter. A test holds it equal to ``len(overdue_for(...))``.
    A hand-written statement, as ``policy.grants``: compiling the ORM's query (the states'
    alternatives, the view scope's joins) cost more than running it, on every page."""
    late = _late_states(frozenset(policy.roles(user)))
    if not late:
        return 0
    today = today or timezone.localdate()
    scope, scope_params = policy.scope_sql(
        user, "project", "view", path="j.path", unit=_UNIT_HOLDS_ITEM
    )
    states, params = [], [connection.ops.adapt_datefield_value(today)]
    for channel, statuses in late.items():
        states.append(f"(p.channel = %s AND p.status IN ({', '.join(['%s'] * len(statuses))}))")
        params += [channel, *statuses]
    sql = (
        f"SELECT COUNT(*) FROM {_PROJECTS} p JOIN {_PACKAGES} k ON k.id = p.package_id "  # noqa: S608 (our tables)
        f"JOIN {_PLACES} j ON j.id = k.jurisdiction_id "
        f"WHERE p.due_on < %s AND ({' OR '.join(states)}) AND {scope}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *scope_params])
        return cursor.fetchone()[0]


_PROJECTS = DisposalProject._meta.db_table
_PACKAGES = Package._meta.db_table
_PLACES = Package._meta.get_field("jurisdiction").related_model._meta.db_table
_ITEMS = PackageItem._meta.db_table
_ASSETS = PackageItem._meta.get_field("asset").related_model._meta.db_table
#: The view scope's unit part (``package__items__asset__unit``): an item of the project's
#: package is an asset of the unit.
_UNIT_HOLDS_ITEM = (
    f"EXISTS (SELECT 1 FROM {_ITEMS} i JOIN {_ASSETS} a ON a.id = i.asset_id "  # noqa: S608 (our tables)
    "WHERE i.package_id = p.package_id AND a.unit_id = %s)"
)


def board(user, *, channel: str = "", jurisdiction=None, today: dt.date | None = None):
    """Projects by state, one column per state of the channel (all states without one)."""
    today = today or timezone.localdate()
    visible = DisposalProject.objects.visible_to(user).values("pk")
    qs = DisposalProject.objects.filter(pk__in=visible).select_related("package__jurisdiction")
    if channel:
        qs = qs.filter(channel=channel)
    if jurisdiction is not None:
        qs = qs.filter(package__jurisdiction__path__startswith=jurisdiction.path)
    states = reachable(channel) if channel else set(ProjectStatus)
    counts = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    columns = []
    for s in STATE_ORDER:
        if s not in states:
            continue
        cards = list(qs.filter(status=s).order_by(F("due_on").asc(nulls_last=True), "code"))
        for p in cards[:BOARD_CARDS]:
            p.overdue = (
                p.due_on is not None
                and p.due_on < today
                and not deadlines.is_wait(p.channel, p.status)
            )
        columns.append(
            {
                "state": s,
                "label": s.label,
                "count": counts.get(s, 0),
                "projects": cards[:BOARD_CARDS],
            }
        )
    return columns


def sold_deals(*, jurisdiction=None):
    """The concluded or closed sales with a deal price, for pricing's AVM (registered on
    ``pricing.avm.deal_sources`` in DisposalConfig.ready): each deal's project id, the day it
    was concluded (else last changed), its price and its package's assets."""
    projects = DisposalProject.objects.filter(
        status__in=["concluded", "closed"], deal_price__gt=0
    ).prefetch_related("package__items__asset")
    if jurisdiction is not None:
        projects = projects.filter(package__jurisdiction__path__startswith=jurisdiction.path)
    for p in projects.order_by("pk"):
        event = p.events.filter(to_status="concluded").order_by("at").first()
        yield Deal(
            pk=p.pk,
            on=timezone.localdate(event.at if event else p.updated_at),
            price=p.deal_price,
            assets=[item.asset for item in p.package.items.all()],
        )
