"""Each gate of the channels and give-aways (issue 12, items 4 and 7) at, just below and just
above its threshold: the function passes on one side and refuses on the other, naming its rule,
its source and the way through, in English and in Chinese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from panhuo.core.gates import RULES, GateRefused
from panhuo.disposal import gates
from panhuo.disposal.channel_models import EVIDENCE_FOR

CENT = D("0.01")
CODE = "91350100M000100Y43"  # a well-formed unified social credit code


def refused(fn, **kw) -> GateRefused:
    with pytest.raises(GateRefused) as exc:
        fn(**kw)
    return exc.value


def test_negotiated_price_at_below_and_above_the_appraisal():
    a = D("1000000.00")
    assert gates.negotiated_price_ok(price=a, appraised=a) is None
    assert gates.negotiated_price_ok(price=a + CENT, appraised=a) is None
    e = refused(gates.negotiated_price_ok, price=a - CENT, appraised=a)
    assert e.rule.code == "negotiated_below_appraisal" and e.field == "deal_price"
    # The reported abuse: 95 % of the appraisal.
    assert "95.0 %" in refused(gates.negotiated_price_ok, price=D("950000"), appraised=a).text


def test_negotiated_case_and_approval():
    allowed = {"state_restructuring", "intra_group"}
    assert gates.negotiated_case_ok(case="intra_group", allowed=allowed) is None
    assert refused(gates.negotiated_case_ok, case="", allowed=allowed).field == "art31_case"
    ok = {"case": "intra_group", "needed": "enterprise"}
    assert gates.negotiated_approval_ok(**ok, body="enterprise", ref="GD-7") is None
    for body, ref in (("enterprise", " "), ("supervisor", "GD-7"), ("", "")):
        e = refused(gates.negotiated_approval_ok, **ok, body=body, ref=ref)
        assert e.rule.code == "negotiated_approval"


def test_free_transfer_recipient_needs_a_state_entity_and_a_valid_code():
    assert gates.free_transfer_recipient_ok(credit_code=CODE, state_entity=True) is None
    bad = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    assert (
        refused(gates.free_transfer_recipient_ok, credit_code=bad, state_entity=True).field
        == "counterparty_credit_code"
    )
    assert refused(gates.free_transfer_recipient_ok, credit_code=CODE, state_entity=False)


@pytest.mark.parametrize(
    ("fn", "channel", "good"),
    [
        (gates.scrap_evidence_ok, "scrap", "technical_appraisal"),
        (gates.loss_evidence_ok, "loss", "police_report"),
        (gates.write_off_evidence_ok, "write_off", "court_ruling"),
    ],
)
def test_zero_price_channels_need_their_evidence(fn, channel, good):
    accepted = EVIDENCE_FOR[channel]
    assert fn(kind=good, accepted=accepted, ref="R-1", issuer="Centre") is None
    other = next(k for k in ("court_ruling", "technical_appraisal") if k not in accepted)
    for kind, ref, issuer in ((other, "R-1", "C"), (good, "", "C"), (good, "R-1", "")):
        e = refused(fn, kind=kind, accepted=accepted, ref=ref, issuer=issuer)
        assert e.field == "evidence_kind" and e.rule.code in RULES


def test_token_price_at_below_and_above_the_share():
    kw = {"appraised": D("1000000.00"), "token_pct": D("70"), "field": "deal_price"}
    floor = D("700000.00")
    assert gates.give_away_price_ok(price=floor, approved=False, **kw) is None
    assert gates.give_away_price_ok(price=floor + CENT, approved=False, **kw) is None
    e = refused(gates.give_away_price_ok, price=floor - CENT, approved=False, **kw)
    assert e.rule.code == "give_away_price"
    # An approved exception covering the price lets it through.
    assert gates.give_away_price_ok(price=floor - CENT, approved=True, **kw) is None


def test_token_rent_over_the_term_at_below_and_above_the_share():
    kw = {"appraised_yearly": D("100000.00"), "years": D("5"), "token_pct": D("70")}
    floor = D("350000.00")  # 70 % of 5 × 100,000
    assert gates.give_away_rent_ok(total_rent=floor, approved=False, **kw) is None
    assert gates.give_away_rent_ok(total_rent=floor + CENT, approved=False, **kw) is None
    assert refused(gates.give_away_rent_ok, total_rent=floor - CENT, approved=False, **kw)
    assert gates.give_away_rent_ok(total_rent=floor - CENT, approved=True, **kw) is None


def test_the_reported_lease_is_a_give_away():
    """20 years at 1.00 yuan a year of a building whose rent is appraised at 4.65 m a year."""
    years = gates.term_years(dt.date(2026, 1, 1), dt.date(2046, 1, 1))
    e = refused(
        gates.give_away_rent_ok, total_rent=D("20.00"), appraised_yearly=D("4650000"),
        years=years, token_pct=D("70"), approved=False,
    )  # fmt: skip
    assert e.rule.code == "give_away_rent" and e.field == "period_amount"


def test_rent_below_the_appraised_rent_needs_approval():
    a = D("100000.00")
    assert gates.lease_rent_ok(yearly_rent=a, appraised_yearly=a, approved=False) is None
    assert gates.lease_rent_ok(yearly_rent=a + CENT, appraised_yearly=a, approved=False) is None
    e = refused(gates.lease_rent_ok, yearly_rent=a - CENT, appraised_yearly=a, approved=False)
    assert e.rule.code == "lease_rent_below_appraisal"
    assert gates.lease_rent_ok(yearly_rent=a - CENT, appraised_yearly=a, approved=True) is None


def test_lease_term_at_below_and_above_the_maximum():
    start = dt.date(2026, 3, 1)
    assert gates.lease_term_ok(start=start, end=dt.date(2031, 3, 1), max_years=5) is None
    assert gates.lease_term_ok(start=start, end=dt.date(2031, 2, 28), max_years=5) is None
    e = refused(gates.lease_term_ok, start=start, end=dt.date(2031, 3, 2), max_years=5)
    assert e.rule.code == "lease_term_too_long" and e.field == "term_end"


def test_lease_tender_at_below_and_above_the_rent():
    t = D("100000.00")
    kw = {"appraised_yearly": D("1.00"), "threshold": t, "tender_ref": ""}
    assert gates.lease_tender_ok(yearly_rent=t, **kw) is None
    assert gates.lease_tender_ok(yearly_rent=t - CENT, **kw) is None
    e = refused(gates.lease_tender_ok, yearly_rent=t + CENT, **kw)
    assert e.rule.code == "lease_tender_required" and e.field == "tender_ref"
    assert gates.lease_tender_ok(yearly_rent=t + CENT, **{**kw, "tender_ref": "QH-2026-1"}) is None
    # A low agreed rent does not dodge the tender: the appraised rent counts too.
    assert refused(
        gates.lease_tender_ok, yearly_rent=D("1.00"), appraised_yearly=t + CENT,
        threshold=t, tender_ref="",
    )  # fmt: skip


def test_lease_needs_a_rent_appraisal():
    assert gates.lease_rent_appraisal_ok(missing=[]) is None
    assert "A00001" in refused(gates.lease_rent_appraisal_ok, missing=["A00001"]).text


def test_refusals_name_rule_source_and_unblock_in_english_and_chinese():
    kw = {"price": D("1.00"), "appraised": D("1000"), "token_pct": D("70"), "approved": False,
          "field": "deal_price"}  # fmt: skip
    with translation.override("en"):
        en = refused(gates.give_away_price_ok, **kw)
    with translation.override("zh-hans"):
        zh = refused(gates.give_away_price_ok, **kw)
    assert en.text.startswith("[give_away_price · State-Owned Assets Law art. 55")
    assert "To proceed: an approved price exception" in en.text
    assert zh.text.startswith("［规则 give_away_price · 依据 《企业国有资产法》第五十五条")
    assert "赠送" in zh.text and "如需继续：" in zh.text
    assert en.as_json()["unblock"] and zh.as_json()["unblock"] != en.as_json()["unblock"]


def test_every_gate_of_this_module_is_registered_with_a_source():
    codes = {
        "negotiated_case", "negotiated_approval", "negotiated_below_appraisal",
        "free_transfer_recipient", "scrap_technical_appraisal", "loss_evidence",
        "write_off_evidence", "give_away_price", "give_away_rent", "lease_rent_appraisal",
        "lease_rent_below_appraisal", "lease_term_too_long", "lease_tender_required",
    }  # fmt: skip
    assert codes <= set(RULES)
    assert all(str(RULES[c].source) and RULES[c].owner == "disposal" for c in codes)
