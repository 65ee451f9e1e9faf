"""One OCDS release per revision of a public notice, built from exactly what that revision
published (``Notice.data``, ``portal.published``) and nothing else.

A disposal project is one contracting process (its ``ocid``: the configured prefix, the
place's code and the project's code). Its listing notice gives the planning and tender stages
(the first revision ``planning`` + ``tender``, a correction, relisting or extension
``tenderUpdate``, a withdrawal ``tenderCancellation``); its result notice gives the award and
the contract (``award`` + ``contract``). The holding units (the notice's "sellers") are the
procuring entities; the buyer is not named because no notice names it. What OCDS lacks (the
appraisal, the reserve price, the channel, the round, an asset's address) is in Panhuo's
extension (``extension/``). The implementation stage (payments, the debt repaid) is not a
notice's: ``implementation.py``. Releases are in the notice's language, Chinese (``language: zh``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from panhuo.disposal.models import Channel
from panhuo.portal.models import Notice, NoticeKind, NoticeState
from panhuo.register.models import AssetKind

#: OCDS's procurement method of each channel that publishes notices (others have none).
METHODS = {"auction": "open", "exchange": "open", "negotiated": "direct"}
#: The scheme of an item's classification: Panhuo's asset kinds.
KIND_SCHEME = "PANHUO-ASSET-KIND"


def ocid(notice: Notice) -> str:
    """The contracting process of the notice's project: stable, whatever is re-seeded or
    re-published (the codes of a place and a project never change)."""
    return ocid_of(notice.jurisdiction.code, notice.project.code)


def ocid_of(place_code: str, project_code: str) -> str:
    return f"{settings.PANHUO['OCDS_PREFIX']}{place_code}-{project_code}"


def release_id(notice: Notice) -> str:
    return f"{notice.code}-r{notice.revision}"


def amount(text: str | None) -> int | float | None:
    """A published amount ("1234.50") as a JSON number, exactly: whole yuan as an integer of
    any size, cents as a float only when it prints back as the same decimal (a float cannot
    hold every 17-digit amount, and a wrong number must never be released)."""
    if text is None:
        return None
    value = Decimal(text)
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"amount {text} cannot be released exactly as a JSON number")
    return number


def _value(text: str | None) -> dict | None:
    number = amount(text)
    return None if number is None else {"amount": number, "currency": settings.PANHUO["CURRENCY"]}


def _moment(day: str | None, *, end: bool = False) -> str | None:
    """A published day as a timezone-aware date-time in the place's zone: its first second,
    or its last (the end of a period includes that day)."""
    if not day:
        return None
    when = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.max if end else dt.time.min)
    return timezone.make_aware(when.replace(microsecond=0)).isoformat()


def _label(choices, code: str | None) -> str | None:
    """The Chinese label of a code (OCDS data stays in the notice's language)."""
    if not code or code not in choices.values:
        return None
    with translation.override("zh-hans"):
        return str(choices(code).label)


def _party_id(name: str) -> str:
    """A seller's id within the process: the same name gives the same id in every release."""
    return "seller-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def _parties(d: dict) -> list[dict]:
    address = {"region": d["place"]}
    return [
        {"id": _party_id(name), "name": name, "roles": ["procuringEntity"], "address": address}
        for name in d["sellers"]
    ]


def _item(index: int, asset: dict) -> dict:
    item = {
        "id": str(index),
        "description": asset["name"],
        "classification": {"scheme": KIND_SCHEME, "id": asset["kind"],
                           "description": _label(AssetKind, asset["kind"])},
        "address": {"streetAddress": asset["address"]},
    }  # fmt: skip
    if asset.get("area") is not None:
        item["quantity"] = amount(asset["area"])
        item["unit"] = {"name": "平方米"}
    return item


def _document(code: str, base: str, doc: dict) -> dict:
    url = base + reverse("portal-document", args=[code, doc["id"]])
    return {"id": str(doc["id"]), "documentType": doc["kind"], "title": doc["title"],
            "url": url, "format": doc["content_type"]}  # fmt: skip


def _tender(notice: Notice, base: str) -> dict:
    d = notice.data
    listing = notice.kind == NoticeKind.LISTING
    status = "active" if listing else "complete"
    if notice.state == NoticeState.WITHDRAWN:
        status = "cancelled"
    tender = {
        "id": notice.project.code,
        "title": d["title"],
        "status": status,
        "procurementMethod": METHODS.get(d["channel"]),
        "procurementMethodDetails": _label(Channel, d["channel"]),
        "disposalChannel": d["channel"],
        "reservePrice": _value(d["reserve"]),
        "items": [_item(i, a) for i, a in enumerate(d["assets"], start=1)],
    }
    if listing:
        tender |= {
            "listingRound": d["round"],
            "submissionMethodDetails": d["platform"],
            "eligibilityCriteria": d["buyer_conditions"],
            "tenderPeriod": {"startDate": _moment(d["listed_on"]),
                             "endDate": _moment(d["disclosure_ends"], end=True)},
            "documents": [_document(notice.code, base, doc) for doc in d["documents"]],
        }  # fmt: skip
    else:
        tender["numberOfTenderers"] = d["bidders"]
    return tender


def _tags(notice: Notice) -> list[str]:
    if notice.kind == NoticeKind.RESULT:
        return ["award", "contract"]
    if notice.state == NoticeState.WITHDRAWN:
        return ["tenderCancellation"]
    return ["planning", "tender"] if notice.revision == 1 else ["tenderUpdate"]


def _award_and_contract(notice: Notice) -> dict:
    d = notice.data
    value = _value(d["deal_price"])
    award = {"id": notice.code, "title": d["title"], "status": "active",
             "date": _moment(d["deal_on"]), "value": value}  # fmt: skip
    contract = {"id": notice.code, "awardID": notice.code, "title": d["title"],
                "status": "active", "value": value}  # fmt: skip
    return {"awards": [award], "contracts": [contract]}


def release(notice: Notice, base: str) -> dict[str, Any]:
    """The release of one notice revision; ``base`` is the site's address (for the links to
    the notice's documents)."""
    d = notice.data
    data: dict[str, Any] = {
        "ocid": ocid(notice),
        "id": release_id(notice),
        "date": timezone.localtime(notice.published_at).isoformat(),
        "tag": _tags(notice),
        "initiationType": "tender",
        "language": "zh",
        "parties": _parties(d),
        "planning": {"appraisal": _value(d["appraisal"])},
        "tender": _tender(notice, base),
    }
    if notice.kind == NoticeKind.RESULT:
        data |= _award_and_contract(notice)
    return prune(data)


def prune(value: Any) -> Any:
    """Without the empty: OCDS asks publishers to omit a field they have no value for rather
    than publish null, an empty string or an empty list."""
    if isinstance(value, dict):
        kept = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (prune(x) for x in value) if v not in (None, "", [], {})]
    return value
