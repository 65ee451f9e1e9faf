"""What waits for the signed-in person: the dashboard's to-do list and the menu's badges.

Each item counts only what the caller may act on (their own roles, jurisdictions and
uploads), so an item shows for a role only when that role can clear it; every item links to
the list that shows the same rows. The counts are plain queries on indexed columns, read on
every page for the badges: keep each one cheap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from panhuo.approvals.selectors import inbox_count
from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.disposal.models import DisposalProject, ProjectStatus
from panhuo.disposal.selectors import overdue_count
from panhuo.finance.deposits.models import Deposit, DepositStatus
from panhuo.finance.models import Receipt
from panhuo.organisation import policy
from panhuo.register.import_models import ImportRun

#: A failed import stays on the list this long (then it is history, in the imports list).
FAILED_IMPORTS_FOR = dt.timedelta(days=30)
#: Deposits are still being bid for in these states; after them a held one must be settled.
BIDDING = (ProjectStatus.APPROVED, ProjectStatus.LISTED)


@dataclass(frozen=True)
class Todo:
    key: str
    #: The menu entry whose badge counts this item (the base template's ``nav`` keys).
    menu: str
    count: int
    text: str
    href: str


def _href(name: str, **params) -> str:
    return reverse(name) + ("?" + urlencode(params) if params else "")


def _approvals(user) -> int | None:
    if not policy.can_any(user, "approval", "view"):
        return None
    return inbox_count(user)


def _overdue_projects(user) -> int | None:
    if not policy.can_any(user, "project", "view"):
        return None
    return overdue_count(user)


def _count(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _receipts_to_allocate(user) -> int | None:
    """``Receipt.objects.visible_to(user).filter(allocated__lt=F("amount")).count()``; this
    and the counts below are hand-written statements, as ``policy.grants``: compiling the ORM's
    queries cost more than running them, on every page (``test_todo`` holds them equal)."""
    if not policy.can_any(user, "allocation", "create"):
        return None
    scope, params = policy.scope_sql(user, "receipt", "view", path="j.path")
    return _count(
        f"SELECT COUNT(*) FROM {_RECEIPTS} r JOIN {_PROJECTS} p ON p.id = r.project_id "  # noqa: S608 (table names from the models)
        f"JOIN {_PACKAGES} k ON k.id = p.package_id JOIN {_PLACES} j ON j.id = k.jurisdiction_id "
        f"WHERE r.allocated < r.amount AND {scope}",
        params,
    )


def _deposits_to_settle(user) -> int | None:
    """Held deposits of the visible projects no longer being bid for."""
    if not policy.can_any(user, "deposit", "refund"):
        return None
    scope, params = policy.scope_sql(user, "deposit", "view", path="j.path")
    return _count(
        f"SELECT COUNT(*) FROM {_DEPOSITS} d JOIN {_PROJECTS} p ON p.id = d.project_id "  # noqa: S608 (table names from the models)
        f"JOIN {_PACKAGES} k ON k.id = p.package_id JOIN {_PLACES} j ON j.id = k.jurisdiction_id "
        f"WHERE d.status = %s AND p.status NOT IN (%s, %s) AND {scope}",
        [DepositStatus.HELD.value, *(s.value for s in BIDDING), *params],
    )


def _bidders_to_verify(user) -> int | None:
    if not policy.can_any(user, "bidder", "verify"):
        return None
    scope, params = policy.scope_sql(user, "bidder", "view", path="j.path")
    return _count(
        f"SELECT COUNT(*) FROM {_BIDDERS} b JOIN {_PLACES} j ON j.id = b.jurisdiction_id "  # noqa: S608 (table names from the models)
        f"WHERE b.status = %s AND {scope}",
        [BidderStatus.PENDING.value, *params],
    )


def _failed_imports(user) -> int | None:
    if not policy.can_any(user, "asset", "create") and not policy.can_any(user, "debt", "create"):
        return None
    since = connection.ops.adapt_datetimefield_value(timezone.now() - FAILED_IMPORTS_FOR)
    return _count(
        f"SELECT COUNT(*) FROM {_IMPORTS} WHERE owner_id = %s AND status = %s "  # noqa: S608 (table names from the models)
        "AND created_at >= %s",
        [user.pk, ImportRun.Status.FAILED.value, since],
    )


_RECEIPTS = Receipt._meta.db_table
_DEPOSITS = Deposit._meta.db_table
_BIDDERS = Bidder._meta.db_table
_IMPORTS = ImportRun._meta.db_table
_PROJECTS = Receipt._meta.get_field("project").related_model._meta.db_table
_PACKAGES = DisposalProject._meta.get_field("package").related_model._meta.db_table
_PLACES = Bidder._meta.get_field("jurisdiction").related_model._meta.db_table


#: The items, in the order a day's work takes: key, menu entry, counter (None: not this
#: person's business), the sentence (singular, plural), and the list it links to.
ITEMS = [
    ("approvals", "approvals", _approvals,
     ngettext_lazy("%(n)s approval waiting for your decision",
                   "%(n)s approvals waiting for your decision", "n"),
     lambda: _href("approval-inbox")),
    ("overdue_projects", "projects", _overdue_projects,
     ngettext_lazy("%(n)s project past its time limit, next step yours",
                   "%(n)s projects past their time limit, next step yours", "n"),
     lambda: _href("project-overdue")),
    ("receipts_to_allocate", "receipts", _receipts_to_allocate,
     ngettext_lazy("%(n)s receipt not fully allocated to debts",
                   "%(n)s receipts not fully allocated to debts", "n"),
     lambda: _href("receipt-list", unallocated_only="on")),
    ("deposits_to_settle", "receipts", _deposits_to_settle,
     ngettext_lazy("%(n)s deposit still held after bidding closed (refund or apply it)",
                   "%(n)s deposits still held after bidding closed (refund or apply them)", "n"),
     lambda: _href("deposit-list", status=DepositStatus.HELD.value)),
    ("bidders_to_verify", "bidders", _bidders_to_verify,
     ngettext_lazy("%(n)s bidder awaiting verification",
                   "%(n)s bidders awaiting verification", "n"),
     lambda: _href("bidder-list", status=BidderStatus.PENDING.value)),
    ("failed_imports", "imports", _failed_imports,
     ngettext_lazy("%(n)s of your imports failed in the last 30 days",
                   "%(n)s of your imports failed in the last 30 days", "n"),
     lambda: _href("import-run-list", status=ImportRun.Status.FAILED.value)),
]  # fmt: skip


def todo_for(user) -> list[Todo]:
    """The caller's to-do items with something in them."""
    if user is None or not user.is_authenticated:
        return []
    items = []
    for key, menu, counter, sentence, href in ITEMS:
        n = counter(user)
        if n:
            items.append(Todo(key, menu, n, sentence % {"n": n}, href()))
    return items


def badges(items: list[Todo]) -> dict[str, int]:
    """The count to show on each menu entry: the sum of its items."""
    out: dict[str, int] = {}
    for item in items:
        out[item.menu] = out.get(item.menu, 0) + item.count
    return out


def todo_context(request) -> dict:
    """Context processor: ``todo`` (the items) and ``badges`` (per menu entry), computed once
    per request and only when a template reads them."""
    from django.utils.functional import SimpleLazyObject

    user = getattr(request, "user", None)
    items = SimpleLazyObject(lambda: todo_for(user))
    return {"todo": items, "badges": SimpleLazyObject(lambda: badges(list(items)))}
