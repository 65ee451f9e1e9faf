"""Periods as "not before" gates (issue 12): the disclosure and the result notice must run their
full period before the step that ends them, and every date a step records is a true one.

SASAC/MoF Order 32 counts the disclosure of a listing (art. 13: at least 20 working days; for
physical assets the bands of ``pricing.rules.disclosure_min_days``) and the result notice
(art. 29: at least 5 working days) in working days from the day after they start, by the
jurisdiction's calendar (``core.workdays``). A period ends at the end of its last working day,
so the step it holds back may be taken from the next day on:

- ``deal_after_disclosure``: no deal before the listing round's disclosure has ended;
- ``close_after_notice``: no closing before the result notice has been up its full period
  (the notice goes up when the contract takes effect, i.e. after the deal, not after payment);
- ``listing_date_ok`` and ``stated_date_ok``: a listing date at most ``AHEAD_DAYS`` working
  days ahead (a relisting not before the round it replaces); a deal or publication date never
  in the future
  and not before the step before it; any date in the past (a step recorded late) needs a
  written reason, kept in the audit entry and the timeline;
- ``disclosure_ends_ok``: a disclosure end chosen (or extended to) is at least the minimum
  period, and an extension ends later than the current end;
- ``redisclosure_ok``: disclosing again (the period restarts) rests on a new appraisal;
- ``relist_after_disclosure``: no relisting (at a lower reserve) before the current listing's
  disclosure has ended without a buyer.

Each function is pure (dates and figures in, ``GateRefused`` out); ``periods_guard`` applies
them to the market channels' transitions inside ``project_transition`` (registered in
DisposalConfig.ready) and its ``explain`` tells the project page why a step is disabled.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core import workdays
from panhuo.core.errors import ValidationError
from panhuo.core.gates import GateRefused, rule
from panhuo.core.inputs import to_date
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.models import Channel
from panhuo.pricing import rules
from panhuo.pricing.selectors import package_appraisal

#: How far ahead a listing may be recorded (its announcement is prepared in advance).
AHEAD_DAYS = 10
MARKET = frozenset({Channel.AUCTION, Channel.EXCHANGE})
ONE_DAY = dt.timedelta(days=1)

DISCLOSURE = rule(
    "disclosure_period",
    _("No deal before the disclosure period ends"),
    _("SASAC/MoF Order 32 art. 13 (at least 20 working days; physical assets by value band)"),
    owner="disposal.periods",
)
NOTICE = rule(
    "notice_period",
    _("No closing before the result notice period ends"),
    _("SASAC/MoF Order 32 art. 29 (result notice at least 5 working days)"),
    owner="disposal.periods",
)
STEP_DATE = rule(
    "step_date",
    _("Dates of listing, deal and result notice are true and in order"),
    _("SASAC/MoF Order 32 arts. 13 and 29 (periods count from these dates)"),
    owner="disposal.periods",
)
REDISCLOSE = rule(
    "redisclose_new_appraisal",
    _("Disclosing again rests on a new appraisal"),
    _("SASAC/MoF Order 32 art. 13; State-Owned Assets Law art. 55 (appraisal)"),
    owner="disposal.periods",
)
RELIST = rule(
    "relist_after_disclosure",
    _("No relisting before the current listing's disclosure period ends"),
    _(
        "SASAC/MoF Order 32 art. 18 (a listing that ends without a buyer may be disclosed again "
        "at a lower reserve)"
    ),
    owner="disposal.periods",
)
PAYMENT = rule(
    "payment_in_full",
    _("Paid in full before the step that needs the money"),
    _("SASAC/MoF Order 32 art. 28 (payment in full, or instalments with at least 30 percent down)"),
    owner="disposal.services",
)


def _iso(day: dt.date) -> str:
    return day.isoformat()


# --- The gates (pure) -------------------------------------------------------------------------


def stated_date_ok(
    *, day: dt.date, field: str, today: dt.date, reason: str, earliest: dt.date | None = None,
    latest: dt.date | None = None, after: str = "",
) -> None:  # fmt: skip
    """A date a step records: not after ``latest`` (default today), not before ``earliest``
    (the step it follows, named ``after``), and a past one only with a written reason."""
    latest = latest or today
    params = {"date": _iso(day), "latest": _iso(latest), "today": _iso(today)}
    if day > latest:
        raise GateRefused(
            STEP_DATE, field=field, params=params,
            message=_("%(date)s is after %(latest)s, the latest date this step may record."),
            unblock=_("Record the step with a date on or before %(latest)s."),
        )  # fmt: skip
    if earliest is not None and day < earliest:
        raise GateRefused(
            STEP_DATE, field=field, params={**params, "earliest": _iso(earliest), "after": after},
            message=_("%(date)s is before %(earliest)s (%(after)s): the dates are in the wrong "
                      "order."),
            unblock=_("Give a date on or after %(earliest)s."),
        )  # fmt: skip
    if day < today and not (reason or "").strip():
        raise GateRefused(
            STEP_DATE, field=field, params=params,
            message=_("%(date)s is in the past (today is %(today)s): a step recorded late "
                      "says why."),
            unblock=_("Write the reason it is recorded late in the comment; it is kept in the "
                      "audit entry and the timeline."),
        )  # fmt: skip


def listing_date_ok(
    *, listed_on: dt.date, today: dt.date, reason: str, earliest: dt.date | None = None,
    after: str = "", jurisdiction=None,
) -> None:  # fmt: skip
    """A listing date: at most ``AHEAD_DAYS`` working days ahead, not before the round it
    follows (``earliest``), a past one with a reason."""
    latest = workdays.add_working_days(today, AHEAD_DAYS, jurisdiction=jurisdiction)
    stated_date_ok(
        day=listed_on, field="listed_on", today=today, reason=reason, earliest=earliest,
        latest=latest, after=after,
    )  # fmt: skip


def disclosure_ends_ok(
    *, listed_on: dt.date, ends: dt.date, physical: bool, value: Decimal, t: rules.Thresholds,
    current: dt.date | None = None, jurisdiction=None,
) -> None:  # fmt: skip
    """A disclosure end given at listing (or by an extension) leaves at least the minimum
    period (``pricing.rules.disclosure_period_ok``); an extension ends after the current end."""
    need = rules.disclosure_min_days(physical=physical, value=value, t=t)
    earliest = workdays.add_working_days(listed_on, need, jurisdiction=jurisdiction)
    params = {"ends": _iso(ends), "listed": _iso(listed_on), "need": need,
              "earliest": _iso(earliest)}  # fmt: skip
    if current is not None and ends <= current:
        raise GateRefused(
            STEP_DATE, field="disclosure_ends", params={**params, "current": _iso(current)},
            message=_("An extension ends after the current end %(current)s; %(ends)s does not."),
            unblock=_("Give an end after %(current)s."),
        )  # fmt: skip
    if ends <= listed_on or rules.disclosure_period_ok(
        start=listed_on, end=ends, physical=physical, value=value, t=t, jurisdiction=jurisdiction
    ):
        raise GateRefused(
            DISCLOSURE, field="disclosure_ends", params=params,
            message=_("A disclosure from %(listed)s ending %(ends)s is shorter than %(need)s "
                      "working days."),
            unblock=_("End the disclosure on %(earliest)s or later."),
        )  # fmt: skip


#: The steps that wait for the round's disclosure to end: the gate, the field it refuses, and
#: its refusal (``%(deal)s`` or ``%(relist)s`` is the step's day).
_WAIT_FOR_DISCLOSURE = {
    "deal": (
        DISCLOSURE, "concluded_on",
        _("No deal before the disclosure ends: listed on %(listed)s, disclosed until "
          "%(ends)s (at least %(need)s working days); the deal is dated %(deal)s."),
        _("Record the deal on %(first)s or later."),
    ),
    "relist": (
        RELIST, "listed_on",
        _("The current listing of %(listed)s is disclosed until %(ends)s (at least "
          "%(need)s working days); a relisting dated %(relist)s would cut it short."),
        _("Relist on %(first)s or later, once the disclosure has ended without a "
          "buyer (or extend the disclosure instead)."),
    ),
}  # fmt: skip


def _after_disclosure(
    step: str, day: dt.date, *, listed_on: dt.date, disclosure_ends: dt.date | None,
    physical: bool, value: Decimal, t: rules.Thresholds, jurisdiction=None,
) -> None:  # fmt: skip
    """No ``step`` (a deal, a relisting) until the round's disclosure has run in full: its
    ``day`` comes after the last day of the disclosure (the minimum of working days, or the
    chosen or extended end if later), and the working days before it reach the minimum."""
    need = rules.disclosure_min_days(physical=physical, value=value, t=t)
    minimum = workdays.add_working_days(listed_on, need, jurisdiction=jurisdiction)
    last = max(disclosure_ends or minimum, minimum)
    short = rules.disclosure_period_ok(
        start=listed_on, end=day - ONE_DAY, physical=physical, value=value, t=t,
        jurisdiction=jurisdiction,
    )  # fmt: skip
    if short is None and day > last:
        return
    gate, field, message, unblock = _WAIT_FOR_DISCLOSURE[step]
    raise GateRefused(
        gate, field=field, message=message, unblock=unblock,
        params={step: _iso(day), "listed": _iso(listed_on), "ends": _iso(last), "need": need,
                "first": _iso(last + ONE_DAY)},
    )  # fmt: skip


def deal_after_disclosure(*, deal_on: dt.date, **round_figures) -> None:
    """No deal until the round's disclosure has run in full (``_after_disclosure``; the
    round's ``listed_on``, ``disclosure_ends``, ``physical``, ``value``, ``t`` and
    ``jurisdiction``)."""
    _after_disclosure("deal", deal_on, **round_figures)


def relist_after_disclosure(*, relist_on: dt.date, **round_figures) -> None:
    """No relisting (at a lower reserve) until the current round's disclosure has run in full
    without a buyer: the same count as for a deal (``_after_disclosure``)."""
    _after_disclosure("relist", relist_on, **round_figures)


def close_after_notice(
    *, published_on: dt.date | None, today: dt.date, t: rules.Thresholds, jurisdiction=None
) -> None:
    """No closing until the result notice has been up its full period
    (``pricing.rules.notice_period_ok`` over the working days before today)."""
    if published_on is None:
        raise GateRefused(
            NOTICE, field="notice", params={},
            message=_("The result notice has not been published."),
            unblock=_("Publish the result notice; the project closes once its period ends."),
        )  # fmt: skip
    last = workdays.add_working_days(published_on, t.notice_days, jurisdiction=jurisdiction)
    short = rules.notice_period_ok(
        start=published_on, end=today - ONE_DAY, t=t, jurisdiction=jurisdiction
    )
    if short is None and today > last:
        return
    raise GateRefused(
        NOTICE, field="notice",
        params={"published": _iso(published_on), "ends": _iso(last), "need": t.notice_days,
                "first": _iso(last + ONE_DAY)},
        message=_("The result notice published on %(published)s runs until %(ends)s (at least "
                  "%(need)s working days)."),
        unblock=_("Close on %(first)s or later."),
    )  # fmt: skip


def redisclosure_ok(*, appraised_on: dt.date | None, round_listed_on: dt.date) -> None:
    """Disclosing again at an unreduced price needs an appraisal made after the current
    round was listed (the new appraisal the new disclosure rests on)."""
    if appraised_on is not None and appraised_on > round_listed_on:
        return
    raise GateRefused(
        REDISCLOSE,
        field="appraisal",
        params={
            "listed": _iso(round_listed_on),
            "base": _iso(appraised_on) if appraised_on else "—",
        },
        message=_(
            "The appraisal (base date %(base)s) is not newer than the current listing "
            "of %(listed)s."
        ),
        unblock=_(
            "Record a new appraisal of every asset, then disclose again (or relist at "
            "a reduced reserve)."
        ),
    )


# --- Applied to the market channels' transitions ----------------------------------------------


def _open_round(project) -> ListingRound | None:
    return project.rounds.filter(result=ListingRound.Result.OPEN).first()


def _figures(project) -> tuple[bool, Decimal, rules.Thresholds]:
    physical, value = rules._project_figures(project)
    return physical, value, rules.thresholds_for(project.jurisdiction)


def _appraised_on(project, today: dt.date) -> dt.date | None:
    """The base date of the package's oldest current appraisal (what a listing rests on)."""
    found = package_appraisal(project.package, on=today)
    dates = [v.base_date for v in found.by_asset.values() if v]
    return min(dates) if dates and not found.missing else None


def _deal_round(project) -> ListingRound | None:
    return project.rounds.filter(result=ListingRound.Result.SOLD).order_by("-number").first()


def check(project, transition: str, data: dict, *, today: dt.date) -> None:
    """Raise the first period gate ``transition`` would break on ``project``."""
    reason = data.get("comment") or ""
    jurisdiction = project.jurisdiction
    if transition in {"list", "relist", "redisclose"}:
        current = _open_round(project)
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        # A relisting comes after the round it replaces; a first listing recorded late needs
        # only its reason (the history of a listing run on an exchange may be entered later).
        earliest = current.listed_on if current is not None else None
        after = _("the current listing")
        listing_date_ok(
            listed_on=listed_on, today=today, reason=reason, earliest=earliest, after=str(after),
            jurisdiction=jurisdiction,
        )  # fmt: skip
        if transition == "relist" and current is not None:
            physical, value, t = _figures(project)
            relist_after_disclosure(
                relist_on=listed_on, listed_on=current.listed_on,
                disclosure_ends=current.disclosure_ends, physical=physical, value=value, t=t,
                jurisdiction=jurisdiction,
            )  # fmt: skip
        if transition == "redisclose":
            redisclosure_ok(
                appraised_on=_appraised_on(project, today),
                round_listed_on=current.listed_on if current else listed_on,
            )
        if data.get("disclosure_ends") not in (None, ""):
            ends = to_date(data.get("disclosure_ends"), "disclosure_ends", default=today)
            physical, value, t = _figures(project)
            if data.get("reserve_price") not in (None, "") and transition != "relist":
                value = _reserve(data, value)
            disclosure_ends_ok(listed_on=listed_on, ends=ends, physical=physical, value=value,
                               t=t, jurisdiction=jurisdiction)  # fmt: skip
    elif transition == "extend_listing":
        current = _open_round(project)
        if data.get("disclosure_ends") in (None, ""):
            raise ValidationError({"disclosure_ends": [str(_("Give the new end of disclosure."))]})
        ends = to_date(data.get("disclosure_ends"), "disclosure_ends", default=today)
        physical, value, t = _figures(project)
        disclosure_ends_ok(
            listed_on=current.listed_on, ends=ends, physical=physical, value=value, t=t,
            current=current.disclosure_ends, jurisdiction=jurisdiction,
        )  # fmt: skip
    elif transition == "conclude":
        current = _open_round(project)
        if current is None:
            return
        deal_on = to_date(data.get("concluded_on"), "concluded_on", default=today)
        physical, value, t = _figures(project)
        deal_after_disclosure(
            deal_on=deal_on, listed_on=current.listed_on, disclosure_ends=current.disclosure_ends,
            physical=physical, value=value, t=t, jurisdiction=jurisdiction,
        )  # fmt: skip
        stated_date_ok(day=deal_on, field="concluded_on", today=today, reason=reason,
                       earliest=current.listed_on, after=str(_("the listing")))  # fmt: skip
    elif transition == "publish_result":
        sold = _deal_round(project)
        deal_on = (sold.ended_on if sold else None) or project.state_since
        published_on = to_date(data.get("published_on"), "published_on", default=today)
        stated_date_ok(day=published_on, field="published_on", today=today, reason=reason,
                       earliest=deal_on, after=str(_("the deal")))  # fmt: skip
    elif transition == "close":
        close_after_notice(
            published_on=project.result_published_on, today=today,
            t=rules.thresholds_for(jurisdiction), jurisdiction=jurisdiction,
        )  # fmt: skip


def _reserve(data: dict, default: Decimal) -> Decimal:
    from panhuo.disposal.pricing_guard import input_amount

    return input_amount(data.get("reserve_price")) or default


def periods_guard(*, actor, project, transition: str, data: dict) -> None:
    if project.channel not in MARKET:
        return
    check(project, transition, data, today=timezone.localdate())


def explain(*, actor, project, transition: str) -> str:
    """Why the deal, the relisting or the closing must wait (today, with no date given), or
    ""."""
    if project.channel not in MARKET or transition not in {"conclude", "close", "relist"}:
        return ""
    try:
        check(project, transition, {}, today=timezone.localdate())
    except GateRefused as refused:
        return refused.text
    return ""


periods_guard.explain = explain  # type: ignore[attr-defined]
