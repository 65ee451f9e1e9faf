"""The published set: exactly the fields a public notice shows, defined here once.

Nothing else about a project, its package, assets, units or money leaves the portal: the pages,
both feeds and the JSON of a notice read only ``Notice.data`` (built here) and the columns
copied from it. A test crawls every public page as an anonymous visitor and finds none of the
records' other values (internal notes, book values, contacts, encumbrance amounts, buyers).

Listing notice (``LISTING``) — what a buyer needs to decide whether to bid:
    title, place (zh, en), channel, sellers (the holding units' names), round, platform,
    listed_on, disclosure_ends, appraisal (the package's latest appraisal, or none), reserve
    (the starting price), increment, deposit, buyer_conditions, priority_holders (holders of a
    priority purchase right), viewing (viewing arrangements), assets (each: name, kind,
    address, area, title status, title certificate number, the kinds of its encumbrances and
    until when), documents (those marked public: title, kind, file name, size, type).
Result notice (``RESULT``) — what Order 32 art. 29 asks a result to show for its period:
    title, place, channel, sellers, appraisal, reserve, deal_price, deal_on, bidders (how
    many qualified bidders), published_on, notice_ends, assets (name, kind, address).

The office completes a listing's terms (increment, deposit, viewing, priority holders) as a
correction (``TERMS``), which republishes the notice; each revision is audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from panhuo.disposal.models import DisposalProject, ListingRound
from panhuo.pricing.selectors import package_appraisal

ASSET_FIELDS = (
    "name", "kind", "address", "area", "title_complete", "certificate_number", "encumbrances",
)  # fmt: skip
RESULT_ASSET_FIELDS = ("name", "kind", "address")
DOCUMENT_FIELDS = ("id", "title", "kind", "filename", "size", "content_type")
#: The listing terms the office sets on the notice itself (no record holds them).
TERMS = ("increment", "deposit", "priority_holders", "viewing")
LISTING = (
    "title", "place", "place_en", "channel", "sellers", "round", "platform", "listed_on",
    "disclosure_ends", "appraisal", "reserve", *TERMS, "buyer_conditions", "assets",
    "documents",
)  # fmt: skip
RESULT = (
    "title", "place", "place_en", "channel", "sellers", "appraisal", "reserve", "deal_price",
    "deal_on", "bidders", "published_on", "notice_ends", "assets",
)  # fmt: skip
FIELDS = {"listing": LISTING, "result": RESULT}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def _day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _assets(project: DisposalProject) -> list:
    return [
        item.asset
        for item in project.package.items.select_related("asset__unit")
        .prefetch_related("asset__encumbrances")
        .order_by("asset__code")
    ]


def _asset(asset) -> dict[str, Any]:
    return {
        "name": asset.name,
        "kind": asset.kind,
        "address": asset.address,
        "area": None if asset.area is None else str(asset.area),
        "title_complete": asset.title_complete,
        "certificate_number": asset.certificate_number,
        "encumbrances": [
            {"kind": e.kind, "until": _day(e.until)} for e in asset.encumbrances.all()
        ],
    }


def _common(project: DisposalProject, assets: list) -> dict[str, Any]:
    place = project.package.jurisdiction
    return {
        "title": project.package.name,
        "place": place.name,
        "place_en": place.name_en or place.name,
        "channel": project.channel,
        "sellers": sorted({a.unit.name for a in assets}),
        "appraisal": _money(package_appraisal(project.package).total),
    }


def _round(project: DisposalProject) -> ListingRound | None:
    return project.rounds.order_by("-number").first()


def listing(project: DisposalProject, terms: dict[str, Any], documents: list[dict]) -> dict:
    """The listing notice of ``project`` as it stands (its latest round), with ``terms``."""
    assets = _assets(project)
    current = _round(project)
    data = {
        **_common(project, assets),
        "round": current.number if current else None,
        "platform": current.platform if current else "",
        "listed_on": _day(current.listed_on if current else None),
        "disclosure_ends": _day(current.disclosure_ends if current else project.due_on),
        "reserve": _money(current.reserve if current else project.reserve_price),
        **{name: terms.get(name) for name in TERMS},
        "buyer_conditions": current.buyer_conditions if current else "",
        "assets": [_asset(a) for a in assets],
        "documents": [{k: d[k] for k in DOCUMENT_FIELDS} for d in documents],
    }
    return _exactly(data, LISTING)


def result(project: DisposalProject, notice_ends: dt.date) -> dict:
    """The result notice of ``project``: appraisal, reserve and deal price, for its period."""
    assets = _assets(project)
    sold = project.rounds.filter(result=ListingRound.Result.SOLD).order_by("-number").first()
    data = {
        **_common(project, assets),
        "reserve": _money(sold.reserve if sold else project.reserve_price),
        "deal_price": _money(project.deal_price),
        "deal_on": _day(sold.ended_on if sold else None),
        "bidders": sold.bidders if sold else None,
        "published_on": _day(project.result_published_on),
        "notice_ends": _day(notice_ends),
        "assets": [{k: _asset(a)[k] for k in RESULT_ASSET_FIELDS} for a in assets],
    }
    return _exactly(data, RESULT)


def _exactly(data: dict, fields: tuple[str, ...]) -> dict:
    """``data`` holding exactly ``fields``, in their order (a field more or less is a bug)."""
    if set(data) != set(fields):
        raise AssertionError(f"published fields differ: {sorted(set(data) ^ set(fields))}")
    return {name: data[name] for name in fields}


def kinds_of(data: dict) -> str:
    return "," + ",".join(sorted({a["kind"] for a in data["assets"]})) + ","
