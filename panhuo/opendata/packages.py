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
from panhuo.portal.models import Notice

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


def cursor_for(pk: int) -> str:
    return _fernet().encrypt(str(pk).encode()).decode()


def position(cursor: str) -> int:
    """Where a cursor points (0 for none: the beginning)."""
    if not cursor:
        return 0
    try:
        text = _fernet().decrypt(cursor.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise BadCursor(cursor) from exc
    if not text.isdigit():
        raise BadCursor(cursor)
    return int(text)


def feed_page(cursor: str, uri: str, base: str, path: str) -> dict[str, Any]:
    """One page of the change feed: the releases published after ``cursor``, oldest first, and
    ``links.next`` (``path`` with the cursor to ask with next; the same while nothing is new,
    so a client polls it for what is new). A page
    with releases is a valid release package; an empty page means "nothing new yet"."""
    start = position(cursor)
    rows = selectors.after(start, settings.PANHUO["OCDS_FEED_PAGE"])
    last = rows[-1].pk if rows else start
    newest = max((n.published_at for n in rows), default=timezone.now())
    page = {**_meta(uri, base, newest), "releases": [releases.release(n, base) for n in rows]}
    next_url = base + path + "?cursor=" + cursor_for(last)
    return {**page, "links": {"next": next_url}}


def year_file(year: int, uri: str, base: str) -> Iterator[str] | None:
    """The releases published in ``year`` as one release package, streamed piece by piece (a
    year of a large place does not have to fit in memory); None when the year has none."""
    rows = selectors.of_year(year)
    newest = selectors.last_change(rows)
    if newest is None:
        return None
    head = json.dumps(_meta(uri, base, newest), ensure_ascii=False)[:-1]

    def pieces() -> Iterator[str]:
        yield head + ', "releases": ['
        for i, notice in enumerate(rows.iterator(chunk_size=500)):
            text = json.dumps(releases.release(notice, base), ensure_ascii=False)
            yield ("," if i else "") + text
        yield "]}"

    return pieces()
