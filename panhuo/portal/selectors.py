"""What the public reads: current notices (with the search's filters), announcements, the
places that have notices. Nothing here reads a record other than the portal's own tables, so
that only what a notice published can reach a page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from panhuo.auctions.selectors import lot_for_round, public_lot_state
from panhuo.core import workdays
from panhuo.core.querying import ordered
from panhuo.disposal.models import ListingRound
from panhuo.integrity.document_selectors import documents_on, public_documents
from panhuo.organisation.models import Jurisdiction
from panhuo.portal.models import Announcement, Notice, NoticeKind, NoticeState

#: The status filter's choices (see ``notices``).
STATUSES = ("open", "ended", "result", "withdrawn")


@dataclass(frozen=True)
class NoticeFilters:
    q: str = ""
    place: int | None = None
    kind: str = ""
    status: str = ""
    price_min: Decimal | None = None
    price_max: Decimal | None = None


def notices(f: NoticeFilters, *, today: dt.date | None = None) -> QuerySet[Notice]:
    """Current notices matching the filters, the newest first. Status: ``open`` listings whose
    disclosure runs, ``ended`` listings whose disclosure is over, ``result`` notices and
    ``withdrawn`` listings. A place includes the places below it."""
    today = today or timezone.localdate()
    rows = Notice.objects.filter(current=True).select_related("jurisdiction")
    if f.q:
        rows = rows.filter(Q(title__icontains=f.q) | Q(code__iexact=f.q))
    if f.place:
        rows = rows.filter(jurisdiction__path__startswith=_path_of(f.place))
    if f.kind:
        rows = rows.filter(kinds__contains=f",{f.kind},")
    if f.price_min is not None:
        rows = rows.filter(price__gte=f.price_min)
    if f.price_max is not None:
        rows = rows.filter(price__lte=f.price_max)
    listing = Q(kind=NoticeKind.LISTING, state=NoticeState.PUBLISHED)
    rows = rows.filter(
        {
            "open": listing & Q(ends_on__gte=today),
            "ended": listing & Q(ends_on__lt=today),
            "result": Q(kind=NoticeKind.RESULT),
            "withdrawn": Q(state=NoticeState.WITHDRAWN),
        }.get(f.status, Q())
    )
    return rows.order_by("-published_at", "-pk")


#: The public list's sorts (``core.lists``): its ``sort`` names and their columns.
NOTICE_ORDERINGS = {
    "published": "published_at", "price": "price", "ends": "ends_on", "title": "title",
    "code": "code",
}  # fmt: skip
NOTICE_SORT = "-published"


def notice_rows(
    _reader=None, *, q: str = "", place: int | None = None, kind: str = "", status: str = "",
    price_min: Decimal | None = None, price_max: Decimal | None = None,
    ordering: str = NOTICE_SORT,
) -> QuerySet[Notice]:  # fmt: skip
    """The public list's rows (``portal.views.NoticeList``, the one list component): the same
    for every reader, signed in or not (everything here is published), sorted by one of
    ``NOTICE_ORDERINGS`` with the primary key breaking ties."""
    filters = NoticeFilters(q=q, place=place, kind=kind, status=status, price_min=price_min,
                            price_max=price_max)  # fmt: skip
    return ordered(notices(filters), ordering, NOTICE_ORDERINGS, NOTICE_SORT)


def _path_of(place: int) -> str:
    path = Jurisdiction.objects.filter(pk=place).values_list("path", flat=True).first()
    return path or "/-/"


def places() -> list[Jurisdiction]:
    """The places with a current notice, and the places above them (for the place filter)."""
    paths = set(
        Notice.objects.filter(current=True).values_list("jurisdiction__path", flat=True).distinct()
    )
    wanted = {p for path in paths for p in workdays.ancestor_paths(path)}
    return list(Jurisdiction.objects.filter(path__in=wanted).order_by("path"))


def notice(code: str) -> Notice:
    if "\x00" in code:  # names nothing, and PostgreSQL cannot even compare it
        raise Http404
    found = Notice.objects.filter(code=code, current=True).select_related("jurisdiction").first()
    if found is None:
        raise Http404
    return found


def revisions(found: Notice) -> list[Notice]:
    """Every revision of a notice, the first first (what changed, when, and why)."""
    return list(
        Notice.objects.filter(code=found.code)
        .order_by("revision")
        .only("code", "revision", "reason", "published_at", "state")
    )


def other_notices(found: Notice) -> list[Notice]:
    """The project's other current notice (a result's listing, a listing's result)."""
    return list(
        Notice.objects.filter(project_id=found.project_id, current=True)
        .exclude(pk=found.pk)
        .only("code", "kind", "title")
    )


def working_days_left(found: Notice, *, today: dt.date | None = None) -> int:
    """Working days from today to the end of the notice's period, by its place's calendar
    (0 once it has ended; the last day counts)."""
    today = today or timezone.localdate()
    if found.ends_on < today:
        return 0
    return workdays.working_days_between(
        today - dt.timedelta(days=1), found.ends_on, jurisdiction=found.jurisdiction.path
    )


def announcements() -> QuerySet[Announcement]:
    return Announcement.objects.select_related("jurisdiction").order_by("-published_on", "-pk")


def announcement(pk: int) -> Announcement:
    found = announcements().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def documents_of(project) -> list:
    """Every document on ``project``, its package and its assets (the latest version of each),
    for the office choosing which of them the notice shows."""
    assets = [item.asset for item in project.package.items.select_related("asset")]
    latest: dict[tuple, Any] = {}
    rows = documents_on([project, project.package, *assets]).select_related("publication")
    for d in rows.order_by("target_type_id", "target_id", "kind", "title", "-revision"):
        latest.setdefault((d.target_type_id, d.target_id, d.kind, d.title), d)
    return list(latest.values())


def public_documents_of(project) -> list[dict]:
    """The documents marked public on ``project``, its package and its assets, as published
    (integrity keeps the mark: ``DocumentPublication``)."""
    assets = [item.asset for item in project.package.items.select_related("asset")]
    return [
        {"id": d.pk, "title": d.title, "kind": d.kind, "filename": d.filename, "size": d.size,
         "content_type": d.content_type}
        for d in public_documents([project, project.package, *assets])
    ]  # fmt: skip


def live_auction(found: Notice) -> dict | None:
    """Where the online auction of a listing notice's round stands now (the auctions app's
    public state of its lot: status, price, end by the server's clock), or None when the round
    is not offered as a lot. Live, so not part of the notice's snapshot."""
    round_number = found.data.get("round")
    if found.kind != NoticeKind.LISTING or not round_number:
        return None
    offered = ListingRound.objects.filter(project_id=found.project_id, number=round_number).first()
    lot = lot_for_round(offered) if offered is not None else None
    if lot is None:
        return None
    state = public_lot_state(lot)
    keep = ("status_label", "price", "minimum_bid", "end_at", "extensions", "accepting_bids")
    return {**{k: state[k] for k in keep}, "url": lot.get_absolute_url()}
