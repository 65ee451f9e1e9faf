"""Time limits of project states, counted in the jurisdiction's working days.

A state with a time limit gets a due date when the project enters it: the disclosure period of a
listing, the payment term after a deal, the result notice, the signing of an approved contract,
and the term of a lease or concession. The pricing stage defines three of the periods by each
place's price rules (``pricing.rules.disclosure_due``, ``payment_due``, ``notice_due``, called
with the project and the start date); the others, and a rule that gives no date, take the
defaults below (DESIGN.md §2 rules).
"""

from __future__ import annotations

import datetime as dt

from panhuo.core.workdays import add_working_days
from panhuo.disposal.models import Channel, ProjectStatus
from panhuo.pricing import rules as price_rules

DISCLOSURE_DAYS = 20  # Order 32: at least 20 working days
PAYMENT_DAYS = 5  # Order 32 art. 28: in full within 5 working days
NOTICE_DAYS = 5  # Order 32 art. 29: result notice for at least 5 working days
SIGNING_DAYS = 20  # an approved contract channel signs within 20 working days (local default)

DEFAULTS = {
    "disclosure_due": DISCLOSURE_DAYS,
    "payment_due": PAYMENT_DAYS,
    "notice_due": NOTICE_DAYS,
    "signing_due": SIGNING_DAYS,
}

#: Why each time limit exists, by kind (for the overdue list).
KINDS = ("disclosure_due", "payment_due", "notice_due", "signing_due", "term_end", "arrears")
#: The step that meets a deadline, when it is not a step out of the state itself: a sale's
#: payment term runs while the result notice goes up, and finance confirms the payment.
MET_BY = {"payment_due": "confirm_payment"}
#: Kinds whose date is one to wait for, not a deadline to meet: the disclosure and the result
#: notice must run at least until then ("not before" gates, ``disposal.periods``). A project
#: past such a date is not late; the overdue list leaves it out.
WAITS = frozenset({"disclosure_due", "notice_due"})


#: The periods the pricing stage sets by the place's price rules (an import the layering
#: contract sees: disposal sits above pricing), by kind.
PRICED = {
    "disclosure_due": price_rules.disclosure_due,
    "payment_due": price_rules.payment_due,
    "notice_due": price_rules.notice_due,
}


def due(name: str, project, start: dt.date) -> dt.date:
    """The end of period ``name`` started on ``start``, from the pricing stage or the defaults."""
    fn = PRICED.get(name)
    if fn is not None:
        result = fn(project, start)
        # The payment term has two dates (in full, or the down payment and the rest within a
        # year): the state waits for the first of them, the down payment or the whole price.
        result = getattr(result, "down_by", result)
        if isinstance(result, dt.date):
            return result
    return add_working_days(start, DEFAULTS[name], jurisdiction=project.package.jurisdiction)


def is_wait(channel: str, state: str) -> bool:
    """Whether the date of ``state`` is a "not before" date (see ``WAITS``)."""
    return deadline_kind(channel, state) in WAITS


def deadline_kind(channel: str, state: str) -> str | None:
    """Which time limit runs in ``state`` of ``channel`` (None: no time limit)."""
    market = channel in {Channel.AUCTION, Channel.EXCHANGE}
    cash = channel in {Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED,
                       Channel.SECURITISATION}  # fmt: skip
    if state == ProjectStatus.LISTED:
        return "disclosure_due"
    if state == ProjectStatus.APPROVED and not market:
        return "signing_due"
    if state == ProjectStatus.CONCLUDED and cash:
        return "payment_due"
    if state == ProjectStatus.PUBLISHED:
        # The notice goes up when the contract takes effect: the payment term still runs.
        return "payment_due"
    if state == ProjectStatus.PAID and market:
        # Paid in full: the project may close once the result notice has run its period.
        return "notice_due"
    if state == ProjectStatus.IN_FORCE:
        return "term_end"
    if state == ProjectStatus.IN_ARREARS:
        return "arrears"
    return None
