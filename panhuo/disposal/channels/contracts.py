"""The channels paid over time: a lease or a concession (a contract with its schedule, its
renewals, arrears and early end) and a securitisation's tranches.

``prepare`` checks the step's input and fills ``plan``; ``finish`` writes the contract, the
tranches and the money expected on them.
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
from panhuo.disposal.channel_models import MONTHS, Contract, ContractRenewal, Frequency, Tranche
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.disposal.workflow import Transition


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


def prepare(
    needs: frozenset[str], *, project: DisposalProject, deal_price, buyer: str,
    data: dict[str, Any], plan: dict[str, Any],
) -> tuple[Any, str]:  # fmt: skip
    """Check the tranches', the contract's or the renewal's input and fill ``plan``; return
    the deal price and buyer."""
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
        if amount in (None, ""):
            amount = contract.period_amount
        else:
            amount = to_amount(amount, "period_amount", sign=ABOVE_ZERO)
        plan["renewal"] = {"new_end": new_end, "period_amount": amount}
    return deal_price, buyer


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
        size = to_amount(get("size"), "tranches", sign=ABOVE_ZERO)
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
    amount = to_amount(data.get("period_amount"), "period_amount", sign=ABOVE_ZERO)
    deposit = data.get("deposit")
    if deposit in (None, ""):
        deposit = Decimal("0.00")
    else:
        deposit = to_amount(deposit, "deposit", sign=ZERO_OR_MORE)
    return {"counterparty": counterparty[:200], "term_start": start, "term_end": end,
            "frequency": frequency, "period_amount": amount, "deposit": deposit,
            "tender_ref": str(data.get("tender_ref") or "").strip()[:200]}  # fmt: skip


def finish(
    t: Transition, *, project: DisposalProject, actor, today: dt.date, plan: dict, note: dict
) -> None:
    """Write the tranches, the contract or its renewal, and the money expected on them; run
    the contract's effects (arrears on and off, the early end)."""
    if "tranches" in plan:
        due = deadlines.due("payment_due", project, today)
        Tranche.objects.bulk_create(Tranche(project=project, **tr) for tr in plan["tranches"])
        money.expect(project, [(due, tr["size"], money.TRANCHE, tr["name"])
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
        project.deal_price = money.expect(project, rows)
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
        project.deal_price += money.expect(project, rows)
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
