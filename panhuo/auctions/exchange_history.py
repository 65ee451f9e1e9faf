"""An outside exchange's bid history, brought in (optionally) with its result
(``exchange.result_import``): one row a bid — the bidder, the amount, the time — checked
whole before anything is written, and stored as the lot's own bid rows so that the red flags
reading bids (identical bids, a late bid that won) and the published bid history see an
exchange's bidding as they see Panhuo's.

The rules, each refusal naming the history's row and column in the reader's language:

- the bidder is one of the result's bidders (their ID number or credit code, or their name as
  the result names them);
- the time falls within the lot's window: from the start of the day the round was listed to
  the import (an exchange cannot have taken a bid before the listing or in the future);
- in time order, the first bid is at least the starting price (the round's reserve) and each
  next bid is at least the one before it plus the increment (a bid that does not raise the
  price is no bid in an ascending auction);
- the last bid is the winner's (rank 1), at the deal price.

The rows are appended in time order (``Bid``: append-only) as the winner's and others' own
bids (kind "bid", their maximum the amount: an exchange publishes no proxy), each at the
exchange's time, with one audit entry listing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.auctions.models import Bid, BidKind, Lot, LotRegistration
from panhuo.bidders.models import Bidder
from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record
from panhuo.register.importing.limits import FileRejected
from panhuo.register.importing.readers import cell_text, read_table

#: The history's columns: our name → the headers accepted (English or Chinese).
COLUMNS = {
    "bidder": ("bidder", "竞买人", "竞买人证件号码", "id number", "证件号码"),
    "amount": ("amount", "bid", "出价", "出价金额", "金额"),
    "time": ("time", "bid time", "出价时间", "时间"),
}
MAX_ROWS = 5000


@dataclass(frozen=True)
class HistoryRow:
    row: int
    bidder: Bidder
    amount: Decimal
    at: dt.datetime


def _norm(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _who(value: str, bidders: list[Bidder]) -> Bidder | None:
    key = _norm(value)
    if not key:
        return None
    for b in bidders:
        numbers = {_norm(b.id_number), _norm(b.credit_code)}
        if key in numbers - {""}:
            return b
    named = [b for b in bidders if _norm(b.name) == key]
    return named[0] if len(named) == 1 else None


def moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _columns(headers: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, h in enumerate(headers):
        for name, names in COLUMNS.items():
            if _norm(h or "") in names and name not in found:
                found[name] = i
    missing = [n for n in COLUMNS if n not in found]
    if missing:
        raise ValidationError({"history": [
            _("The bid history lacks the column(s): %(cols)s.") % {"cols": ", ".join(missing)}
        ]})  # fmt: skip
    return found


def table_cells(
    stream: IO[bytes], filename: str, field: str, columns: Callable[[list], dict[str, int]],
    max_rows: int, errors: list[str],
) -> Iterator[tuple[int, dict[str, str]]]:  # fmt: skip
    """(row number, {column: text}) of each non-blank row of an uploaded table (the result
    file's and the history's reading, ``exchange.parse_result`` and :func:`parse_history`);
    a file that cannot be read is refused under ``field``, rows past ``max_rows`` are an
    error in ``errors``."""
    try:
        table = read_table(stream, filename=filename)
    except FileRejected as exc:
        why = str(exc.args[0]) if exc.args else _("The file cannot be read.")
        raise ValidationError({field: [why]}) from None
    cols = columns(table.headers)
    for n, raw in enumerate(table.rows, start=table.first_row):
        if n - table.first_row >= max_rows:
            errors.append(_("At most %(n)s rows.") % {"n": max_rows})
            return
        cell = {k: cell_text(raw[i]) if i < len(raw) else "" for k, i in cols.items()}
        if any(cell.values()):
            yield n, cell


def parse_history(
    stream: IO[bytes], filename: str, *, ranked: list[tuple[Bidder, Decimal]],
    start_price: Decimal, increment: Decimal, window: tuple[dt.datetime, dt.datetime],
) -> list[HistoryRow]:  # fmt: skip
    """The history's rows in time order, or a ValidationError (under ``history``) listing
    every row's error. ``ranked``: the result's (bidder, price), the winner first."""
    bidders = [b for b, _price in ranked]
    start, end = window
    errors: list[str] = []
    rows: list[HistoryRow] = []
    for n, cell in table_cells(stream, filename, "history", _columns, MAX_ROWS, errors):
        where = _("History row %(n)s") % {"n": n}
        bidder = _who(cell["bidder"], bidders)
        if bidder is None:
            errors.append(f"{where}, bidder: " + _("not one of the bidders in the result."))
        try:
            amount = Decimal(cell["amount"].replace(",", ""))
            ok = amount.is_finite() and amount > 0 and amount == amount.quantize(Decimal("0.01"))
        except InvalidOperation:
            ok = False
        if not ok:
            errors.append(f"{where}, amount: " + _("give an amount in yuan above zero."))
        at = moment(cell["time"])
        if at is None:
            errors.append(f"{where}, time: " + _("give a date and time, e.g. 2026-05-01 10:30:00."))
        elif not start <= at <= end:
            errors.append(f"{where}, time: " + _("outside the lot's window, %(start)s to %(end)s.")
                          % {"start": shown(start), "end": shown(end)})  # fmt: skip
        if bidder is not None and ok and at is not None:
            rows.append(HistoryRow(n, bidder, amount, at))
    if errors:
        raise ValidationError({"history": errors})
    rows.sort(key=lambda r: (r.at, r.row))
    errors = _in_order(rows, ranked, start_price, increment)
    if errors:
        raise ValidationError({"history": errors})
    return rows


def shown(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _in_order(rows, ranked, start_price: Decimal, increment: Decimal) -> list[str]:
    errors: list[str] = []
    if not rows:
        return [_("The bid history has no bid.")]
    previous: HistoryRow | None = None
    for r in rows:
        where = _("History row %(n)s") % {"n": r.row}
        if previous is None and r.amount < start_price:
            errors.append(f"{where}, amount: " + _("below the starting price of %(p)s yuan.")
                          % {"p": start_price})  # fmt: skip
        elif previous is not None and r.amount < previous.amount + increment:
            errors.append(f"{where}, amount: " + _(
                "not above the bid before it (row %(row)s, %(p)s yuan) by the increment."
            ) % {"row": previous.row, "p": previous.amount})  # fmt: skip
        previous = r
    winner, price = ranked[0]
    last = rows[-1]
    if last.bidder.pk != winner.pk or last.amount != price:
        errors.append(
            _("History row %(n)s: the last bid is not the winner's (rank 1) at the deal price of "
              "%(p)s yuan.") % {"n": last.row, "p": price}
        )  # fmt: skip
    return errors


def append_history(
    *, actor, lot: Lot, registrations: list[LotRegistration], rows: list[HistoryRow]
) -> list[Bid]:
    """The history as the lot's bid rows (inside the import's transaction), audited."""
    reg_of = {reg.bidder_id: reg for reg in registrations}
    bids = []
    for r in rows:
        lot.bid_count += 1
        bids.append(Bid(lot=lot, registration=reg_of[r.bidder.pk], seq=lot.bid_count,
                        kind=BidKind.BID, amount=r.amount, maximum=r.amount, placed_at=r.at,
                        end_at=lot.end_at))  # fmt: skip
    Bid.objects.bulk_create(bids)
    lot.save(update_fields=["bid_count"])
    audit_record(
        actor=actor, action="lot.exchange_history", obj=lot,
        after={"bids": [[b.seq, b.registration_id, str(b.amount), b.placed_at.isoformat()]
                        for b in bids]},
        jurisdiction_path=lot.jurisdiction.path,
    )  # fmt: skip
    return bids
