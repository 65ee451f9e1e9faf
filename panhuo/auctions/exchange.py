"""Lots on an outside exchange (issue 16 item 8): a property-rights exchange or public
resource trading centre runs the bidding of an exchange-channel project, so the office sends
it a listing package and brings its result back.

* :func:`listing_package`: a ZIP of the notice's fields as JSON and as XLSX (openpyxl; text a
  spreadsheet would run as a formula is stored as text) and the documents marked public on the
  project and its assets.
* :func:`result_import`: the exchange's result file (XLSX or CSV; columns rank, name, ID
  number, price — one row a bidder, the winner ranked 1) is checked row by row, every error
  named by row and column in the reader's language; with any error nothing is written. A good
  file becomes a closed lot of the round with the bidders registered as the file names them
  (each must be a verified Panhuo bidder, found by their resident ID or credit code), and the
  lot is awarded exactly as Panhuo's own auction is (``services.lot_award``: the deal, the
  registered buyer, the award queue). Deposits stay with the exchange: there are none here.
  An optional bid history (bidder, amount, time) is checked and stored as the lot's bids
  (``exchange_history``), with the result or not at all.
* The result file may also give, on the winner's row, when the exchange's bidding ended (after
  any extension) and when the winning bid was placed (:data:`TIMES`): the lot's end is then the
  exchange's and the winning bid is on record (a bid row of its own when no history comes), so
  the "late bid won" red flag judges an exchange lot as it judges Panhuo's own.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.auctions.award_models import AwardSource
from panhuo.auctions.exchange_history import (
    HistoryRow,
    append_history,
    moment,
    parse_history,
    shown,
    table_cells,
)
from panhuo.auctions.models import Lot, LotRegistration, LotStatus
from panhuo.auctions.services import lot_award
from panhuo.bidders.models import Bidder, BidderStatus
from panhuo.core.errors import ValidationError
from panhuo.core.ui import _FORMULA_STARTS as FORMULA_STARTS
from panhuo.disposal.models import Channel, DisposalProject, ListingRound, ProjectStatus
from panhuo.integrity.document_files import read_verified
from panhuo.integrity.document_selectors import public_documents
from panhuo.integrity.services import audit_insert, audit_record
from panhuo.organisation import policy

#: The result file's columns: our name → the headers accepted (English or Chinese).
COLUMNS = {
    "rank": ("rank", "顺位", "名次"),
    "name": ("name", "名称", "姓名", "竞买人"),
    "id_number": ("id number", "id_number", "证件号码", "身份证号码", "统一社会信用代码"),
    "price": ("price", "价格", "报价", "成交价"),
}
#: Optional columns, given on the winner's row (rank 1): when the exchange's bidding ended (after
#: any extension) and when the winning bid was placed.
TIMES = {
    "bidding_end": ("bidding end", "bidding_end", "end time", "竞价结束时间", "结束时间"),
    "last_bid_at": ("last bid time", "last_bid_at", "last bid", "最后出价时间", "最后报价时间"),
}
MAX_ROWS = 200
#: An exchange lot's increment: the exchange's own rules applied; here only "a raise".
INCREMENT = Decimal("0.01")


def open_round(project: DisposalProject) -> ListingRound:
    """The exchange-channel project's open round, listed: else a refusal naming why."""
    if project.channel != Channel.EXCHANGE:
        raise ValidationError({"project": [_("Only a project listed on an exchange has this.")]})
    r = project.rounds.filter(result=ListingRound.Result.OPEN).first()
    if project.status != ProjectStatus.LISTED or r is None:
        raise ValidationError({"project": [_("The project has no open listing round.")]})
    return r


def notice_fields(project: DisposalProject, r: ListingRound) -> dict:
    """What the listing notice says, for the exchange."""
    assets = [i.asset for i in project.package.items.select_related("asset")]
    return {
        "project": project.code, "package": project.package.name,
        "jurisdiction": project.jurisdiction.name, "round": r.number, "platform": r.platform,
        "listed_on": r.listed_on.isoformat(), "reserve": str(r.reserve),
        "disclosure_ends": r.disclosure_ends.isoformat() if r.disclosure_ends else "",
        "buyer_conditions": r.buyer_conditions, "conditions_basis": r.conditions_basis,
        "assets": [{"code": a.code, "name": a.name, "kind": a.kind, "address": a.address}
                   for a in assets],
    }  # fmt: skip


def _text_cell(ws, value):
    from openpyxl.cell import WriteOnlyCell

    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"  # stored as text: shown, never run
        return cell
    return text


def _xlsx(fields: dict) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("notice")
    ws.append(["field", "value"])
    for key, value in fields.items():
        if key != "assets":
            ws.append([key, _text_cell(ws, value)])
    assets = wb.create_sheet("assets")
    assets.append(["code", "name", "kind", "address"])
    for a in fields["assets"]:
        assets.append([_text_cell(assets, a[k]) for k in ("code", "name", "kind", "address")])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def listing_package(*, actor, project: DisposalProject) -> tuple[str, bytes]:
    """(file name, ZIP bytes) of the listing package of the project's open round."""
    policy.require(actor, "lot", "award", jurisdiction=project.jurisdiction)
    r = open_round(project)
    fields = notice_fields(project, r)
    assets = [i.asset for i in project.package.items.select_related("asset")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("notice.json", json.dumps(fields, ensure_ascii=False, indent=2))
        z.writestr("notice.xlsx", _xlsx(fields))
        for d in public_documents([project, *assets]):
            data = read_verified(d.storage_path, d.sha256)
            if data is not None:
                # The uploader's file name, never a path inside the archive.
                safe = re.sub(r"[^\w.\-]+", "_", d.filename.replace("\\", "/").split("/")[-1])
                z.writestr(f"documents/{d.pk}-{safe.lstrip('.') or 'file'}", data)
    return f"{project.code}-round{r.number}-listing.zip", buf.getvalue()


def _headers(headers: list[str]) -> dict[str, int]:
    found = {}
    for i, h in enumerate(headers):
        key = " ".join(str(h or "").split()).casefold()
        for name, names in {**COLUMNS, **TIMES}.items():
            if key in names:
                found[name] = i
    missing = [n for n in COLUMNS if n not in found]
    if missing:
        raise ValidationError(
            {"file": [_("The file lacks the column(s): %(cols)s.") % {"cols": ", ".join(missing)}]}
        )
    return found


def _bidder(number: str) -> Bidder | None:
    number = number.strip().upper()
    if not number:
        return None
    return Bidder.objects.filter(status=BidderStatus.VERIFIED).filter(
        **({"credit_code": number} if len(number) == 18 and not number[:17].isdigit()
           else {"id_number": number})
    ).first()  # fmt: skip


@dataclass(frozen=True)
class Timing:
    """The exchange's bidding end and the winning bid's time, as the winner's row gives them
    (``row``: its number); None where not given."""

    row: int = 0
    end: dt.datetime | None = None
    last_bid: dt.datetime | None = None


def parse_result(
    stream: IO[bytes], filename: str, r: ListingRound, window: tuple[dt.datetime, dt.datetime]
) -> tuple[list[tuple[Bidder, Decimal]], Timing]:
    """The ranked rows of the file and the winner's row's times (within ``window``), or a
    ValidationError listing every row's error."""
    errors: list[str] = []
    rows: list[tuple[int, Bidder, Decimal]] = []
    times: list[tuple[int, int, dict]] = []
    for n, cell in table_cells(stream, filename, "file", _headers, MAX_ROWS, errors):
        where = _("Row %(n)s") % {"n": n}
        try:
            rank = int(cell["rank"])
            assert rank >= 1
        except (ValueError, AssertionError):
            errors.append(f"{where}, rank: " + _("give a whole number from 1."))
            continue
        try:
            price = Decimal(cell["price"].replace(",", ""))
            assert price.is_finite() and price > 0 and price == price.quantize(Decimal("0.01"))
        except (InvalidOperation, AssertionError):
            errors.append(f"{where}, price: " + _("give an amount in yuan above zero."))
            continue
        if price < r.reserve:
            errors.append(f"{where}, price: " + _("below the reserve of %(r)s yuan.")
                          % {"r": r.reserve})  # fmt: skip
        bidder = _bidder(cell["id_number"])
        if bidder is None:
            errors.append(f"{where}, id_number: " + _("no verified Panhuo bidder has this number."))
            continue
        if " ".join(bidder.name.split()).casefold() != " ".join(cell["name"].split()).casefold():
            errors.append(f"{where}, name: " + _("the bidder with this number is %(name)s.")
                          % {"name": bidder.name})  # fmt: skip
        rows.append((rank, bidder, price))
        times.append((n, rank, {k: cell.get(k, "") for k in TIMES}))
    rows.sort(key=lambda x: x[0])
    timing = _timing(times, window, errors)
    if not errors:
        if not rows:
            errors.append(_("The file has no result row."))
        elif [x[0] for x in rows] != list(range(1, len(rows) + 1)):
            errors.append(_("The ranks must run 1, 2, 3 … without a gap or a repeat."))
        elif len({x[1].pk for x in rows}) != len(rows):
            errors.append(_("A bidder stands on two rows."))
        elif any(a[2] < b[2] for a, b in itertools.pairwise(rows)):
            errors.append(_("A lower rank has a higher price than the rank above it."))
    if errors:
        raise ValidationError({"file": errors})
    return [(b, p) for _rank, b, p in rows], timing


def _timing(times: list[tuple[int, int, dict]], window, errors: list[str]) -> Timing:
    """The winner's row's bidding end and last bid time, each a date and time within
    ``window`` (a bid after the end is not refused: it is what the red flag is for); on the
    other rows the end blank or the same, the last bid time blank. Errors go to ``errors``."""
    start, now = window
    found: dict[int, tuple[int, dict]] = {}
    for n, rank, cell in times:
        for key, text in cell.items():
            where = _("Row %(n)s") % {"n": n} + f", {key}: "
            if not text:
                continue
            at = moment(text)
            if at is None:
                errors.append(where + _("give a date and time, e.g. 2026-05-01 10:30:00."))
            elif not start < at <= now:
                errors.append(where + _("outside the lot's window, %(start)s to %(end)s.")
                              % {"start": shown(start), "end": shown(now)})  # fmt: skip
            else:
                cell[key] = at
        found.setdefault(rank, (n, cell))
    if 1 not in found:
        return Timing()
    row, first = found[1]
    end, last = (v if isinstance(v, dt.datetime) else None for v in first.values())
    for n, rank, cell in times:
        where = _("Row %(n)s") % {"n": n}
        if rank == 1:
            if first["last_bid_at"] and not first["bidding_end"]:
                errors.append(f"{where}, bidding_end: "
                              + _("give the bidding end with the last bid time."))  # fmt: skip
            continue
        if cell["bidding_end"] and cell["bidding_end"] != first["bidding_end"]:
            errors.append(f"{where}, bidding_end: "
                          + _("not the winner's (rank 1) bidding end."))  # fmt: skip
        if cell["last_bid_at"]:
            why = _("only the winner's row (rank 1) gives the last bid time.")
            errors.append(f"{where}, last_bid_at: {why}")
    return Timing(row, end, last)


def _window(r: ListingRound, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The exchange lot's window: from the start of the listing day to the import."""
    start = timezone.make_aware(dt.datetime.combine(r.listed_on, dt.time()))
    return min(start, now - dt.timedelta(minutes=1)), now


def result_import(
    *, actor, project: DisposalProject, stream: IO[bytes], filename: str,
    history: IO[bytes] | None = None, history_name: str = "",
) -> Lot:  # fmt: skip
    """Bring the exchange's result in, with its bid history if given
    (``exchange_history``): all or nothing (see the module's docstring)."""
    policy.require(actor, "lot", "award", jurisdiction=project.jurisdiction)
    r = open_round(project)
    now = timezone.now()
    start, _end = _window(r, now)
    ranked, timing = parse_result(stream, filename, r, (start, now))
    bids = []
    if history is not None:
        bids = parse_history(history, history_name, ranked=ranked, start_price=r.reserve,
                             increment=INCREMENT, window=(start, now))  # fmt: skip
        if timing.last_bid is not None and bids[-1].at != timing.last_bid:
            why = _("the bid history's last bid is at %(t)s.") % {"t": shown(bids[-1].at)}
            where = _("Row %(n)s") % {"n": timing.row}
            errors = [f"{where}, last_bid_at: {why}"]
            raise ValidationError({"file": errors})
    elif timing.last_bid is not None:  # the winning bid alone, on record
        bids = [HistoryRow(timing.row, ranked[0][0], ranked[0][1], timing.last_bid)]
    end = timing.end or now
    with transaction.atomic():
        project = project.locked()
        r = open_round(project)
        if Lot.objects.filter(round=r).exists():
            raise ValidationError({"file": [_("This round's result is already in.")]})
        lot = Lot(
            round=r, status=LotStatus.CLOSED, start_price=r.reserve, increment=INCREMENT,
            reserve=r.reserve, start_at=start, planned_end_at=end, end_at=end, closed_at=now,
            bidders=len(ranked), single_bidder=len(ranked) == 1,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        audit_insert(lot, actor=actor, action="lot.exchange_result",
                     jurisdiction_path=project.jurisdiction.path)  # fmt: skip
        regs = [LotRegistration.objects.create(lot=lot, bidder=b, conditions=r.buyer_conditions)
                for b, _price in ranked]  # fmt: skip
        lot.price, lot.leader, lot.leader_max = ranked[0][1], regs[0], ranked[0][1]
        lot.save(update_fields=["price", "leader", "leader_max"])
        if bids:
            append_history(actor=actor, lot=lot, registrations=regs, rows=bids)
        audit_record(
            actor=actor, action="lot.close", obj=lot, before={"status": "scheduled"},
            after={"status": lot.status, "price": str(lot.price), "bidders": len(ranked),
                   "source": "exchange", "file": filename[:200],
                   **({"flag": "single_bidder"} if lot.single_bidder else {})},
            jurisdiction_path=project.jurisdiction.path,
        )  # fmt: skip
        queue = [(reg.pk, price) for reg, (_b, price) in zip(regs, ranked, strict=True)]
        lot = lot_award(actor=actor, lot=lot, queue=queue, source=AwardSource.EXCHANGE)
    return lot
