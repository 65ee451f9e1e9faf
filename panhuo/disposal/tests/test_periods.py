"""The periods as "not before" gates (issue 12): each gate at, just below and just above its
threshold over the 2026 and 2027 calendars, then applied by the service and the API, the
reported five-minute sale replayed, and the overdue list that waits for a period to run."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from panhuo.core.gates import GateRefused
from panhuo.core.testing import LATE_REASON, AssetFactory, appraise, approved, recorded_late
from panhuo.core.tests.api_support import call, client_for
from panhuo.core.workdays import add_working_days
from panhuo.disposal import periods
from panhuo.disposal import services as ds
from panhuo.disposal.models import DisposalProject, ProjectEvent
from panhuo.disposal.selectors import overdue_for
from panhuo.integrity.models import AuditEntry
from panhuo.pricing.rules import Thresholds

T = Thresholds()
D = dt.date
ONE = dt.timedelta(days=1)
#: Listing days whose periods cross a festival or the year's end: National Day 2026, the 2026
#: Spring Festival, New Year 2027 (a year the calendar library does not know yet: weekdays).
LISTINGS = [D(2026, 9, 25), D(2026, 2, 6), D(2026, 12, 7), D(2026, 12, 21)]


def refused(fn, **kw) -> GateRefused:
    with pytest.raises(GateRefused) as exc:
        fn(**kw)
    return exc.value


# --- The gates, pure ---------------------------------------------------------------------------


@pytest.mark.parametrize("listed", LISTINGS)
@pytest.mark.parametrize(("physical", "value", "days"), [
    (False, Decimal("500000.00"), 20),
    (True, Decimal("5000000.00"), 10),  # physical assets of 1–10 m yuan: 10 working days
    (True, Decimal("20000000.00"), 20),
])  # fmt: skip
def test_no_deal_before_the_disclosure_ends(listed, physical, value, days):
    last = add_working_days(listed, days)
    kw = {"listed_on": listed, "disclosure_ends": last, "physical": physical, "value": value,
          "t": T}  # fmt: skip
    for deal_on in (last - ONE, last):
        r = refused(periods.deal_after_disclosure, deal_on=deal_on, **kw)
        assert r.rule.code == "disclosure_period" and r.field == "concluded_on"
        assert "art. 13" in str(r.rule.source)
        assert f"on {(last + ONE).isoformat()} or later" in r.unblock
    assert periods.deal_after_disclosure(deal_on=last + ONE, **kw) is None
    # A round given a later end waits for it, even past the minimum.
    later = {**kw, "disclosure_ends": last + dt.timedelta(days=7)}
    refused(periods.deal_after_disclosure, deal_on=last + dt.timedelta(days=7), **later)
    assert periods.deal_after_disclosure(deal_on=last + dt.timedelta(days=8), **later) is None


def test_the_calendar_moves_the_end():
    # 20 working days from 25 Sep 2026 end on 29 Oct: the National Day week is not counted.
    assert add_working_days(D(2026, 9, 25), 20) == D(2026, 10, 29)
    # From 7 Dec 2026 (the reported listing) the minimum runs to 5 Jan 2027: New Year's Day is
    # off by law even before 2027's holiday notice is out (the end is provisional until then).
    assert add_working_days(D(2026, 12, 7), 20) == D(2027, 1, 5)


@pytest.mark.parametrize("published", [D(2026, 9, 29), D(2026, 12, 28), D(2027, 1, 4)])
def test_no_closing_before_the_result_notice_ends(published):
    last = add_working_days(published, 5)
    for today in (last - ONE, last):
        r = refused(periods.close_after_notice, published_on=published, today=today, t=T)
        assert r.rule.code == "notice_period" and "art. 29" in str(r.rule.source)
        assert r.field == "notice" and (last + ONE).isoformat() in r.unblock
    assert periods.close_after_notice(published_on=published, today=last + ONE, t=T) is None
    r = refused(periods.close_after_notice, published_on=None, today=last, t=T)
    assert "Publish the result notice" in r.unblock


def test_listing_date_window():
    today = D(2026, 12, 18)
    latest = add_working_days(today, periods.AHEAD_DAYS)
    kw = {"today": today, "reason": "", "earliest": D(2026, 8, 1)}
    assert periods.listing_date_ok(listed_on=latest, **kw) is None
    assert periods.listing_date_ok(listed_on=today, **kw) is None
    r = refused(periods.listing_date_ok, listed_on=latest + ONE, **kw)
    assert r.rule.code == "step_date" and r.field == "listed_on"
    # In the past: only with the reason it is recorded late, and not before what it rests on.
    r = refused(periods.listing_date_ok, listed_on=today - ONE, **kw)
    assert "recorded late" in r.text and "comment" in r.unblock
    late = {**kw, "reason": LATE_REASON}
    assert periods.listing_date_ok(listed_on=today - ONE, **late) is None
    assert periods.listing_date_ok(listed_on=D(2026, 8, 1), **late) is None
    r = refused(periods.listing_date_ok, listed_on=D(2026, 7, 31), **late)
    assert "wrong order" in r.text and "2026-08-01" in r.unblock


def test_a_chosen_or_extended_disclosure_end():
    listed = D(2026, 12, 21)
    least = add_working_days(listed, 20)
    kw = {"listed_on": listed, "physical": False, "value": Decimal("1.00"), "t": T}
    assert periods.disclosure_ends_ok(ends=least, **kw) is None
    assert periods.disclosure_ends_ok(ends=least + ONE, **kw) is None
    r = refused(periods.disclosure_ends_ok, ends=least - ONE, **kw)
    assert r.rule.code == "disclosure_period" and r.field == "disclosure_ends"
    r = refused(periods.disclosure_ends_ok, ends=listed - ONE, **kw)  # the wrong order
    assert r.field == "disclosure_ends"
    for same_or_earlier in (least, least - ONE):
        r = refused(periods.disclosure_ends_ok, ends=same_or_earlier, current=least, **kw)
        assert r.rule.code == "step_date"
    assert periods.disclosure_ends_ok(ends=least + ONE, current=least, **kw) is None


def test_disclosing_again_rests_on_a_new_appraisal():
    listed = D(2026, 3, 2)
    for base in (None, listed - ONE, listed):
        r = refused(periods.redisclosure_ok, appraised_on=base, round_listed_on=listed)
        assert r.rule.code == "redisclose_new_appraisal" and r.field == "appraisal"
    assert periods.redisclosure_ok(appraised_on=listed + ONE, round_listed_on=listed) is None


def test_refusals_in_english_and_chinese():
    kw = {"deal_on": D(2026, 12, 7), "listed_on": D(2026, 12, 7), "disclosure_ends": None,
          "physical": False, "value": Decimal("1.00"), "t": T}  # fmt: skip
    english = refused(periods.deal_after_disclosure, **kw)
    assert english.text.startswith("[disclosure_period · SASAC/MoF Order 32 art. 13")
    assert "To proceed: Record the deal on 2027-01-06 or later." in english.text
    with translation.override("zh-hans"):
        chinese = refused(periods.deal_after_disclosure, **kw)
    assert "第十三条" in chinese.text and "2027-01-06" in chinese.text
    assert "公告期" in chinese.text or "披露" in chinese.text


# --- Applied by the service --------------------------------------------------------------------


def _approved(w, *, value=Decimal("100.00")):
    asset = AssetFactory(unit=w.unit)
    package = ds.package_create(actor=w.user("office"), jurisdiction=w.district, name="Lot",
                                channel="auction", asset_ids=[asset.pk])  # fmt: skip
    p = ds.project_create(actor=w.user("office"), package=package, reserve_price=value)
    p = ds.project_transition(actor=w.user("office"), project=p, transition="submit")
    return approved(w, p)


def _written():
    return ProjectEvent.objects.count(), AuditEntry.objects.count()


def _refused(w, project, transition, **kw) -> GateRefused:
    before = _written()
    with pytest.raises(GateRefused) as exc:
        ds.project_transition(actor=w.user("office"), project=project, transition=transition,
                              **kw)  # fmt: skip
    assert _written() == before  # nothing written
    return exc.value


def test_a_listing_recorded_late_says_why_and_the_timeline_keeps_it(world):
    p = _approved(world)
    day = (timezone.localdate() - dt.timedelta(days=40)).isoformat()
    r = _refused(world, p, "list", listed_on=day)
    assert r.field == "listed_on" and r.rule.code == "step_date"
    ahead = add_working_days(timezone.localdate(), periods.AHEAD_DAYS + 1)
    assert _refused(world, p, "list", listed_on=ahead).field == "listed_on"
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list",
                              listed_on=day, comment=LATE_REASON)  # fmt: skip
    assert p.rounds.get().listed_on.isoformat() == day
    assert p.events.get(transition="list").comment == LATE_REASON
    entry = AuditEntry.objects.filter(action="project.list").latest("pk")
    assert entry.after["comment"] == LATE_REASON and entry.after["channel_step"]["listed_on"] == day


def test_deal_extension_and_redisclosure_through_the_service(world):
    office = world.user("office")
    today = timezone.localdate()
    p = _approved(world)
    p = ds.project_transition(actor=office, project=p, transition="list")
    first_end = p.due_on
    assert first_end == add_working_days(today, 20, jurisdiction=world.district)
    r = _refused(world, p, "conclude", deal_price="120.00", buyer="B")
    assert r.rule.code == "disclosure_period" and r.field == "concluded_on"
    # A deal dated after the disclosure is in the future: refused as such.
    later = (first_end + ONE).isoformat()
    assert _refused(world, p, "conclude", deal_price="120.00", buyer="B",
                    concluded_on=later).rule.code == "step_date"  # fmt: skip
    # The explanation the project page shows on the disabled step.
    blocked = dict((t.name, why) for t, why in ds.blocked_transitions(office, p))
    assert "disclosure_period" in blocked["conclude"]
    # Extend: later than the current end, with a reason.
    assert _refused(world, p, "extend_listing", disclosure_ends=first_end.isoformat(),
                    comment="More time").field == "disclosure_ends"  # fmt: skip
    new_end = first_end + dt.timedelta(days=14)
    p = ds.project_transition(actor=office, project=p, transition="extend_listing",
                              disclosure_ends=new_end.isoformat(),
                              comment="Bidders asked for a site visit.")  # fmt: skip
    assert p.due_on == new_end and p.rounds.get().disclosure_ends == new_end


def test_disclosing_again_at_a_new_appraisal_restarts_the_period(world):
    office = world.user("office")
    today = timezone.localdate()
    p = _approved(world)
    p = ds.project_transition(actor=office, project=p, transition="list", **recorded_late("list"))
    r = _refused(world, p, "redisclose", comment="No buyer; disclosing again.")
    assert r.rule.code == "redisclose_new_appraisal" and r.field == "appraisal"
    appraise(p.package.items.get().asset, Decimal("1.00"), base_date=today - ONE)
    p = ds.project_transition(actor=office, project=p, transition="redisclose",
                              comment="Re-appraised after no buyer came.")  # fmt: skip
    assert [r.result for r in p.rounds.all()] == ["no_sale", "open"]
    assert p.due_on == add_working_days(today, 20, jurisdiction=world.district)
    r = _refused(world, p, "conclude", deal_price="120.00", buyer="B")
    assert r.rule.code == "disclosure_period"


def test_close_waits_for_the_notice_and_the_money(world):
    p = _approved(world)
    office, finance = world.user("office"), world.user("finance")
    p = ds.project_transition(actor=office, project=p, transition="list", **recorded_late("list"))
    p = ds.project_transition(actor=office, project=p, transition="conclude", deal_price="120.00",
                              buyer="B", **recorded_late("conclude"))  # fmt: skip
    deal_on = p.rounds.get(result="sold").ended_on
    # The notice is not dated before the deal, nor in the future.
    r = _refused(world, p, "publish_result", published_on=(deal_on - ONE).isoformat(),
                 comment=LATE_REASON)  # fmt: skip
    assert r.field == "published_on" and "wrong order" in r.text
    p = ds.project_transition(actor=office, project=p, transition="publish_result")
    from panhuo.finance import services as fs

    fs.receipt_create(actor=finance, project=p, amount="120.00", received_on=timezone.localdate(),
                      voucher="V-1", budget_class="non_tax")  # fmt: skip
    p = ds.project_transition(actor=finance, project=p, transition="confirm_payment")
    notice_end = add_working_days(timezone.localdate(), 5, jurisdiction=world.district)
    assert p.status == "paid" and p.due_on == notice_end
    r = _refused(world, p, "close")
    assert r.rule.code == "notice_period" and notice_end.isoformat() in r.text
    # Waiting for the notice is not a deadline missed: the overdue list leaves it out.
    assert p.pk not in [x.pk for x in overdue_for(finance, today=notice_end + ONE, mine=False)]


def test_the_overdue_list_waits_for_the_disclosure(world):
    p = _approved(world)
    p = ds.project_transition(actor=world.user("office"), project=p, transition="list")
    after = p.due_on + dt.timedelta(days=3)
    assert p.pk not in [x.pk for x in overdue_for(world.user("office"), today=after, mine=False)]


# --- The reported morning, through the API ----------------------------------------------------


def test_the_five_minute_sale_is_refused_step_by_step(world):
    """Listed with tomorrow's date and a disclosure to the minimum end, a one-bidder deal
    twenty minutes later, the result notice "published", the project closed: each refused,
    naming its rule, and nothing written."""
    p = _approved(world)
    office, finance = client_for(world, "office"), client_for(world, "finance")
    url = f"/api/v1/projects/{p.pk}/transitions"
    tomorrow = timezone.localdate() + ONE
    least = add_working_days(tomorrow, 20, jurisdiction=world.district)
    # A disclosure end one day short of the minimum is refused; the minimum is listed.
    r = call(office, "POST", url, {"transition": "list", "listed_on": tomorrow.isoformat(),
                                   "disclosure_ends": (least - ONE).isoformat()})  # fmt: skip
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "disclosure_period"
    assert "disclosure_ends" in r.json()["errors"]
    r = call(office, "POST", url, {"transition": "list", "listed_on": tomorrow.isoformat(),
                                   "disclosure_ends": least.isoformat()})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "listed"
    before = _written()
    deal = {"transition": "conclude", "deal_price": "120.00", "buyer": "Quick Ltd", "bidders": 1}
    r = call(office, "POST", url, deal)
    body = r.json()
    assert r.status_code == 400 and body["gate"]["rule"] == "disclosure_period"
    assert "concluded_on" in body["errors"] and "Order 32 art. 13" in body["gate"]["source"]
    assert (least + ONE).isoformat() in body["gate"]["unblock"]
    r = call(office, "POST", url, {**deal, "concluded_on": (least + ONE).isoformat()})
    assert r.status_code == 400 and r.json()["gate"]["rule"] == "step_date"
    for step, who in (("publish_result", office), ("close", finance)):
        r = call(who, "POST", url, {"transition": step})
        assert r.status_code == 400 and "not allowed from state" in str(r.json()["errors"])
    assert _written() == before
    assert DisposalProject.objects.get(pk=p.pk).status == "listed"
    # The project page shows the deal step disabled with the reason.
    detail = call(office, "GET", f"/api/v1/projects/{p.pk}").json()
    reasons = {t["name"]: t["reason"] for t in detail["blocked_transitions"]}
    assert "disclosure_period" in reasons["conclude"]


def test_bad_dates_are_refused_naming_the_field(world):
    p = _approved(world)
    office = client_for(world, "office")
    url = f"/api/v1/projects/{p.pk}/transitions"
    r = call(office, "POST", url, {"transition": "list", "listed_on": "2026-13-45"})
    assert r.status_code in (400, 422) and "listed_on" in str(r.json())
    today = timezone.localdate()
    r = call(office, "POST", url, {"transition": "list", "listed_on": today.isoformat(),
                                   "disclosure_ends": (today - ONE).isoformat()})  # fmt: skip
    assert r.status_code == 400 and "disclosure_ends" in r.json()["errors"]
    assert DisposalProject.objects.get(pk=p.pk).status == "approved"
