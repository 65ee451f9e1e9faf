"""OCDS packages: a disposal's release package and record (with its compiled release), the
change feed's pages behind opaque cursors, and a year's releases as one streamed file.

Every package names the OCDS version, Panhuo's extension (its ``extension.json`` as this site
serves it) and the publisher (settings ``PANHUO['OCDS_PUBLISHER']``); its ``publishedDate`` is
the date of its newest release, so the same data gives the same package on every run."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from ocdsmerge import Merger

from panhuo.opendata import implementation, releases, schema, selectors
from panhuo.portal.models import Notice, NoticeKind

#: How the bulk files write JSON.
JSON = {"ensure_ascii": False}
#: How many pages of ledger rows one request of the feed reads at most while they release
#: nothing yet (rows of a disposal whose result notice or later rows come further on).
FEED_ROUNDS = 20
#: Keys the change feed's cursors (see ``_fernet``).
CURSOR_SALT = "panhuo.opendata.feed"


class BadCursor(ValueError):
    """The ``cursor`` is not one this feed handed out."""


def _meta(uri: str, base: str, newest) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": schema.OCDS_VERSION,
        "extensions": [base + reverse("opendata-extension", args=["extension.json"])],
        "publisher": {"name": settings.PANHUO["OCDS_PUBLISHER"], "uri": base + "/"},
        "publicationPolicy": base + reverse("opendata-index"),
        "publishedDate": timezone.localtime(newest).isoformat(),
    }


def _of_process(rows: list[Notice], base: str):
    """A process's releases: one per notice revision (``rows``, oldest first), then its
    implementation release if anything was paid; and the newest one's date."""
    items = [releases.release(n, base) for n in rows] + implementation.of_rows(rows)
    newest = max(dt.datetime.fromisoformat(r["date"]) for r in items)
    return items, newest


def release_package(rows: list[Notice], uri: str, base: str) -> dict[str, Any]:
    """The releases of ``rows`` (one process's, oldest first) as one release package."""
    items, newest = _of_process(rows, base)
    return {**_meta(uri, base, newest), "releases": items}


@functools.cache
def _merger() -> Merger:
    """OCDS's reference merge, with the merge rules read from the extended schema in this
    app (given as a dict, so nothing is downloaded)."""
    return Merger(schema=schema.release_schema())


def record_package(rows: list[Notice], uri: str, base: str) -> dict[str, Any]:
    """The record of one process: all its releases and the compiled release (its current
    state, merged by the OCDS rules)."""
    items, newest = _of_process(rows, base)
    record = {
        "ocid": items[0]["ocid"],
        "releases": items,
        "compiledRelease": _merger().create_compiled_release(items),
    }
    return {**_meta(uri, base, newest), "records": [record]}


def _fernet() -> Fernet:
    """The cursors' key, derived from the site's secret: a cursor is encrypted, so it shows
    no id, no count and no date, and one this feed did not give out cannot be forged."""
    key = hashlib.sha256(f"{CURSOR_SALT}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


#: Where the feed is: the last notice revision read, and the last payment and allocation of one.
Position = tuple[int, int, int]


def cursor_for(where: Position) -> str:
    return _fernet().encrypt(".".join(map(str, where)).encode()).decode()


def position(cursor: str) -> Position:
    """Where a cursor points ((0, 0, 0) for none: the beginning; a cursor given out before the
    feed carried implementation releases holds a revision alone, and goes on from there and
    from the ledger's beginning)."""
    if not cursor:
        return (0, 0, 0)
    try:
        text = _fernet().decrypt(cursor.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise BadCursor(cursor) from exc
    parts = text.split(".")
    if len(parts) not in (1, 3) or not all(p.isdigit() for p in parts):
        raise BadCursor(cursor)
    notice, receipt, allocation = (*map(int, parts), 0, 0)[:3]
    return notice, receipt, allocation


def _read(where: Position, limit: int, base: str) -> tuple[list[dict], Position]:
    """The releases after ``where`` (a page of notice revisions and of each ledger), and where
    the feed is after them."""
    notice, receipt, allocation = where
    rows = selectors.after(notice, limit)
    notice = rows[-1].pk if rows else notice
    projects, receipt, allocation = implementation.changed_after(receipt, allocation, limit)
    projects |= {n.project_id for n in rows if n.kind == NoticeKind.RESULT}
    items = [releases.release(n, base) for n in rows]
    if projects:
        items += implementation.of_projects(projects, (notice, receipt, allocation))
    return items, (notice, receipt, allocation)


def feed_page(cursor: str, uri: str, base: str, path: str) -> dict[str, Any]:
    """One page of the change feed: the notice revisions published after ``cursor``, oldest
    first, then the current implementation release of each disposal whose result notice or
    whose payments or allocations of them the feed has read in full with this page; and
    ``links.next`` (``path`` with the cursor to ask with next; the same while nothing is new,
    so a client polls it for what is new). A page with releases is a valid release package;
    an empty page means "nothing new yet" (ledger rows that release nothing yet are read on
    until something is, ``FEED_ROUNDS`` pages at most)."""
    where = position(cursor)
    limit = settings.PANHUO["OCDS_FEED_PAGE"]
    for _ in range(FEED_ROUNDS):
        items, after = _read(where, limit, base)
        moved, where = after != where, after
        if items or not moved:
            break
    newest = max((dt.datetime.fromisoformat(r["date"]) for r in items), default=timezone.now())
    page = {**_meta(uri, base, newest), "releases": items}
    next_url = base + path + "?cursor=" + cursor_for(where)
    return {**page, "links": {"next": next_url}}


def years() -> list[int]:
    """The years with a release, newest first (one bulk file each)."""
    found = {when.year for _, when in implementation.dated()}
    return sorted(found | set(selectors.years()), reverse=True)


def year_file(year: int, uri: str, base: str) -> Iterator[str] | None:
    """The releases published in ``year`` as one release package, streamed piece by piece (a
    year of a large place does not have to fit in memory): the notices' revisions, then the
    implementation releases dated in the year (each disposal's current one); None when the year
    has none."""
    rows = selectors.of_year(year)
    paid = [(n, when) for n, when in implementation.dated() if when.year == year]
    found = [selectors.last_change(rows)] + [when for _, when in paid]
    newest = max((when for when in found if when is not None), default=None)
    if newest is None:
        return None
    head = json.dumps(_meta(uri, base, newest), ensure_ascii=False)[:-1]

    def pieces() -> Iterator[str]:
        yield head + ', "releases": ['
        first = True
        for notice in rows.iterator(chunk_size=500):
            yield ("" if first else ",") + json.dumps(releases.release(notice, base), **JSON)
            first = False
        in_order = sorted(paid, key=lambda pair: (pair[1], pair[0].pk))
        for _result, found in implementation.releases_of(n for n, _when in in_order):
            if found:
                yield ("" if first else ",") + json.dumps(found, **JSON)
                first = False
        yield "]}"

    return pieces()
