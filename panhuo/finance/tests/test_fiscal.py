"""fiscal_inputs_set: finance of the jurisdiction only, validated, one row per year, audited."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from panhuo.finance.debts.fiscal import fiscal_inputs_set
from panhuo.finance.debts.indicators import indicators_for
from panhuo.finance.debts.models import FiscalInputs
from panhuo.integrity.models import AuditEntry
from panhuo.organisation.policy import NotPermitted


def _set(world, who="finance", **over):
    args = {
        "jurisdiction": world.district,
        "year": 2026,
        "comprehensive_fiscal_capacity": "1,000,000.00",
        "budget_expenditure": "800000.00",
        **over,
    }
    return fiscal_inputs_set(actor=world.user(who), **args)


def test_finance_enters_and_corrects_the_figures(world):
    first = _set(world)
    assert first.comprehensive_fiscal_capacity == Decimal("1000000.00")
    again = _set(world, budget_expenditure="900000.00")
    assert again.pk == first.pk and FiscalInputs.objects.count() == 1
    assert FiscalInputs.objects.get().budget_expenditure == Decimal("900000.00")
    entries = AuditEntry.objects.filter(action="fiscal_inputs.set").order_by("seq")
    assert entries.count() == 2
    assert entries[0].before is None and entries[1].before["budget_expenditure"] == "800000.00"
    # The indicators use them.
    ind = indicators_for(world.user("finance"), world.district)
    assert ind.capacity == Decimal("1000000.00")


@pytest.mark.parametrize(
    "who",
    ["head", "deputy", "office", "auditor", "supervisor", "unit_officer", "norole",
     "outsider_finance"],
)  # fmt: skip
def test_only_finance_of_the_jurisdiction(world, who):
    audit = AuditEntry.objects.count()
    with pytest.raises(NotPermitted):
        _set(world, who=who)
    assert FiscalInputs.objects.count() == 0 and AuditEntry.objects.count() == audit


@pytest.mark.parametrize(
    ("field", "value"),
    [("year", "abc"), ("year", 1800), ("comprehensive_fiscal_capacity", "0"),
     ("comprehensive_fiscal_capacity", "-5"), ("budget_expenditure", "1.001"),
     ("budget_expenditure", 1.5), ("budget_expenditure", "lots"), ("gdp", "0"),
     ("general_debt_limit", "-1"), ("transfers_in", "-0.01"), ("special_limit", "1")],
)  # fmt: skip
def test_bad_input_names_the_field(world, field, value):
    with pytest.raises(ValidationError) as exc:
        _set(world, **{field: value})
    assert field in exc.value.message_dict
    assert FiscalInputs.objects.count() == 0


PARTS = {"general_budget_revenue": "600.00", "fund_revenue": "300.00",
         "state_capital_revenue": "20.00", "transfers_in": "200.00",
         "remittances_up": "20.00"}  # fmt: skip


def test_capacity_is_derived_from_its_parts_or_entered_and_marked(world):
    derived = _set(world, comprehensive_fiscal_capacity=None, **PARTS)
    # 600 + 300 + 20 + 200 − 20
    assert derived.comprehensive_fiscal_capacity == Decimal("1100.00")
    assert derived.capacity_source == "derived"
    # The total given with the parts must equal them.
    with pytest.raises(ValidationError) as exc:
        _set(world, comprehensive_fiscal_capacity="1000.00", **PARTS)
    assert "comprehensive_fiscal_capacity" in exc.value.message_dict
    assert FiscalInputs.objects.get().comprehensive_fiscal_capacity == Decimal("1100.00")
    entered = _set(world, comprehensive_fiscal_capacity="1100.00", **PARTS)
    assert entered.capacity_source == "entered"
    # Parts that leave nothing: refused, naming the part taken away.
    with pytest.raises(ValidationError) as exc:
        _set(world, comprehensive_fiscal_capacity=None, **{**PARTS, "remittances_up": "1120.00"})
    assert "remittances_up" in exc.value.message_dict


def test_a_figure_left_out_is_missing_and_so_are_the_indicators_that_need_it(world):
    row = _set(world, comprehensive_fiscal_capacity=None, budget_expenditure=None, gdp="5000.00")
    assert row.comprehensive_fiscal_capacity is None and row.capacity_source == ""
    assert row.budget_expenditure is None and row.gdp == Decimal("5000.00")
    import datetime as dt

    ind = indicators_for(world.user("finance"), world.district, dt.date(2026, 6, 30))
    assert ind.fiscal_year == 2026 and ind.gdp == Decimal("5000.00")
    assert ind.capacity is None and ind.debt_ratio is None and ind.interest_burden is None
    with pytest.raises(ValidationError) as exc:
        _set(world, comprehensive_fiscal_capacity=None, budget_expenditure=None)
    assert "comprehensive_fiscal_capacity" in exc.value.message_dict


def test_limits_and_gdp_give_utilisation_and_debt_to_gdp_and_a_balance_above_is_flagged(world):
    import datetime as dt

    from panhuo.finance.models import Debt

    for code, kind, amount in (("G1", "general_bond", "900.00"), ("S1", "special_bond", "600.00")):
        Debt.objects.create(
            code=code, jurisdiction=world.district, creditor="c", debt_type=kind,
            principal=Decimal(amount), outstanding=Decimal(amount), rate=Decimal("3"),
            rate_type="fixed", issue_date=dt.date(2020, 1, 1), maturity_date=dt.date(2035, 1, 1),
        )  # fmt: skip
    _set(world, gdp="10000.00", general_debt_limit="1000.00", special_debt_limit="500.00")
    ind = indicators_for(world.user("finance"), world.district, dt.date(2026, 6, 30))
    assert ind.general_debt == Decimal("900.00") and ind.special_debt == Decimal("600.00")
    assert ind.debt_to_gdp == Decimal("15.0000")
    assert ind.limit_use_general == Decimal("90.0000")
    assert ind.limit_use_special == Decimal("120.0000")
    assert ind.limit_use_total == Decimal("100.0000")
    # Above its limit: allowed, and flagged.
    assert ind.over_limit and any("600.00" in n and "500.00" in n for n in ind.notes)
