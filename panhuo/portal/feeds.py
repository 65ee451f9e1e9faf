"""The open feeds of the notices: Atom (Django's syndication framework) and JSON Feed 1.1.

Both carry the current notices, newest first, each with its published fields only (the JSON
feed's ``_panhuo`` extension holds ``Notice.data`` as published; ``portal.published``)."""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from panhuo.portal.models import Notice, NoticeKind
from panhuo.portal.selectors import NoticeFilters, notices

#: How many notices a feed carries (the newest).
FEED_SIZE = 50


def _items() -> list[Notice]:
    return list(notices(NoticeFilters())[:FEED_SIZE])


def _summary(notice: Notice) -> str:
    d = notice.data
    if notice.kind == NoticeKind.RESULT:
        return _("Appraisal %(appraisal)s yuan, reserve %(reserve)s yuan, deal %(deal)s yuan; "
                 "notice until %(ends)s.") % {
            "appraisal": d.get("appraisal") or "—", "reserve": d.get("reserve") or "—",
            "deal": d.get("deal_price") or "—", "ends": d.get("notice_ends") or "—",
        }  # fmt: skip
    return _("Starting price %(reserve)s yuan (appraisal %(appraisal)s yuan); disclosure until "
             "%(ends)s.") % {
        "reserve": d.get("reserve") or "—", "appraisal": d.get("appraisal") or "—",
        "ends": d.get("disclosure_ends") or "—",
    }  # fmt: skip


def _title(notice: Notice) -> str:
    return f"{notice.get_kind_display()}: {notice.title} ({notice.code})"


class NoticeAtomFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Panhuo public notices")

    def subtitle(self):
        return _("Listing and result notices of public asset sales")

    def link(self):
        return reverse("portal-notices")

    def items(self):
        return _items()

    def item_title(self, item: Notice) -> str:
        return _title(item)

    def item_description(self, item: Notice) -> str:
        return _summary(item)

    def item_link(self, item: Notice) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Notice) -> str:
        return f"{item.code}-r{item.revision}"

    def item_pubdate(self, item: Notice) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Notice) -> dt.datetime:
        return item.published_at


atom_feed = require_safe(NoticeAtomFeed())


@require_safe
def json_feed(request):
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    base = request.build_absolute_uri("/")[:-1]
    items = [
        {
            "id": f"{n.code}-r{n.revision}",
            "url": base + n.get_absolute_url(),
            "title": _title(n),
            "content_text": _summary(n),
            "date_published": n.published_at.isoformat(),
            "tags": [n.kind, n.state],
            "_panhuo": {
                "code": n.code,
                "revision": n.revision,
                "kind": n.kind,
                "state": n.state,
                "fields": n.data,
            },
        }
        for n in _items()
    ]
    response = JsonResponse(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": _("Panhuo public notices"),
            "home_page_url": base + reverse("portal-notices"),
            "feed_url": base + reverse("portal-feed-json"),
            "language": request.LANGUAGE_CODE,
            "items": items,
        },
        content_type="application/feed+json",
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, public=True, max_age=60)
    return response
