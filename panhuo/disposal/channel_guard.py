"""The guard that applies ``disposal.gates`` to the transitions (registered in hooks.install).

It runs inside ``project_transition``'s transaction, after the channel's table has allowed the
step and before anything is written, like the pricing guard. What it judges:

- negotiated transfer: the Order 32 art. 31 case at submission; at signing the case again, the
  approval the case names, and a price not below the appraisal (art. 32);
- free transfer: a state recipient with a valid unified social credit code, at submission and
  again at the hand-over;
- scrap, loss, write-off: the evidence each needs, at submission and again at the final step;
- every sale, transfer or listing (the channels of ``pricing.rules.SELLING_CHANNELS``): no
  token price (item 7);
- lease: a current rent appraisal, no token rent over the term, approval for a rent below the
  appraised rent, the longest term, public tender above the configured rent (at signing and at
  each renewal).

Malformed input is left to ``channels.prepare``, which names the field; this guard then returns
without judging, and the step is refused there.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, to_amount, to_date
from panhuo.disposal import channels, gates
from panhuo.disposal.channel_models import ART31_APPROVER, EVIDENCE_FOR, MONTHS, Art31Case
from panhuo.disposal.models import Channel
from panhuo.disposal.pricing_guard import input_amount, written_approval
from panhuo.disposal.workflow import table_for
from panhuo.pricing.rules import SELLING_CHANNELS
from panhuo.pricing.selectors import (
    package_appraisal,
    package_rent_appraisal,
    thresholds_for_package,
)

EVIDENCE_GATES = {
    Channel.SCRAP: gates.scrap_evidence_ok,
    Channel.LOSS: gates.loss_evidence_ok,
    Channel.WRITE_OFF: gates.write_off_evidence_ok,
}


def channel_guard(*, actor, project, transition: str, data: dict) -> None:
    t = table_for(project.channel).get(transition)
    if t is None:
        return
    channel, needs = project.channel, t.needs
    terms = getattr(project, "terms", None) if project.pk else None
    if "art31_case" in needs:
        gates.negotiated_case_ok(case=str(data.get("art31_case") or ""), allowed=_cases())
    if "art31_approval" in needs:
        _negotiated_deal(project, terms, data)
    if "free_recipient" in needs:
        _free_recipient(data)
    if "evidence" in needs:
        _evidence(channel, data)
    if "zero_deal" in needs:
        _recheck_terms(channel, terms)
    if channel in SELLING_CHANNELS and (transition in {"list", "relist"} or t.needs_deal):
        _no_token_price(project, transition, data)
    if channel == Channel.LEASE and needs & {"contract", "renewal"}:
        _lease(project, data, renewal="renewal" in needs)


def _cases() -> set[str]:
    return set(Art31Case.values)


def _negotiated_deal(project, terms, data: dict) -> None:
    case = terms.art31_case if terms else ""
    gates.negotiated_case_ok(case=case, allowed=_cases())
    gates.negotiated_approval_ok(
        case=case,
        needed=str(ART31_APPROVER[case]),
        body=str(data.get("approval_body") or ""),
        ref=str(data.get("approval_ref") or ""),
    )
    price = input_amount(data.get("deal_price"))
    found = package_appraisal(project.package, on=timezone.localdate())
    if price is not None and price > 0 and found.total:
        gates.negotiated_price_ok(price=price, appraised=found.total)


def _free_recipient(data: dict) -> None:
    try:
        unit, _name = channels.free_recipient(data)
    except ValidationError:
        return  # prepare names the field
    state = unit is not None or bool(data.get("counterparty_soe"))
    code = channels.recipient_code(data, unit)
    gates.free_transfer_recipient_ok(credit_code=code, state_entity=state)


def _evidence(channel: str, data: dict) -> None:
    EVIDENCE_GATES[channel](
        kind=str(data.get("evidence_kind") or ""),
        accepted=EVIDENCE_FOR[channel],
        ref=str(data.get("evidence_ref") or ""),
        issuer=str(data.get("evidence_issuer") or ""),
    )


def _recheck_terms(channel: str, terms) -> None:
    """The final step checks again what the submission recorded (a project submitted before a
    gate existed, or under another channel, has not passed it)."""
    if channel == Channel.FREE_TRANSFER:
        gates.free_transfer_recipient_ok(
            credit_code=terms.counterparty_credit_code if terms else "",
            state_entity=bool(terms and terms.counterparty_soe),
        )
    elif channel in EVIDENCE_GATES:
        EVIDENCE_GATES[channel](
            kind=terms.evidence_kind if terms else "",
            accepted=EVIDENCE_FOR[channel],
            ref=terms.evidence_ref if terms else "",
            issuer=terms.evidence_issuer if terms else "",
        )


def _no_token_price(project, transition: str, data: dict) -> None:
    if transition in {"list", "relist"}:
        price, field = (
            input_amount(data.get("reserve_price")) or project.reserve_price,
            "reserve_price",
        )
    else:
        price, field = input_amount(data.get("deal_price")), "deal_price"
    if price is None or price <= 0:
        return
    found = package_appraisal(project.package, on=timezone.localdate())
    if not found.total:
        return  # the pricing guard asks for the appraisal
    t = thresholds_for_package(project.package)
    gates.give_away_price_ok(
        price=price,
        appraised=found.total,
        token_pct=t.token_price_pct,
        approved=written_approval(project, price),
        field=field,
    )


def _lease(project, data: dict, *, renewal: bool) -> None:
    try:
        if renewal:
            c = project.contract
            start, frequency = c.term_start, c.frequency
            period_from = c.term_end
            end = to_date(data.get("term_end"), "term_end")
            amount = data.get("period_amount")
            amount = (
                c.period_amount if amount in (None, "") else to_amount(amount, "x", sign=ABOVE_ZERO)
            )
            tender_ref = c.tender_ref
        else:
            start = to_date(data.get("term_start"), "term_start")
            end = to_date(data.get("term_end"), "term_end")
            period_from = start
            frequency = str(data.get("frequency") or "")
            amount = to_amount(data.get("period_amount"), "period_amount", sign=ABOVE_ZERO)
            tender_ref = str(data.get("tender_ref") or "")
    except ValidationError:
        return  # prepare names the field
    if frequency not in MONTHS or end <= period_from:
        return
    on = timezone.localdate()
    t = thresholds_for_package(project.package)
    rent = package_rent_appraisal(project.package, on=on)
    gates.lease_rent_appraisal_ok(missing=rent.missing)
    yearly = (amount * 12 / MONTHS[frequency]).quantize(Decimal("0.01"))
    periods = len(channels.schedule(period_from, end, frequency, amount))
    approved = written_approval(project, yearly)
    gates.give_away_rent_ok(
        total_rent=amount * periods,
        appraised_yearly=rent.yearly,
        years=gates.term_years(period_from, end),
        token_pct=t.token_price_pct,
        approved=approved,
    )
    gates.lease_rent_ok(yearly_rent=yearly, appraised_yearly=rent.yearly, approved=approved)
    gates.lease_term_ok(start=start, end=end, max_years=t.lease_max_years)
    gates.lease_tender_ok(
        yearly_rent=yearly,
        appraised_yearly=rent.yearly,
        tender_ref=tender_ref,
        threshold=t.lease_tender_rent,
    )
