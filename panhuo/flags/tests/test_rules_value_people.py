"""The people, splitting and value rules through the engine: flags opened with their figures
and sentence, a place's threshold changing the outcome, the update after one write."""

from __future__ import annotations

from decimal import Decimal as D

from django.utils import translation

from panhuo.flags import engine
from panhuo.flags.models import Flag
from panhuo.flags.services import thresholds_set
from panhuo.flags.tests.records import asset, bidder, debt, project, register, relate, repay
from panhuo.register.models import Asset

OURS = ("value_destroying_sale", "sold_while_idle", "split_under_threshold", "related_bidder",
        "shared_contact", "repeat_buyer")  # fmt: skip


def open_flags(rule: str) -> list[Flag]:
    return list(Flag.objects.filter(rule=rule, status="open"))


def test_every_rule_is_registered_with_its_thresholds_and_sources():
    from panhuo.flags.registry import RULES

    for code in OURS:
        r = RULES[code]
        assert r.subject and r.watches and str(r.source) and r.params
        assert all(str(p.source) for p in r.params)


def test_a_value_destroying_sale_opens_a_flag_with_its_figures_and_a_place_can_raise_the_bar(
    world,
):
    a = asset(world, annual_income=D("90000.00"), annual_holding_cost=D("10000.00"))
    p = project(world, [a], deal=D("1000000.00"))
    repay(world, p, debt(world, "3.50"), D("1000000.00"))
    engine.recompute(rules=["value_destroying_sale"])
    [flag] = open_flags("value_destroying_sale")
    assert flag.subject_id == str(p.pk) and flag.unit_id == world.unit.pk
    assert flag.evidence["yield_pct"] == "8.00" and flag.evidence["interest_saved"] == "35000.00"
    said = "a net 80000.00 yuan a year (income 90000.00 less costs 10000.00): a yield of 8.00 %"
    assert f"{said}, above the 3.500 %" in flag.explanation
    with translation.override("zh-hans"):
        assert "8.00" in flag.explanation and "收益率" in flag.explanation
    # The district wants a yield 5 points above the rate before it flags: the flag clears.
    thresholds_set(actor=world.user("office"), jurisdiction=world.district,
                   rule="value_destroying_sale", values={"margin_pp": "5"})  # fmt: skip
    engine.recompute(rules=["value_destroying_sale"])
    assert open_flags("value_destroying_sale") == []


def test_decision_support_values_the_sale_where_it_can_and_clears_a_sale_worth_making(world):
    """With an appraisal on the deal day and the debt's schedule, the flag carries decision
    support's hold and sell values and stands only when holding was worth more; without them
    the yield test decides alone and the evidence says what was missing."""
    import datetime as dt

    from panhuo.core.testing import appraise
    from panhuo.decisions.npv import annuity, present
    from panhuo.finance.debts.models import ScheduleRow

    kept, sold_well = (asset(world, annual_income=D("90000.00"), annual_holding_cost=D("10000.00"))
                       for _ in range(2))  # fmt: skip
    appraise(kept, D("1000000.00"), dt.date(2025, 1, 1))
    appraise(sold_well, D("200000.00"), dt.date(2025, 1, 1))  # fetched five times its value
    loan = debt(world, "3.50")
    for year in (2040, 2041):
        ScheduleRow.objects.create(debt=loan, due_date=dt.date(year, 1, 1),
                                   principal=D("1000000.00"), interest=D("70000.00"))  # fmt: skip
    p, q = (project(world, [a], deal=D("1000000.00")) for a in (kept, sold_well))
    for x in (p, q):
        repay(world, x, loan, D("1000000.00"))
    engine.recompute(rules=["value_destroying_sale"])
    [flag] = open_flags("value_destroying_sale")  # both yield 8 % on a 3.5 % loan; q is cleared
    e = flag.evidence
    assert flag.subject_id == str(p.pk)
    # Holding: 80,000 a year for 10 years and the appraised value at the end, at 4 %.
    hold = (annuity(D(80000), D(4), 10) + present(D(1000000), D(4), D(10))).quantize(D("0.01"))
    assert D(e["hold_value"]) == hold and e["sale_proceeds"] == "950000.00"
    assert D(e["sell_value"]) == D(e["sale_proceeds"]) + D(e["interest_saved_npv"])
    assert D(e["interest_saved_npv"]) > 0
    assert D(e["value_destroyed"]) == hold - D(e["sell_value"]) > 0
    assert f"the sale destroyed {e['value_destroyed']} yuan of value" in flag.explanation
    with translation.override("zh-hans"):
        assert f"{e['value_destroyed']}" in flag.explanation and "决策" in flag.explanation
    assert "market_rent" not in e  # no rent appraisal, no comparable lease: no lease value
    # Three leases of the same kind in the place, 100, 150 and 200 yuan per m² a year: the
    # sale's lease is valued at their median over the asset's 80 m², in both languages.
    _leases(world, kept.kind, [D("100"), D("150"), D("200")])
    Asset.objects.filter(pk=kept.pk).update(area=D("80"))
    assert Asset.objects.get(pk=sold_well.pk).area == D("1200.00")
    engine.recompute(rules=["value_destroying_sale"])
    flags = {f.subject_id: f for f in open_flags("value_destroying_sale")}
    # Leasing q's 1,200 m² out is worth more than the sale made: now it destroyed value too.
    assert flags[str(q.pk)].evidence["best"] == "lease"
    flag = flags[str(p.pk)]
    e = flag.evidence
    assert (e["market_rent"], e["rent_comparable"], e["rent_leases"], e["rent_per_m2"]) == (
        "12000.00", "12000.00", 3, "150.00")  # fmt: skip
    assert e["lease_value"] is not None and e["rent_place"] == world.district.name
    assert "12000.00 yuan a year comes from comparable leases" in flag.explanation
    assert "median of 3 leases" in flag.explanation and "150.00 yuan per m²" in flag.explanation
    with translation.override("zh-hans"):
        assert "可比租约" in flag.explanation and "12000.00" in flag.explanation
    # Without the schedule the figures cannot be made: both flag on the yield test, saying so.
    ScheduleRow.objects.filter(debt=loan).delete()
    engine.recompute(rules=["value_destroying_sale"])
    flags = open_flags("value_destroying_sale")
    assert len(flags) == 2 and all(f.evidence["missing"] == "no_schedule"
                                   for f in flags)  # fmt: skip
    assert f"no repayment schedule: {loan.code}): the yield test" in flags[0].explanation
    with translation.override("zh-hans"):
        assert "还款计划" in flags[0].explanation


def test_one_write_updates_the_flags_it_reaches(world):
    a = asset(world, annual_income=D("90000.00"))
    p = project(world, [a], deal=D("1000000.00"))
    repay(world, p, debt(world, "3.50"), D("1000000.00"))
    engine.recompute(rules=list(OURS))
    assert len(open_flags("value_destroying_sale")) == 1
    # The rent falls to 30,000 (3 %): the write's recompute clears the flag, nothing else runs.
    Asset.objects.filter(pk=a.pk).update(annual_income=D("30000.00"))
    out = engine.recompute_touched({"register.asset": [str(a.pk)]})
    assert out.cleared == 1 and open_flags("value_destroying_sale") == []


def test_people_and_splitting_flags_through_the_engine(world):
    buyer, twin = bidder(world, phone="13911112222"), bidder(world, phone="139 1111 2222")
    relate(buyer, world.unit)
    p = project(world, [asset(world, address="7 Hill Rd")], buyer=buyer, deal=D("950000.00"))
    q = project(world, [asset(world, address="7 Hill Rd")], buyer=buyer, deal=D("960000.00"))
    register(p, buyer, twin)
    engine.recompute(rules=list(OURS))
    related = {f.subject_id: f for f in open_flags("related_bidder")}
    assert set(related) == {str(p.pk), str(q.pk)}  # the buyer of both is related
    assert "Zhang San" in related[str(p.pk)].explanation
    [shared] = open_flags("shared_contact")
    assert shared.evidence["shared"] == "phone"
    [split] = open_flags("split_under_threshold")
    assert split.subject_id == str(min(p.package_id, q.package_id))
    assert split.evidence["total"] == "1910000.00"
    assert open_flags("repeat_buyer") == []  # two deals, three needed
    thresholds_set(actor=world.user("office"), jurisdiction=world.district,
                   rule="repeat_buyer", values={"min_wins": "2"})  # fmt: skip
    engine.recompute(rules=["repeat_buyer"])
    [repeat] = open_flags("repeat_buyer")
    assert repeat.evidence["wins"] == 2


def test_a_write_reaches_only_the_rules_reading_the_fields_its_audit_entry_names(world):
    """An asset's rent change reaches the value rules (its own sale) but not the splitting
    rule; a change of its name reaches none; a write whose fields are not known reaches all."""
    from django.db import connection, transaction

    from panhuo.flags.registry import RULES
    from panhuo.integrity.services import audit_record

    a = asset(world, annual_income=D("90000.00"), address="7 Hill Rd")
    p = project(world, [a], deal=D("1000000.00"))
    ids = {"register.asset": {str(a.pk)}}

    def reached(fields):
        return {code for code, r in RULES.items()
                if engine.subjects_touched(r, ids, {"register.asset": fields})}  # fmt: skip

    assert reached({"annual_income"}) == {"value_destroying_sale", "sold_while_idle"}
    assert reached({"name"}) == set()
    assert reached(None) >= {"value_destroying_sale", "sold_while_idle", "split_under_threshold"}
    rent = {"register.asset": {"annual_income"}}
    assert engine.subjects_touched(RULES["value_destroying_sale"], ids, rent) == {str(p.pk)}
    with transaction.atomic():
        audit_record(actor=None, action="asset.update", obj=a, after={"annual_income": "1.00"})
        audit_record(actor=None, action="asset.update", obj=a, before={"name": "x"})
        [batch] = [f for _s, f, _r in connection.run_on_commit if isinstance(f, engine._Batch)]
        assert batch.fields == {"register.asset": {"annual_income", "name"}}
        audit_record(actor=None, action="asset.note", obj=a, after={"why": "a note"})
        assert batch.fields == {"register.asset": None}
        transaction.set_rollback(True)


def _leases(w, kind, rents_per_m2):
    """One signed lease a year ago per rent (yuan per m² a year) of a 10 m² asset of ``kind``."""
    import datetime as dt

    from django.utils import timezone

    from panhuo.disposal.channel_models import Contract

    start = timezone.localdate() - dt.timedelta(days=365)
    for rent in rents_per_m2:
        p = project(w, [asset(w, kind=kind, area=D("10"))], channel="lease")
        Contract.objects.create(project=p, counterparty="T", term_start=start,
                                term_end=start + dt.timedelta(days=1800),
                                period_amount=rent * 10, frequency="yearly")  # fmt: skip
