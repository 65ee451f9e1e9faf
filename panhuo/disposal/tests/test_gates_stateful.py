"""Random walks through the HTTP API of each channel issue 12 gates (free transfer, scrap,
loss, write-off, and the gated negotiated transfer and lease): no project gets past its deal
unless every gate passes on what was recorded, or an approved exception covers it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone
from hypothesis import strategies as st

from panhuo.core.testing import AssetFactory
from panhuo.disposal.channel_models import ART31_APPROVER, EVIDENCE_FOR, MONTHS, EvidenceKind
from panhuo.disposal.pricing_guard import written_approval
from panhuo.disposal.tests.stateful import Scenario, run
from panhuo.disposal.tests.test_channels_practice import CODE, rent_appraise
from panhuo.organisation.credit_code import credit_code_valid
from panhuo.organisation.models import Unit
from panhuo.pricing.rules import Thresholds, add_months
from panhuo.pricing.selectors import package_appraisal, package_rent_appraisal
from panhuo.register.models import Asset

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
A = D("1000000.00")
BAD_CODE = CODE[:-1] + "4"
T = Thresholds()


def _none(name, ctx):
    return st.just({})


def _soe(w, code=CODE, n=1) -> Unit:
    return Unit.objects.create(
        code=f"SOE-{n}",
        name=f"State Co. {n}",
        kind="soe",
        jurisdiction=w.district,
        credit_code=code,
    )


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


# --- Free transfer ----------------------------------------------------------------------------


def _free_setup(w):
    return {
        "assets": [AssetFactory(unit=w.unit, appraisal=False).pk],
        "soe": _soe(w).pk,
        "nocode": _soe(w, code="", n=2).pk,
    }


def _free_bodies(name, ctx):
    if name != "submit":
        return st.just({})
    return st.one_of(
        st.just({"counterparty_unit": ctx["soe"]}),
        st.builds(lambda u: {"counterparty_unit": u}, st.sampled_from([ctx["soe"], ctx["nocode"]])),
        st.builds(
            lambda soe, code: _drop_none(
                {
                    "counterparty": "Qinghe Water",
                    "counterparty_soe": soe,
                    "counterparty_credit_code": code,
                }
            ),
            st.booleans(),
            st.sampled_from([CODE, BAD_CODE, "", None, "9135 0100 M000 100Y43"]),
        ),
    )


def _free_oracle(p, ctx):
    terms = getattr(p, "terms", None)
    failed = []
    if not (terms and terms.counterparty_soe and credit_code_valid(terms.counterparty_credit_code)):
        failed.append("free_transfer_recipient")
    if p.deal_price != 0:
        failed.append("zero price")
    return failed


# --- Scrap, loss, write-off -------------------------------------------------------------------


def _zero_setup(w):
    return {"assets": [AssetFactory(unit=w.unit, appraisal=False, kind="equipment").pk]}


def _evidence_bodies(name, ctx):
    if name != "submit":
        return st.just({})
    good = {"evidence_ref": "EV-1", "evidence_issuer": "Qinghe Testing Centre"}
    return st.one_of(
        st.builds(
            lambda kind: {**good, "evidence_kind": kind}, st.sampled_from(EvidenceKind.values)
        ),
        _random_evidence(),
    )


def _random_evidence():
    return st.builds(
        lambda kind, ref, issuer: _drop_none(
            {"evidence_kind": kind, "evidence_ref": ref, "evidence_issuer": issuer}
        ),
        st.sampled_from([*EvidenceKind.values, None]),
        st.sampled_from(["", "EV-1", "  "]),
        st.sampled_from(["", "Qinghe Testing Centre"]),
    )


def _evidence_oracle(channel):
    def oracle(p, ctx):
        terms = getattr(p, "terms", None)
        failed = []
        if not (
            terms
            and terms.evidence_kind in EVIDENCE_FOR[channel]
            and terms.evidence_ref.strip()
            and terms.evidence_issuer.strip()
        ):
            failed.append(f"{channel} evidence")
        if p.deal_price != 0:
            failed.append("zero price")
        if Asset.objects.filter(pk__in=ctx["assets"]).exclude(status="written_off").exists():
            failed.append("assets not written off")
        return failed

    return oracle


# --- Negotiated transfer ----------------------------------------------------------------------


def _negotiated_setup(w):
    return {"assets": [AssetFactory(unit=w.unit, appraisal=A).pk], "soe": _soe(w).pk}


def _negotiated_bodies(name, ctx):
    if name == "submit":
        return st.builds(
            lambda case: _drop_none({"counterparty_unit": ctx["soe"], "art31_case": case}),
            st.sampled_from(["intra_group", "intra_group", "state_restructuring", None]),
        )
    if name == "conclude":
        good = {"deal_price": "1000000.00", "approval_body": "enterprise", "approval_ref": "GD-1"}
        return st.one_of(st.just(good), _random_conclude())
    return st.just({})


def _random_conclude():
    return st.builds(
        lambda price, body, ref: _drop_none(
            {"deal_price": price, "approval_body": body, "approval_ref": ref}
        ),
        st.sampled_from(["950000.00", "999999.99", "1000000.00", "1000000.01", "600000.00"]),
        st.sampled_from(["enterprise", "supervisor", None]),
        st.sampled_from(["", "GD-2026-7"]),
    )


def _negotiated_oracle(p, ctx):
    terms = getattr(p, "terms", None)
    case = terms.art31_case if terms else ""
    failed = []
    if case not in ART31_APPROVER:
        failed.append("negotiated_case")
    elif terms.approval_body != ART31_APPROVER[case] or not terms.approval_ref.strip():
        failed.append("negotiated_approval")
    appraised = package_appraisal(p.package).total
    if p.deal_price < appraised:  # no exception lowers it (Order 32 art. 32)
        failed.append("negotiated_below_appraisal")
    return failed


# --- Lease-out --------------------------------------------------------------------------------

RENT = D("100000.00")  # appraised yearly rent; the tender threshold is 100,000 too


def _lease_setup(w):
    asset = AssetFactory(unit=w.unit, appraisal=False)
    rent_appraise(asset, RENT)
    return {"assets": [asset.pk]}


def _lease_bodies(name, ctx):
    today = timezone.localdate()
    ends = [
        add_months(today, 12),
        add_months(today, 60),
        add_months(today, 60) + dt.timedelta(days=1),
        add_months(today, 240),
    ]
    if name == "sign":
        good = {
            "counterparty": "Tenant Ltd",
            "term_start": str(today),
            "frequency": "yearly",
            "term_end": str(ends[0]),
            "period_amount": "100000.00",
        }
        return st.one_of(st.just(good), _random_sign(today, ends))
    if name == "renew":
        return st.builds(lambda end: {"term_end": str(end)}, st.sampled_from(ends[1:]))
    return st.just({})


def _random_sign(today, ends):
    return st.builds(
        lambda end, amount, freq, tender: {
            "counterparty": "Tenant Ltd",
            "term_start": str(today),
            "term_end": str(end),
            "period_amount": amount,
            "frequency": freq,
            "tender_ref": tender,
        },
        st.sampled_from(ends),
        st.sampled_from(
            [
                "1.00",
                "17499.99",
                "17500.00",
                "24999.99",
                "25000.00",
                "25000.01",
                "69999.99",
                "100000.00",
                "100000.01",
            ]
        ),
        st.sampled_from(["yearly", "quarterly"]),
        st.sampled_from(["", "QH-T-1"]),
    )


def _lease_oracle(p, ctx):
    c = getattr(p, "contract", None)
    if c is None:
        return ["no contract"]
    failed = []
    if c.term_end > add_months(c.term_start, 12 * T.lease_max_years):
        failed.append("lease_term_too_long")
    appraised = package_rent_appraisal(p.package).yearly
    yearly = c.period_amount * 12 / MONTHS[c.frequency]
    if yearly < appraised and not written_approval(p, yearly):
        failed.append("lease_rent_below_appraisal")
    years = D((c.term_end - c.term_start).days) / 365
    if yearly * years < appraised * years * T.token_price_pct / 100 and not written_approval(
        p, yearly
    ):
        failed.append("give_away_rent")
    if max(yearly, appraised) > T.lease_tender_rent and not c.tender_ref:
        failed.append("lease_tender_required")
    return failed


SCENARIOS = {
    "free_transfer": Scenario("free_transfer", _free_setup, _free_bodies, _free_oracle),
    **{
        ch: Scenario(ch, _zero_setup, _evidence_bodies, _evidence_oracle(ch))
        for ch in ("scrap", "loss", "write_off")
    },
    "negotiated": Scenario(
        "negotiated",
        _negotiated_setup,
        _negotiated_bodies,
        _negotiated_oracle,
        exception_amounts=lambda ctx: st.sampled_from(["850000", "600000"]),
        reserve=str(A),
    ),
    "lease": Scenario(
        "lease",
        _lease_setup,
        _lease_bodies,
        _lease_oracle,
        exception_amounts=lambda ctx: st.sampled_from(["1.00", "70000.00", "99999.96"]),
        reserve="1.00",
    ),
}


@pytest.mark.parametrize("channel", sorted(SCENARIOS))
def test_no_project_passes_its_deal_without_its_gates(world, channel):
    run(world, SCENARIOS[channel])
