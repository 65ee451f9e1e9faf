"""What each channel's steps write besides the project's state: listing rounds, counterparty
terms, tranches, contracts and their schedules, arrears, the debt settled by a swap.

``prepare`` runs inside ``project_transition``'s transaction after the table has allowed the
step: it checks the step's input (raising ``ValidationError`` naming the field and the rule)
and sets the project's own fields; ``finish`` writes the channel records once the project is
saved. A refusal anywhere rolls the whole step back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, ZERO_OR_MORE, to_amount, to_date
from panhuo.core.validation import full_clean
from panhuo.disposal import deadlines, money
from panhuo.disposal.channel_models import (
    MONTHS,
    ChannelTerms,
    Contract,
    ContractRenewal,
    Frequency,
    ListingRound,
    Tranche,
)
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.workflow import Transition
from panhuo.organisation.credit_code import normalise_credit_code
from panhuo.organisation.models import Unit

SINGLE_BIDDER = "single_bidder"
SINGLE_BIDDER_NOTE = (
    "Flag: one qualified bidder — no competitive bidding; the sale counts as a negotiated "
    "transfer (State-Owned Assets Law art. 54)."
)


def _money(value: Any, field: str, *, zero_ok: bool = False) -> Decimal:
    return to_amount(value, field, sign=ZERO_OR_MORE if zero_ok else ABOVE_ZERO)


def _soe_unit(value: Any, field: str, project: DisposalProject) -> Unit:
    unit = value if isinstance(value, Unit) else None
    if unit is None:
        try:
            unit = Unit.objects.select_related("jurisdiction").get(pk=int(value))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise ValidationError(
                {field: [_("Unknown unit “%(value)s”.") % {"value": value}]}
            ) from None
    if unit.kind != Unit.Kind.SOE:
        raise ValidationError(
            {
                field: [
                    _(
                        "%(unit)s is a %(unit_kind)s; the counterparty must be a state-owned "
                        "company."
                    )
                    % {"unit": unit, "unit_kind": unit.get_kind_display()}
                ]
            }
        )
    return unit


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def schedule(start: dt.date, end: dt.date, frequency: str, amount: Decimal) -> list[dt.date]:
    """Due dates of a contract paid in advance: one each period from ``start`` before ``end``."""
    step = MONTHS[frequency]
    dates, k = [], 0
    while True:
        day = add_months(start, step * k)
        if day >= end:
            return dates
        dates.append(day)
        k += 1


def _expected(project, rows: list[tuple[dt.date, Decimal, str, str]]) -> Decimal:
    """Money due on the project: finance records it (through ``disposal.money``)."""
    return money.expect(project, rows)


def buyer_conditions(data: dict, current: ListingRound | None) -> dict[str, str]:
    """The conditions on buyers a listing sets and their legal basis (both text; a relisting
    keeps the current round's unless it gives its own)."""
    conditions = data.get("buyer_conditions")
    basis = data.get("conditions_basis")
    if current is not None and conditions is None:
        conditions = current.buyer_conditions
        basis = current.conditions_basis if basis is None else basis
    return {
        "buyer_conditions": str(conditions or "").strip()[:2000],
        "conditions_basis": str(basis or "").strip()[:300],
    }


def announced_on_given(data: dict) -> dt.date | None:
    """The land announcement's day a listing step gives (each listing its own), or None."""
    if data.get("announced_on") in (None, ""):
        return None
    return to_date(data.get("announced_on"), "announced_on")


def _open_round(project) -> ListingRound | None:
    return project.rounds.filter(result=ListingRound.Result.OPEN).first()


def prepare(
    t: Transition, *, project: DisposalProject, actor, today: dt.date, deal_price, buyer: str,
    comment: str, data: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    """Check the step's input and set the project's fields; return what ``finish`` writes."""
    plan: dict[str, Any] = {}
    needs = t.needs
    buyer = (buyer or "").strip()
    if "counterparty" in needs:
        unit_ref, name = data.get("counterparty_unit"), (data.get("counterparty") or "").strip()
        if unit_ref not in (None, ""):
            unit = _soe_unit(unit_ref, "counterparty_unit", project)
            plan["terms"] = {"counterparty_unit": unit, "counterparty_name": unit.name,
                             "counterparty_soe": True}  # fmt: skip
        elif name and data.get("counterparty_soe"):
            plan["terms"] = {"counterparty_unit": None, "counterparty_name": name,
                             "counterparty_soe": True}  # fmt: skip
        elif name:
            raise ValidationError(
                {
                    "counterparty_soe": [
                        _(
                            "A negotiated transfer goes only to a state-owned party: confirm that "
                            "%(name)s is state-owned, or pick its unit."
                        )
                        % {"name": name}
                    ]
                }
            )
        else:
            raise ValidationError(
                {
                    "counterparty": [
                        _(
                            "A negotiated transfer names its state-owned counterparty (a "
                            "state-owned company unit, or a name flagged state-owned)."
                        )
                    ]
                }
            )
        plan["terms"]["reason"] = comment.strip()
    if "art31_case" in needs:
        plan["terms"]["art31_case"] = str(data.get("art31_case") or "")
    if "art31_approval" in needs:
        plan["terms_extra"] = {
            "approval_body": str(data.get("approval_body") or ""),
            "approval_ref": str(data.get("approval_ref") or "").strip()[:100],
            "approval_on": to_date(data.get("approval_on"), "approval_on", default=today),
        }
    if "free_recipient" in needs:
        unit, name = free_recipient(data)
        plan["terms"] = {"counterparty_unit": unit, "counterparty_name": name[:200],
                         "counterparty_soe": True, "reason": comment.strip(),
                         "counterparty_credit_code": recipient_code(data, unit)}  # fmt: skip
    if "evidence" in needs:
        plan["terms"] = {
            "counterparty_name": "",
            "reason": comment.strip(),
            "evidence_kind": str(data.get("evidence_kind") or ""),
            "evidence_ref": str(data.get("evidence_ref") or "").strip()[:100],
            "evidence_issuer": str(data.get("evidence_issuer") or "").strip()[:200],
            "evidence_on": to_date(data.get("evidence_on"), "evidence_on", default=today),
        }
    if "zero_deal" in needs:
        # Free transfer, scrap, loss, write-off: no price, so no money is expected.
        terms = getattr(project, "terms", None)
        deal_price, buyer = Decimal("0.00"), (terms.counterparty if terms else "") or ""
        if project.channel == Channel.FREE_TRANSFER and not buyer:
            raise ValidationError({"counterparty": [_("The free transfer names no recipient.")]})
        project.deal_price, project.buyer = deal_price, buyer[:200]
    if "recipient" in needs:
        unit = _soe_unit(data.get("counterparty_unit"), "counterparty_unit", project)
        plan["terms"] = {"counterparty_unit": unit, "counterparty_name": unit.name,
                         "counterparty_soe": True, "reason": comment.strip()}  # fmt: skip
        buyer = unit.name
    if "swap" in needs:
        debt = money.debt_for(actor, data.get("debt"))
        if debt.jurisdiction_id != project.package.jurisdiction_id:
            raise ValidationError(
                {
                    "debt": [
                        _(
                            "Debt %(debt)s belongs to %(debt_jurisdiction)s, the package to "
                            "%(project_package_jurisdiction)s."
                        )
                        % {
                            "debt": debt.code,
                            "debt_jurisdiction": debt.jurisdiction,
                            "project_package_jurisdiction": project.package.jurisdiction,
                        }
                    ]
                }
            )
        value = _money(deal_price, "deal_price")
        if value > debt.outstanding:
            raise ValidationError(
                {
                    "deal_price": [
                        _(
                            "The agreed value %(value)s exceeds the outstanding amount of debt "
                            "%(debt)s: %(debt_outstanding)s."
                        )
                        % {"value": value, "debt": debt.code, "debt_outstanding": debt.outstanding}
                    ]
                }
            )
        plan["terms"] = {"debt": debt, "counterparty_name": debt.creditor,
                         "reason": comment.strip()}  # fmt: skip
        buyer = debt.creditor
    if "listing" in needs:
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        if data.get("reserve_price") not in (None, ""):
            project.reserve_price = _money(data["reserve_price"], "reserve_price")
        plan["round"] = {"platform": (data.get("platform") or "").strip()[:200],
                         "listed_on": listed_on, "reserve": project.reserve_price,
                         "announced_on": announced_on_given(data),
                         **buyer_conditions(data, None)}  # fmt: skip
        plan["ends"] = to_date(data.get("disclosure_ends"), "disclosure_ends", default=listed_on)
    if "relist" in needs or "redisclose" in needs:
        current = _open_round(project)
        previous = current.reserve if current else project.reserve_price
        if "redisclose" in needs and data.get("reserve_price") in (None, ""):
            reserve = project.reserve_price  # a new disclosure at the new appraisal's price
        else:
            reserve = _money(data.get("reserve_price"), "reserve_price")
        if "relist" in needs and reserve >= previous:
            raise ValidationError(
                {
                    "reserve_price": [
                        _(
                            "A relisting after no sale reduces the reserve: %(reserve)s is not "
                            "below the last reserve %(previous)s."
                        )
                        % {"reserve": reserve, "previous": previous}
                    ]
                }
            )
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        platform = (data.get("platform") or (current.platform if current else "")).strip()
        plan["relist"] = {"platform": platform[:200], "listed_on": listed_on, "reserve": reserve,
                          "announced_on": announced_on_given(data),
                          **buyer_conditions(data, current)}  # fmt: skip
        plan["ends"] = to_date(data.get("disclosure_ends"), "disclosure_ends", default=listed_on)
        project.reserve_price = reserve
    if "extension" in needs:
        # The periods guard has checked the new end (later than the current, long enough).
        plan["extend"] = to_date(data.get("disclosure_ends"), "disclosure_ends")
    if "notice" in needs:
        # The result notice goes up when the contract takes effect (the deal); its period
        # counts from this day (periods.close_after_notice). The payment term still runs.
        published_on = to_date(data.get("published_on"), "published_on", default=today)
        project.result_published_on = published_on
        plan["due_on"] = project.due_on
    if "tranches" in needs:
        plan["tranches"] = _tranches(data.get("tranches"))
        deal_price = sum((tr["size"] for tr in plan["tranches"]), Decimal("0.00"))
        if not buyer:
            raise ValidationError({"buyer": [_("Name the issuing vehicle (the buyer).")]})
    if "contract" in needs:
        plan["contract"] = _contract_input(data, buyer)
        buyer = plan["contract"]["counterparty"]
    if "renewal" in needs:
        contract = project.contract
        new_end = to_date(data.get("term_end"), "term_end")
        if new_end <= contract.term_end:
            raise ValidationError(
                {
                    "term_end": [
                        _(
                            "A renewal extends the term: %(new_end)s is not after the current end "
                            "%(contract_term_end)s."
                        )
                        % {"new_end": new_end, "contract_term_end": contract.term_end}
                    ]
                }
            )
        amount = data.get("period_amount")
        amount = contract.period_amount if amount in (None, "") else _money(amount, "period_amount")
        plan["renewal"] = {"new_end": new_end, "period_amount": amount}
    if t.needs_deal:
        errors = {}
        try:
            deal_price = _money(deal_price, "deal_price")
        except ValidationError:
            errors["deal_price"] = [_("A deal price above zero is required.")]
        if not buyer and plan.get("terms"):
            buyer = plan["terms"].get("counterparty_name", "")
        if not buyer and project.channel == Channel.NEGOTIATED and hasattr(project, "terms"):
            buyer = project.terms.counterparty
        if not buyer:
            errors["buyer"] = [_("The buyer is required.")]
        if errors:
            raise ValidationError(errors)
    if "bidders" in needs:
        bidders = data.get("bidders")
        bidders = 1 if bidders in (None, "") else bidders
        try:
            bidders = int(bidders)
        except (TypeError, ValueError):
            bidders = 0
        if bidders < 1:
            raise ValidationError({"bidders": [_("A sale has at least one qualified bidder.")]})
        plan["sold"] = {"bidders": bidders}
        # The day of the deal (a deal recorded late states it; periods.stated_date_ok).
        plan["deal_on"] = to_date(data.get("concluded_on"), "concluded_on", default=today)
    if t.needs_deal or "tranches" in needs or "contract" in needs:
        project.deal_price, project.buyer = deal_price, buyer[:200]
    return plan


def free_recipient(data: dict[str, Any]) -> tuple[Unit | None, str]:
    """The recipient of a free transfer: a unit (any kind: all are state entities), or a name
    confirmed to be a state entity (``counterparty_soe``)."""
    ref, name = data.get("counterparty_unit"), (data.get("counterparty") or "").strip()
    if ref not in (None, ""):
        unit = ref if isinstance(ref, Unit) else Unit.objects.filter(pk=_int(ref)).first()
        if unit is None:
            raise ValidationError(
                {"counterparty_unit": [_("Unknown unit “%(ref)s”.") % {"ref": ref}]}
            )
        return unit, unit.name
    if not name:
        raise ValidationError(
            {
                "counterparty": [
                    _("A free transfer names its recipient (a unit, or a state entity's name).")
                ]
            }
        )
    return None, name


def recipient_code(data: dict[str, Any], unit: Unit | None) -> str:
    """The recipient's unified social credit code: the one given, else its unit's."""
    given = normalise_credit_code(str(data.get("counterparty_credit_code") or ""))
    return (given or (unit.credit_code if unit else ""))[:18]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _tranches(raw) -> list[dict]:
    if not raw:
        raise ValidationError({"tranches": [_("Give at least one tranche (name, size, rate).")]})
    out, names = [], set()
    for i, tr in enumerate(raw, start=1):
        get = tr.get if isinstance(tr, dict) else (lambda k, _tr=tr: getattr(_tr, k, None))
        name = (get("name") or "").strip()
        if not name or name in names:
            raise ValidationError(
                {"tranches": [_("Tranche %(i)s: a name, unique in the deal.") % {"i": i}]}
            )
        names.add(name)
        size = _money(get("size"), "tranches")
        try:
            rate = Decimal(str(get("rate")))
        except (InvalidOperation, ValueError):
            rate = Decimal(-1)
        if not rate.is_finite() or not 0 <= rate <= 100:
            raise ValidationError(
                {"tranches": [_("Tranche %(name)s: the rate is 0–100 %%.") % {"name": name}]}
            )
        out.append({"name": name[:100], "size": size, "rate": rate.quantize(Decimal("0.001"))})
    return out


def _contract_input(data: dict[str, Any], buyer: str) -> dict[str, Any]:
    counterparty = (data.get("counterparty") or buyer or "").strip()
    if not counterparty:
        raise ValidationError({"counterparty": [_("Name the tenant or concessionaire.")]})
    start = to_date(data.get("term_start"), "term_start")
    end = to_date(data.get("term_end"), "term_end")
    if end <= start:
        raise ValidationError(
            {"term_end": [_("The term ends after it starts (%(start)s).") % {"start": start}]}
        )
    frequency = data.get("frequency") or ""
    if frequency not in Frequency.values:
        raise ValidationError(
            {
                "frequency": [
                    _("Payment frequency is one of %(choices)s.")
                    % {"choices": ", ".join(Frequency.values)}
                ]
            }
        )
    amount = _money(data.get("period_amount"), "period_amount")
    deposit = data.get("deposit")
    deposit = Decimal("0.00") if deposit in (None, "") else _money(deposit, "deposit", zero_ok=True)
    return {"counterparty": counterparty[:200], "term_start": start, "term_end": end,
            "frequency": frequency, "period_amount": amount, "deposit": deposit,
            "tender_ref": str(data.get("tender_ref") or "").strip()[:200]}  # fmt: skip


def finish(t: Transition, *, project: DisposalProject, actor, today: dt.date, plan: dict) -> dict:
    """Write the channel records of the step; return a summary for the audit entry."""
    note: dict[str, Any] = {}
    if "terms" in plan:
        ChannelTerms.objects.update_or_create(project=project, defaults=plan["terms"])
        note["counterparty"] = plan["terms"].get("counterparty_name", "")
        if plan["terms"].get("evidence_kind"):
            note["evidence"] = f"{plan['terms']['evidence_kind']} {plan['terms']['evidence_ref']}"
    if "terms_extra" in plan:
        ChannelTerms.objects.filter(project=project).update(**plan["terms_extra"])
        note["approval"] = (
            f"{plan['terms_extra']['approval_body']} " + (plan["terms_extra"]["approval_ref"])
        )
    if "round" in plan:
        r = plan["round"]
        n = project.rounds.count() + 1
        disclosure = max(deadlines.due("disclosure_due", project, r["listed_on"]), plan["ends"])
        ListingRound.objects.create(project=project, number=n, disclosure_ends=disclosure,
                                    recorded_by=actor, **r)  # fmt: skip
        note.update(round=n, listed_on=str(r["listed_on"]), disclosure_ends=str(disclosure))
        plan["due_on"] = disclosure
    if "relist" in plan:
        current = _open_round(project)
        if current:
            current.result, current.ended_on = ListingRound.Result.NO_SALE, today
            current.save(update_fields=["result", "ended_on"])
        r = plan["relist"]
        n = project.rounds.count() + 1
        disclosure = max(deadlines.due("disclosure_due", project, r["listed_on"]), plan["ends"])
        ListingRound.objects.create(project=project, number=n, disclosure_ends=disclosure,
                                    recorded_by=actor, **r)  # fmt: skip
        note.update(round=n, reserve=str(r["reserve"]), listed_on=str(r["listed_on"]),
                    disclosure_ends=str(disclosure))  # fmt: skip
        plan["due_on"] = disclosure
    if "extend" in plan:
        current = _open_round(project)
        note.update(round=current.number, disclosure_ends=str(plan["extend"]),
                    previous_end=str(current.disclosure_ends))  # fmt: skip
        current.disclosure_ends = plan["extend"]
        current.save(update_fields=["disclosure_ends"])
        plan["due_on"] = plan["extend"]
    if t.name == "confirm_payment" and project.result_published_on is not None:
        # Paid in full: the project waits for the end of the result notice to close.
        plan["due_on"] = deadlines.due("notice_due", project, project.result_published_on)
    if "notice" in t.needs:
        note["published_on"] = str(project.result_published_on)
    if "sold" in plan:
        current = _open_round(project) or ListingRound.objects.create(
            project=project, number=project.rounds.count() + 1, platform="",
            listed_on=today, reserve=project.reserve_price, recorded_by=actor,
        )  # fmt: skip
        deal_on = plan.get("deal_on", today)
        current.result, current.ended_on = ListingRound.Result.SOLD, deal_on
        note["concluded_on"] = str(deal_on)
        current.bidders = plan["sold"]["bidders"]
        current.deal_price, current.buyer = project.deal_price, project.buyer
        full_clean(current)
        current.save()
        note["bidders"] = current.bidders
        if current.single_bidder:
            # One qualified bidder: no competition. Flagged in the audit entry, on the round
            # and the timeline; the sale counts as negotiated (State-Owned Assets Law art. 54).
            note["flag"] = SINGLE_BIDDER
            note["counts_as"] = Channel.NEGOTIATED.value
            plan["event_note"] = SINGLE_BIDDER_NOTE
    if t.needs_deal and project.channel in {Channel.AUCTION, Channel.EXCHANGE, Channel.NEGOTIATED}:
        due = deadlines.due("payment_due", project, plan.get("deal_on", today))
        _expected(project, [(due, project.deal_price, money.PAYMENT, "")])
        if "deal_on" in plan:
            plan["due_on"] = due
    if "tranches" in plan:
        due = deadlines.due("payment_due", project, today)
        Tranche.objects.bulk_create(Tranche(project=project, **tr) for tr in plan["tranches"])
        _expected(project, [(due, tr["size"], money.TRANCHE, tr["name"])
                            for tr in plan["tranches"]])  # fmt: skip
        note["tranches"] = [tr["name"] for tr in plan["tranches"]]
    if "contract" in plan:
        c = Contract(project=project, **plan["contract"])
        full_clean(c)
        c.save()
        kind = money.RENT if project.channel == Channel.LEASE else money.FEE
        rows = [(d, c.period_amount, kind, "") for d in
                schedule(c.term_start, c.term_end, c.frequency, c.period_amount)]  # fmt: skip
        if c.deposit > 0:
            rows.insert(0, (c.term_start, c.deposit, money.DEPOSIT, ""))
        project.deal_price = _expected(project, rows)
        note.update(term_end=str(c.term_end), schedule=len(rows))
        plan["due_on"] = c.term_end
    if "renewal" in plan:
        c = project.contract
        r = plan["renewal"]
        ContractRenewal.objects.create(
            contract=c, previous_end=c.term_end, new_end=r["new_end"],
            period_amount=r["period_amount"], renewed_by=actor,
        )  # fmt: skip
        kind = money.RENT if project.channel == Channel.LEASE else money.FEE
        # The schedule goes on from the old end in the contract's rhythm.
        rows = [(d, r["period_amount"], kind, "") for d in
                schedule(c.term_end, r["new_end"], c.frequency, r["period_amount"])]  # fmt: skip
        project.deal_price += _expected(project, rows)
        c.term_end, c.period_amount = r["new_end"], r["period_amount"]
        c.save(update_fields=["term_end", "period_amount"])
        note.update(term_end=str(c.term_end), schedule_added=len(rows))
        plan["due_on"] = c.term_end
    if t.effect == "arrears_on":
        owed, since = money.arrears(project, today=today)
        if owed <= 0:
            raise ValidationError(
                {
                    "transition": [
                        _(
                            "“%(name)s” needs money due and unpaid before %(today)s; %(project)s "
                            "has none."
                        )
                        % {"name": t.name, "today": today, "project": project.code}
                    ]
                }
            )
        note["arrears"] = str(owed)
        plan["due_on"] = since
    if t.effect == "arrears_off":
        owed, since = money.arrears(project, today=today)
        if owed > 0:
            raise ValidationError(
                {
                    "transition": [
                        _(
                            "“%(name)s” needs the arrears paid: %(owed)s due since %(since)s is "
                            "still unpaid."
                        )
                        % {"name": t.name, "owed": owed, "since": since}
                    ]
                }
            )
        plan["due_on"] = project.contract.term_end
    if t.effect == "end":
        c = project.contract
        cut = max(today, c.term_start)
        # What falls due after the end is not owed; the first period always is.
        n = money.cancel_due_after(project, cut=cut)
        c.ended_on = today
        c.save(update_fields=["ended_on"])
        value = money.scheduled_total(project)
        received = money.received_total(project)
        if received > value:
            raise ValidationError(
                {
                    "transition": [
                        _(
                            "%(received)s was received, more than the %(value)s due up to the end; "
                            "record the refund before ending the contract."
                        )
                        % {"received": received, "value": value}
                    ]
                }
            )
        project.deal_price = value
        note.update(cancelled=n, contract_value=str(value))
    if t.effect == "settle":
        terms = project.terms
        s = money.settle_debt(actor=actor, debt=terms.debt, project=project,
                                 amount=project.deal_price, on=today)  # fmt: skip
        note.update(debt=terms.debt.code, settled=str(s.amount))
    return note
