"""The gates of the channels practice uses and of give-aways (issue 12, items 4 and 7).

Each gate is one named function of the figures it judges: it returns None when the rule is met
and raises :class:`panhuo.core.gates.GateRefused` naming the rule, its legal source and what
would let the step through otherwise. ``channel_guard`` applies them to the transitions (inside
``project_transition``'s transaction, so a refusal writes nothing); the thresholds come from the
jurisdiction's price rules (``pricing.rules.Thresholds``: token_price_pct, lease_max_years,
lease_tender_rent).

Where a source is cited without an article, the document is the source and the article was not
verified; the README's list of gates says the same.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from panhuo.core.gates import GateRefused, rule
from panhuo.core.money import CENT
from panhuo.organisation.credit_code import credit_code_valid
from panhuo.pricing.rules import add_months

HUNDRED = Decimal(100)

NEGOTIATED_CASE = rule(
    "negotiated_case",
    _("A negotiated (non-public) transfer only in the cases Order 32 allows"),
    _("Order 32 (SASAC/MoF) art. 31"),
    owner="disposal",
)
NEGOTIATED_APPROVAL = rule(
    "negotiated_approval",
    _("A negotiated transfer needs the approval its art. 31 case names"),
    _("Order 32 (SASAC/MoF) art. 31"),
    owner="disposal",
)
NEGOTIATED_PRICE = rule(
    "negotiated_below_appraisal",
    _("A negotiated transfer's price is not below the appraisal"),
    _("Order 32 (SASAC/MoF) art. 32"),
    owner="disposal",
)
FREE_TRANSFER_RECIPIENT = rule(
    "free_transfer_recipient",
    _("A free transfer goes to a state entity identified by its unified social credit code"),
    _("SASAC free-transfer measures (国资发产权〔2005〕239号) art. 2; GB 32100-2015"),
    owner="disposal",
)
SCRAP_EVIDENCE = rule(
    "scrap_technical_appraisal",
    _("Scrapping needs a technical appraisal report"),
    _("Rules on recognising asset losses (国资评价〔2003〕72号); Decree 738 on disposals"),
    owner="disposal",
)
LOSS_EVIDENCE = rule(
    "loss_evidence",
    _("A loss write-down needs evidence of the loss"),
    _("Rules on recognising asset losses (国资评价〔2003〕72号)"),
    owner="disposal",
)
WRITE_OFF_EVIDENCE = rule(
    "write_off_evidence",
    _("A write-off needs evidence that the asset is irrecoverable"),
    _("Rules on recognising asset losses (国资评价〔2003〕72号)"),
    owner="disposal",
)
GIVE_AWAY_PRICE = rule(
    "give_away_price",
    _("No sale or transfer at a token price"),
    _(
        "State-Owned Assets Law art. 55; SPC interpretation 法释〔2023〕13号 art. 42 "
        "(below 70 per cent is an obviously unreasonable price)"
    ),
    owner="disposal",
)
GIVE_AWAY_RENT = rule(
    "give_away_rent",
    _("No lease at a token rent: the rent over the term against the appraised rental value"),
    _("State-Owned Assets Law art. 55; SPC interpretation 法释〔2023〕13号 art. 42"),
    owner="disposal",
)
LEASE_RENT_APPRAISAL = rule(
    "lease_rent_appraisal",
    _("A lease needs a current rent appraisal of every asset"),
    _("Decree 738 on leases (market rent); local lease rules"),
    owner="disposal",
)
LEASE_RENT_BELOW = rule(
    "lease_rent_below_appraisal",
    _("A rent below the appraised rent needs approval"),
    _("Decree 738 on leases (market rent); local lease rules"),
    owner="disposal",
)
LEASE_TERM = rule(
    "lease_term_too_long",
    _("A lease runs at most the configured number of years"),
    _("Local lease rules for state assets (5 years in principle)"),
    owner="disposal",
)
LEASE_TENDER = rule(
    "lease_tender_required",
    _("A lease above the configured yearly rent goes to public tender"),
    _("Decree 738 on leases (public competition in principle); local lease rules"),
    owner="disposal",
)


def _pct(value: Decimal, pct: Decimal) -> Decimal:
    return (Decimal(value) * Decimal(pct) / HUNDRED).quantize(CENT)


def _yuan(value: Decimal) -> str:
    return f"{Decimal(value):,.2f}"


def term_years(start: dt.date, end: dt.date) -> Decimal:
    """A term's length in years (365-day years, to 4 places): what the appraised yearly rent is
    multiplied by to give the rental value over the term."""
    return (Decimal((end - start).days) / Decimal(365)).quantize(Decimal("0.0001"))


# --- Negotiated transfer (Order 32 art. 31, 32) ----------------------------------------------


def negotiated_case_ok(*, case: str, allowed: set[str]) -> None:
    """Order 32 art. 31 allows a non-public transfer only for restructuring between state-owned
    enterprises (supervisor's approval) or within one group (the group enterprise's decision)."""
    if case in allowed:
        return
    raise GateRefused(
        NEGOTIATED_CASE,
        field="art31_case",
        message=_(
            "A negotiated transfer must name its Order 32 art. 31 case (restructuring between "
            "state-owned enterprises, or within one group); “%(case)s” is none of them."
        ),
        unblock=_("name the art. 31 case, or offer the asset publicly (auction or exchange)."),
        params={"case": case or "—"},
    )


def negotiated_approval_ok(*, case: str, needed: str, body: str, ref: str) -> None:
    """The approval art. 31 names for the case (the supervisor's, or the group enterprise's
    decision) is recorded with its document number before the transfer is signed."""
    if body == needed and (ref or "").strip():
        return
    raise GateRefused(
        NEGOTIATED_APPROVAL,
        field="approval_ref",
        message=_(
            "The art. 31 case “%(case)s” needs the approval of the %(needed)s, recorded with "
            "its document number; none is recorded."
        ),
        unblock=_("record that approval (approved by, document number, date)."),
        params={"case": case, "needed": needed},
    )


def negotiated_price_ok(*, price: Decimal, appraised: Decimal) -> None:
    """Order 32 art. 32: a non-public transfer's price is not below the appraised value. No
    exception lets it lower."""
    if Decimal(price) >= Decimal(appraised):
        return
    raise GateRefused(
        NEGOTIATED_PRICE,
        field="deal_price",
        message=_(
            "The negotiated price %(price)s yuan is below the appraised value %(appraised)s "
            "yuan (%(share)s %%); a non-public transfer may not go below the appraisal."
        ),
        unblock=_("agree a price of at least the appraised value, or offer the asset publicly."),
        params={
            "price": _yuan(price),
            "appraised": _yuan(appraised),
            "share": f"{Decimal(price) * HUNDRED / Decimal(appraised):.1f}" if appraised else "—",
        },
    )


# --- Free transfer (无偿划转) -------------------------------------------------------------


def free_transfer_recipient_ok(*, credit_code: str, state_entity: bool) -> None:
    """The recipient is a state entity named by a well-formed unified social credit code."""
    if credit_code_valid(credit_code or "") and state_entity:
        return
    if not state_entity:
        message = _("A free transfer goes only to a state entity; the recipient is not one.")
    else:
        message = _(
            "“%(code)s” is not a valid unified social credit code (18 characters, check "
            "character per GB 32100-2015)."
        )
    raise GateRefused(
        FREE_TRANSFER_RECIPIENT,
        field="counterparty_credit_code",
        message=message,
        unblock=_("name a state unit and give its 18-character unified social credit code."),
        params={"code": credit_code or "—"},
    )


# --- Scrap, loss, write-off (报废, 报损, 核销) -------------------------------------------------


def _require_evidence(gate, *, kind: str, accepted: frozenset[str], ref: str, issuer: str) -> None:
    if kind in accepted and (ref or "").strip() and (issuer or "").strip():
        return
    raise GateRefused(
        gate,
        field="evidence_kind",
        message=_(
            "This needs one of: %(accepted)s, with its document number and issuer; "
            "recorded: %(kind)s."
        ),
        unblock=_("record the evidence (kind, document number, issuer, date)."),
        params={"accepted": ", ".join(sorted(accepted)), "kind": kind or "—"},
    )


def scrap_evidence_ok(*, kind: str, accepted: frozenset[str], ref: str, issuer: str) -> None:
    """Scrapping (报废) needs a technical appraisal of the asset's condition."""
    _require_evidence(SCRAP_EVIDENCE, kind=kind, accepted=accepted, ref=ref, issuer=issuer)


def loss_evidence_ok(*, kind: str, accepted: frozenset[str], ref: str, issuer: str) -> None:
    """A loss write-down (报损) needs a police report, insurance assessment, disaster
    certificate or liability determination."""
    _require_evidence(LOSS_EVIDENCE, kind=kind, accepted=accepted, ref=ref, issuer=issuer)


def write_off_evidence_ok(*, kind: str, accepted: frozenset[str], ref: str, issuer: str) -> None:
    """A write-off (核销) needs a court ruling, a liquidation or a deregistration certificate."""
    _require_evidence(WRITE_OFF_EVIDENCE, kind=kind, accepted=accepted, ref=ref, issuer=issuer)


# --- Give-aways (item 7) ----------------------------------------------------------------------


def give_away_price_ok(
    *, price: Decimal, appraised: Decimal, token_pct: Decimal, approved: bool, field: str
) -> None:
    """A sale or transfer price (or a listing reserve) below ``token_pct`` % of the appraisal
    is a give-away: refused unless an approved price exception covers that price."""
    floor = _pct(appraised, token_pct)
    if Decimal(price) >= floor or approved:
        return
    raise GateRefused(
        GIVE_AWAY_PRICE,
        field=field,
        message=_(
            "%(price)s yuan is below %(pct)s %% of the appraised value %(appraised)s yuan "
            "(%(floor)s yuan): a give-away."
        ),
        unblock=_("an approved price exception covering this price (request it on the project)."),
        params={
            "price": _yuan(price),
            "pct": token_pct,
            "appraised": _yuan(appraised),
            "floor": _yuan(floor),
        },
    )


def give_away_rent_ok(
    *,
    total_rent: Decimal,
    appraised_yearly: Decimal,
    years: Decimal,
    token_pct: Decimal,
    approved: bool,
) -> None:
    """The rent over the whole term against the appraised rental value over it (appraised
    yearly rent × years): below ``token_pct`` % it is a give-away, refused unless an approved
    exception covers the rent."""
    value = (Decimal(appraised_yearly) * Decimal(years)).quantize(CENT)
    floor = _pct(value, token_pct)
    if Decimal(total_rent) >= floor or approved:
        return
    raise GateRefused(
        GIVE_AWAY_RENT,
        field="period_amount",
        message=_(
            "The rent over the term, %(total)s yuan, is below %(pct)s %% of the appraised "
            "rental value over %(years)s years, %(value)s yuan (%(floor)s yuan): a give-away."
        ),
        unblock=_(
            "an approved price exception covering this yearly rent (request it on the project)."
        ),
        params={
            "total": _yuan(total_rent),
            "pct": token_pct,
            "years": f"{Decimal(years):.2f}",
            "value": _yuan(value),
            "floor": _yuan(floor),
        },
    )


# --- Lease-out ------------------------------------------------------------------------------


def lease_rent_appraisal_ok(*, missing: list[str]) -> None:
    """Every leased asset has a current rent appraisal (its appraised yearly rent)."""
    if not missing:
        return
    raise GateRefused(
        LEASE_RENT_APPRAISAL,
        field="period_amount",
        message=_("No current rent appraisal of: %(assets)s."),
        unblock=_("record a licensed appraiser's rent appraisal of each asset (Valuations)."),
        params={"assets": ", ".join(missing[:20])},
    )


def lease_rent_ok(*, yearly_rent: Decimal, appraised_yearly: Decimal, approved: bool) -> None:
    """A yearly rent below the appraised yearly rent needs an approved exception."""
    if Decimal(yearly_rent) >= Decimal(appraised_yearly) or approved:
        return
    raise GateRefused(
        LEASE_RENT_BELOW,
        field="period_amount",
        message=_(
            "The yearly rent %(rent)s yuan is below the appraised yearly rent %(appraised)s yuan."
        ),
        unblock=_(
            "an approved price exception covering this yearly rent (request it on the project)."
        ),
        params={"rent": _yuan(yearly_rent), "appraised": _yuan(appraised_yearly)},
    )


def lease_term_ok(*, start: dt.date, end: dt.date, max_years: int) -> None:
    """A lease (with its renewals) ends no later than ``max_years`` after it starts."""
    last = add_months(start, 12 * int(max_years))
    if end <= last:
        return
    raise GateRefused(
        LEASE_TERM,
        field="term_end",
        message=_(
            "The term %(start)s – %(end)s is longer than %(years)s years (it may end on "
            "%(last)s at the latest)."
        ),
        unblock=_("shorten the term; at its end, tender the lease again."),
        params={"start": start, "end": end, "years": max_years, "last": last},
    )


def lease_tender_ok(
    *, yearly_rent: Decimal, appraised_yearly: Decimal, tender_ref: str, threshold: Decimal
) -> None:
    """A lease whose yearly rent (the agreed or the appraised one, whichever is higher, so a
    low rent cannot dodge the tender) is above ``threshold`` is let by public tender."""
    judged = max(Decimal(yearly_rent), Decimal(appraised_yearly))
    if judged <= Decimal(threshold) or (tender_ref or "").strip():
        return
    raise GateRefused(
        LEASE_TENDER,
        field="tender_ref",
        message=_(
            "A yearly rent of %(rent)s yuan is above %(threshold)s yuan: the lease goes to "
            "public tender, and no tender notice is recorded."
        ),
        unblock=_("let the lease by public tender and record its notice."),
        params={"rent": _yuan(judged), "threshold": _yuan(threshold)},
    )
