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
     ("budget_expenditure", 1.5), ("budget_expenditure", "lots")],
)  # fmt: skip
def test_bad_input_names_the_field(world, field, value):
    with pytest.raises(ValidationError) as exc:
        _set(world, **{field: value})
    assert field in exc.value.message_dict
    assert FiscalInputs.objects.count() == 0
