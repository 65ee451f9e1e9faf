"""The channels practice uses, through the services and the API: negotiated transfer (Order 32
art. 31, 32), free transfer, scrap / loss / write-off, lease-out with its rent gates, and the
two reported abuses made impossible. A refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from panhuo.approvals import services as aps
from panhuo.core.testing import AssetFactory, approved, recorded_late, written_approval
from panhuo.core.tests.api_support import call, client_for, fingerprint
from panhuo.disposal import price_exceptions as pe
from panhuo.disposal import services as ds
from panhuo.disposal.channel_models import ChannelTerms
from panhuo.finance.expected_models import ExpectedReceipt
from panhuo.organisation.models import Unit
from panhuo.pricing.models import Valuation
from panhuo.pricing.rules import Thresholds, add_months, appraisal_expires_on
from panhuo.register.models import Asset

pytestmark = pytest.mark.django_db
CODE = "91350100M000100Y43"
APPRAISED = D("1000000.00")


def rent_appraise(asset, yearly: D):
    base = timezone.localdate() - dt.timedelta(days=10)
    return Valuation.objects.create(
        asset=asset, kind="rent", value=yearly, base_date=base,
        valid_until=appraisal_expires_on(base, Thresholds()), method="market",
        appraiser="Test Appraisal Co.", licence_number="LIC-1", report_number=f"RR-{asset.pk}",
    )  # fmt: skip


def approved_project(w, channel, *, reserve=APPRAISED, appraisal=APPRAISED, rent=None, **submit):
    asset = AssetFactory(unit=w.unit, appraisal=appraisal)
    if rent is not None:
        rent_appraise(asset, rent)
    package = ds.package_create(
        actor=w.user("office"), jurisdiction=w.district, name="Lot", channel=channel,
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=reserve)
    submit.setdefault("comment", "Why this channel.")
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit", **submit)
    return approved(w, p)


def soe(w) -> Unit:
    return Unit.objects.create(
        code="SOE-1", name="City Investment Group", kind="soe", jurisdiction=w.district,
        credit_code=CODE,
    )  # fmt: skip


def refusal(fn, **kw) -> tuple[str, dict]:
    before = fingerprint()
    with pytest.raises(ValidationError) as exc:
        fn(**kw)
    assert fingerprint() == before, "a refusal writes nothing"
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms), exc.value


# --- Negotiated transfer ----------------------------------------------------------------------


def _negotiated(w, **conclude):
    p = approved_project(w, "negotiated", counterparty_unit=soe(w).pk, art31_case="intra_group")
    kw = {"deal_price": APPRAISED, "approval_body": "enterprise", "approval_ref": "GD-2026-7",
          **conclude}  # fmt: skip
    return p, kw


def test_negotiated_submission_names_its_art31_case(world):
    asset = AssetFactory(unit=world.unit, appraisal=APPRAISED)
    package = ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot",
        channel="negotiated", asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=APPRAISED)
    text, _ = refusal(
        ds.project_transition, actor=world.user("office"), project=p, transition="submit",
        comment="Group restructuring", counterparty_unit=soe(world).pk,
    )  # fmt: skip
    assert "[negotiated_case · Order 32 (SASAC/MoF) art. 31]" in text


def test_the_reported_negotiated_transfer_at_95_percent_without_approval_is_refused(world):
    p, kw = _negotiated(world)
    office = world.user("office")
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="conclude",
        deal_price=D("950000.00"),
    )  # fmt: skip
    assert "[negotiated_approval" in text
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="conclude",
        **{**kw, "deal_price": D("950000.00")},
    )  # fmt: skip
    assert "[negotiated_below_appraisal · Order 32 (SASAC/MoF) art. 32]" in text
    # Even the head's price exception does not lower a negotiated price below the appraisal.
    pe.price_exception_request(actor=office, project=p, amount="850000", reason="Group wants.")
    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(p), approve=True)
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="conclude",
        **{**kw, "deal_price": D("999999.99")},
    )  # fmt: skip
    assert "negotiated_below_appraisal" in text
    done = ds.project_transition(actor=office, project=p, transition="conclude", **kw)
    assert done.status == "concluded"
    terms = ChannelTerms.objects.get(project=p)
    assert (terms.art31_case, terms.approval_body, terms.approval_ref) == (
        "intra_group", "enterprise", "GD-2026-7",
    )  # fmt: skip


def test_the_approval_must_be_the_one_the_case_names(world):
    p, kw = _negotiated(world)
    text, _ = refusal(
        ds.project_transition, actor=world.user("office"), project=p, transition="conclude",
        **{**kw, "approval_body": "supervisor"},
    )  # fmt: skip
    assert "negotiated_approval" in text


# --- Free transfer --------------------------------------------------------------------------


def test_free_transfer_at_zero_price_to_a_state_entity_with_a_valid_code(world):
    bad = CODE[:-1] + "4"
    asset = AssetFactory(unit=world.unit, appraisal=False)
    package = ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot",
        channel="free_transfer", asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=D(0))
    office = world.user("office")
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="submit", comment="Merger",
        counterparty="Qinghe Water Co.", counterparty_soe=True, counterparty_credit_code=bad,
    )  # fmt: skip
    assert "[free_transfer_recipient" in text and bad in text
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="submit", comment="Merger",
        counterparty="Private Ltd", counterparty_credit_code=CODE,
    )  # fmt: skip
    assert "free_transfer_recipient" in text
    p = ds.project_transition(
        actor=office, project=p, transition="submit", comment="Merger",
        counterparty_unit=soe(world).pk,
    )  # fmt: skip
    p = approved(world, p)
    p = ds.project_transition(actor=office, project=p, transition="hand_over")
    assert (p.status, p.deal_price, p.buyer) == ("concluded", D(0), "City Investment Group")
    assert ChannelTerms.objects.get(project=p).counterparty_credit_code == CODE
    assert not ExpectedReceipt.objects.filter(project=p).exists()
    assert Asset.objects.get(pk=asset.pk).status == "disposed"
    p = ds.project_transition(actor=world.user("finance"), project=p, transition="close")
    assert p.status == "closed"


def test_a_priced_channel_keeps_a_reserve_above_zero_and_a_free_one_zero(world):
    asset = AssetFactory(unit=world.unit)
    for channel, reserve in (("auction", D(0)), ("scrap", D("5.00"))):
        package = ds.package_create(
            actor=world.user("office"), jurisdiction=world.district, name="Lot",
            channel=channel, asset_ids=[asset.pk],
        )  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            ds.project_create(actor=world.user("office"), package=package, reserve_price=reserve)
        assert "reserve_price" in exc.value.message_dict
        package.delete()


# --- Scrap, loss, write-off -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "step", "evidence", "wrong"),
    [
        ("scrap", "scrap", "technical_appraisal", "police_report"),
        ("loss", "record_loss", "insurance_assessment", "technical_appraisal"),
        ("write_off", "write_off", "court_ruling", "insurance_assessment"),
    ],
)
def test_zero_price_channels_need_their_evidence_and_write_the_asset_off(
    world, channel, step, evidence, wrong
):
    asset = AssetFactory(unit=world.unit, appraisal=False, kind="equipment")
    package = ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot", channel=channel,
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=D(0))
    office = world.user("office")
    ev = {"evidence_ref": "EV-1", "evidence_issuer": "Qinghe Testing Centre", "comment": "Worn"}
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="submit",
        evidence_kind=wrong, **ev,
    )  # fmt: skip
    assert (
        f"[{ {'scrap': 'scrap_technical_appraisal'}.get(channel, channel + '_evidence') }" in text
    )
    p = ds.project_transition(
        actor=office, project=p, transition="submit", evidence_kind=evidence, **ev
    )
    p = approved(world, p)
    p = ds.project_transition(actor=office, project=p, transition=step)
    assert (p.status, p.deal_price) == ("concluded", D(0))
    assert Asset.objects.get(pk=asset.pk).status == "written_off"
    assert not ExpectedReceipt.objects.filter(project=p).exists()
    p = ds.project_transition(actor=world.user("finance"), project=p, transition="close")
    assert p.status == "closed"


# --- Lease-out ------------------------------------------------------------------------------


def _sign(w, p, **over):
    start = timezone.localdate()
    kw = {"counterparty": "Tenant Ltd", "term_start": start,
          "term_end": add_months(start, 12 * 3), "period_amount": D("25000.00"),
          "frequency": "quarterly", **over}  # fmt: skip
    return ds.project_transition(actor=w.user("office"), project=p, transition="sign", **kw)


def test_the_reported_lease_of_20_years_at_one_yuan_a_year_is_refused(world):
    p = approved_project(world, "lease", rent=D("4650000.00"))
    start = timezone.localdate()
    text, _ = refusal(
        _sign, w=world, p=p, term_start=start, term_end=add_months(start, 12 * 20),
        period_amount=D("1.00"), frequency="yearly",
    )  # fmt: skip
    assert "[give_away_rent" in text


def test_lease_gates_in_turn(world):
    p = approved_project(world, "lease", rent=D("100000.00"))
    start = timezone.localdate()
    # Rent below the appraised rent: needs approval.
    text, _ = refusal(_sign, w=world, p=p, period_amount=D("24999.99"))
    assert "[lease_rent_below_appraisal" in text
    # Longer than 5 years.
    text, _ = refusal(_sign, w=world, p=p, term_end=add_months(start, 12 * 6))
    assert "[lease_term_too_long" in text
    # At the appraised rent, within the term and the tender threshold (100,000 a year).
    p = _sign(world, p)
    assert p.status == "in_force" and p.contract.tender_ref == ""


def test_lease_above_the_tender_rent_needs_its_tender_and_a_low_rent_its_exception(world):
    p = approved_project(world, "lease", rent=D("200000.00"))
    text, _ = refusal(_sign, w=world, p=p, period_amount=D("50000.00"))
    assert "[lease_tender_required" in text
    text, _ = refusal(_sign, w=world, p=p, period_amount=D("40000.00"), tender_ref="QH-1")
    assert "[lease_rent_below_appraisal" in text
    pe.price_exception_request(
        actor=world.user("office"), project=p, amount="160000", reason="Market fell"
    )
    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(p), approve=True)
    p = _sign(world, p, period_amount=D("40000.00"), tender_ref="QH-1")
    assert p.status == "in_force" and p.contract.tender_ref == "QH-1"


def test_lease_without_a_rent_appraisal_is_refused(world):
    p = approved_project(world, "lease")
    text, _ = refusal(_sign, w=world, p=p)
    assert "[lease_rent_appraisal" in text


def test_a_renewal_may_not_take_the_lease_past_the_maximum_term(world):
    p = _sign(world, approved_project(world, "lease", rent=D("100000.00")))
    end = add_months(p.contract.term_start, 12 * 6)
    text, _ = refusal(
        ds.project_transition, actor=world.user("office"), project=p, transition="renew",
        term_end=end,
    )  # fmt: skip
    assert "[lease_term_too_long" in text


# --- Give-away sale -------------------------------------------------------------------------


def test_a_sale_at_a_token_price_is_refused_unless_an_exception_covers_it(world):
    p = approved_project(world, "auction")
    office = world.user("office")
    p = ds.project_transition(actor=office, project=p, transition="list", **recorded_late("list"))
    deal = {"buyer": "B Ltd", "bidders": 2}
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="conclude",
        deal_price=D("699999.99"), **deal,
    )  # fmt: skip
    assert "below_approval_floor" in text or "give_away_price" in text
    pe.price_exception_request(actor=office, project=p, amount="699999.99", reason="Fell")
    written_approval(world, p)
    aps.approval_decide(actor=world.user("head"), request=pe.latest(p), approve=True)
    text, _ = refusal(
        ds.project_transition, actor=office, project=p, transition="conclude",
        deal_price=D("600000.00"), **deal,
    )  # fmt: skip
    assert "give_away_price" in text or "below_approval_floor" in text
    p = ds.project_transition(
        actor=office, project=p, transition="conclude", deal_price=D("699999.99"), **deal
    )
    assert p.status == "concluded"


def test_token_price_gate_judges_a_sale_on_its_own(world, monkeypatch):
    """With the pricing guard (the 90 % floor) out of the way, the give-away gate alone still
    refuses a sale below 70 % of the appraisal: the law's floor cannot be configured lower,
    so this is defence in depth for sales (and the only price gate of a lease's rent)."""
    from panhuo.disposal import guards

    only_channels = [g for g in guards.registry.guards if g[0] != "pricing"]
    monkeypatch.setattr(guards.registry, "guards", only_channels)
    p = ds.project_transition(
        actor=world.user("office"), project=approved_project(world, "auction"), transition="list",
        **recorded_late("list"),
    )  # fmt: skip
    text, _ = refusal(
        ds.project_transition, actor=world.user("office"), project=p, transition="conclude",
        deal_price=D("699999.99"), buyer="B", bidders=2, confirm_amount=True,
    )  # fmt: skip
    assert "[give_away_price" in text
    p = ds.project_transition(
        actor=world.user("office"), project=p, transition="conclude", deal_price=D("700000.00"),
        buyer="B", bidders=2, confirm_amount=True,
    )  # fmt: skip
    assert p.status == "concluded"


# --- API ----------------------------------------------------------------------------------


def test_api_refusal_carries_the_gate_and_new_channel_steps_work(world):
    p = approved_project(world, "lease", rent=D("100000.00"))
    office = client_for(world, "office")
    start = timezone.localdate()
    body = {"transition": "sign", "counterparty": "Tenant", "term_start": str(start),
            "term_end": str(add_months(start, 12 * 20)), "period_amount": "1.00",
            "frequency": "yearly"}  # fmt: skip
    r = call(office, "POST", f"/api/v1/projects/{p.pk}/transitions", body)
    assert r.status_code == 400, r.content
    gate = r.json()["gate"]
    assert gate["rule"] == "give_away_rent" and gate["unblock"] and gate["source"]
    r = call(office, "POST", f"/api/v1/projects/{p.pk}/transitions",
             {**body, "term_end": str(add_months(start, 12 * 2)),
              "period_amount": "100000.00"})  # fmt: skip
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "in_force"


def test_api_creates_a_zero_price_project_and_refuses_bad_evidence(world):
    asset = AssetFactory(unit=world.unit, appraisal=False)
    office = client_for(world, "office")
    r = call(office, "POST", "/api/v1/packages", {
        "jurisdiction": world.district.pk, "name": "Old cars", "channel": "scrap",
        "asset_ids": [asset.pk]})  # fmt: skip
    assert r.status_code == 201, r.content
    r = call(office, "POST", "/api/v1/projects",
             {"package": r.json()["id"], "reserve_price": "0"})  # fmt: skip
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = call(office, "POST", f"/api/v1/projects/{pid}/transitions",
             {"transition": "submit", "comment": "Worn out", "evidence_kind": "court_ruling",
              "evidence_ref": "X", "evidence_issuer": "Y"})  # fmt: skip
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "scrap_technical_appraisal"
    r = call(
        office,
        "POST",
        f"/api/v1/projects/{pid}/transitions",
        {"transition": "submit", "comment": "Worn out", "evidence_kind": "magic"},
    )
    assert r.status_code == 422 and "evidence_kind" in r.content.decode()


# --- Pages --------------------------------------------------------------------------------


def _page_step(w, who, project, name, **data):
    from django.urls import reverse

    return client_for(w, who).post(
        reverse("project-transition", args=[project.pk, name]),
        {f"{name}-{k}": v for k, v in data.items()},
    )


def test_pages_take_the_new_inputs_and_show_why_a_gate_refuses(world):
    asset = AssetFactory(unit=world.unit, appraisal=False, kind="equipment")
    package = ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot", channel="scrap",
        asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=D(0))
    ev = {"comment": "Worn out", "evidence_ref": "TA-9", "evidence_issuer": "Testing Centre"}
    r = _page_step(world, "office", p, "submit", evidence_kind="police_report", **ev)
    assert r.status_code == 200 and "scrap_technical_appraisal" in r.content.decode()
    p.refresh_from_db()
    assert p.status == "draft"
    r = _page_step(world, "office", p, "submit", evidence_kind="technical_appraisal", **ev)
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "submitted" and p.terms.evidence_ref == "TA-9"
    page = client_for(world, "head").get(p.get_absolute_url()).content.decode()
    assert "TA-9" in page and "Technical appraisal report" in page


def test_negotiated_page_records_the_case_and_its_approval(world):
    asset = AssetFactory(unit=world.unit, appraisal=APPRAISED)
    package = ds.package_create(
        actor=world.user("office"), jurisdiction=world.district, name="Lot",
        channel="negotiated", asset_ids=[asset.pk],
    )  # fmt: skip
    p = ds.project_create(actor=world.user("office"), package=package, reserve_price=APPRAISED)
    r = _page_step(world, "office", p, "submit", comment="Group merger",
                   counterparty_unit=soe(world).pk, art31_case="intra_group")  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    p = approved(world, p)
    r = _page_step(world, "office", p, "conclude", deal_price="1000000.00",
                   approval_body="enterprise", approval_ref="GD-9")  # fmt: skip
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == "concluded" and p.terms.approval_ref == "GD-9"
