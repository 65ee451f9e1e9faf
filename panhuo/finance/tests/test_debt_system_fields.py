"""The debt management system's fields on a debt: the database holds their rules, and the
liability class decides the statutory and the broad debt ratio (both databases)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from panhuo.finance.debts.indicators import DebtFacts, FiscalFacts, compute, indicators_for
from panhuo.finance.models import Debt
from panhuo.organisation.credit_code import credit_code_check_char

D = Decimal
AS_OF = dt.date(2026, 6, 30)
FIRST17 = "91330100MA27XK0Q1"
CREDIT = FIRST17 + credit_code_check_char(FIRST17)


def _debt(world, code, kind="bank_loan", where=None, **extra) -> Debt:
    return Debt(
        code=code, jurisdiction=where or world.district, creditor="c", debt_type=kind,
        principal=D("100.00"), outstanding=D("100.00"), rate=D("3"), rate_type="fixed",
        issue_date=dt.date(2024, 1, 1), maturity_date=dt.date(2030, 1, 1), **extra,
    )  # fmt: skip


def _refused(debt: Debt) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        debt.save()


def test_a_debt_given_no_class_takes_its_types(world):
    kinds = {"general_bond": "government", "government_bond": "government",
             "hidden": "implicit", "bank_loan": "contingent", "arrears": "contingent"}  # fmt: skip
    for i, (kind, klass) in enumerate(kinds.items()):
        d = _debt(world, f"K{i}", kind)
        d.save()
        assert Debt.objects.get(pk=d.pk).liability_class == klass


@pytest.mark.parametrize(
    "extra",
    [
        {"debt_type": "special_bond", "liability_class": "contingent"},
        {"debt_type": "government_bond", "liability_class": "implicit"},
        {"debt_type": "hidden", "liability_class": "government"},
        {"liability_class": "nonsense"},
        {"bond_purpose": "new"},  # a bank loan is not a new bond
        {"debt_type": "general_bond", "bond_purpose": "rollover"},
        {"project_sector": "mining"},
        {"repayment_source": "lottery"},
        {"borrower": "城投公司", "borrower_credit_code": "9133"},  # not 18 characters
        {"borrower_credit_code": CREDIT},  # a code without the unit's name
    ],
)
def test_the_database_refuses_what_the_rules_forbid(world, extra):
    d = _debt(world, "BAD")
    for name, value in extra.items():
        setattr(d, name, value)
    _refused(d)
    with pytest.raises(ValidationError):
        d.full_clean()


def test_a_bond_code_is_unique_in_its_jurisdiction_only(world):
    _debt(world, "B1", "general_bond", bond_code="2119001").save()
    _debt(world, "B2", "general_bond", bond_code="2119001", where=world.other_district).save()
    _debt(world, "N1").save()  # blank codes never clash
    _debt(world, "N2").save()
    again = _debt(world, "B3", "special_bond", bond_code="2119001")
    with pytest.raises(ValidationError) as caught:
        again.full_clean()
    assert "already registered in this jurisdiction" in str(caught.value)
    _refused(again)


def test_a_credit_code_with_a_wrong_check_character_is_refused_by_name(world):
    wrong = FIRST17 + ("0" if CREDIT[-1] != "0" else "1")
    d = _debt(world, "CC", borrower="某城投公司", borrower_credit_code=wrong)
    with pytest.raises(ValidationError) as caught:
        d.full_clean()
    assert "borrower_credit_code" in caught.value.message_dict
    d.borrower_credit_code = CREDIT
    d.full_clean()
    d.save()


def _migration_module() -> str:
    from pathlib import Path

    import panhuo.finance.migrations as migrations

    (path,) = Path(migrations.__file__).parent.glob("*_debt_system_fields.py")
    return f"panhuo.finance.migrations.{path.stem}"


def test_the_migration_classes_old_debts_as_the_indicators_counted_them(world):
    from importlib import import_module

    migration = import_module(_migration_module())
    loan = _debt(world, "L", "bank_loan", liability_class="government")
    loan.save()
    bond = _debt(world, "G", "general_bond")
    bond.save()
    hidden = _debt(world, "H", "hidden")
    hidden.save()
    migration.classes_from_types(apps, None)
    got = dict(Debt.objects.values_list("code", "liability_class"))
    assert got == {"L": "contingent", "G": "government", "H": "implicit"}


def test_statutory_counts_government_debt_and_broad_adds_implicit_by_class():
    maturity = dt.date(2030, 1, 1)

    def f(kind, amount, klass=None):
        return DebtFacts(kind, D(amount), D(amount), D("3"), "fixed", maturity, (), klass)

    debts = [
        f("general_bond", "100"),
        f("special_bond", "200"),
        f("government_bond", "50"),  # split not known: statutory, neither general nor special
        f("bank_loan", "40", "government"),  # a loan that is government debt
        f("lgfv_bond", "30", "implicit"),
        f("hidden", "20"),  # its type's class: implicit
        f("trust_leasing", "1000", "contingent"),  # counts in neither ratio
    ]
    fiscal = FiscalFacts(2026, D("1000"), D("100"), D("100"), general_limit=D("500"),
                         special_limit=D("500"))  # fmt: skip
    ind = compute(debts, as_of=AS_OF, fiscal=fiscal)
    assert ind.government_debt == D("390") and ind.broad_debt == D("440")
    assert ind.general_debt == D("100") and ind.special_debt == D("200")
    assert ind.unsplit_debt == D("90")
    assert ind.debt_ratio == D("39.0000") and ind.broad_debt_ratio == D("44.0000")
    assert ind.limit_use_total == D("39.0000")
    assert any("neither general nor special" in n for n in ind.notes)


def test_the_database_counts_by_class_as_the_definition_does(world):
    from panhuo.finance.debts.models import FiscalInputs

    made = [
        _debt(world, "A", "general_bond", bond_code="2119101", bond_purpose="new"),
        _debt(world, "B", "government_bond"),
        _debt(world, "C", "bank_loan", liability_class="government"),
        _debt(world, "E", "lgfv_bond", liability_class="implicit"),
        _debt(world, "F", "bank_loan"),
        _debt(world, "G", "hidden"),
    ]
    for d in made:
        d.save()
    FiscalInputs.objects.create(
        jurisdiction=world.district, year=AS_OF.year, comprehensive_fiscal_capacity=D("1000.00"),
        capacity_source="entered", budget_expenditure=D("500.00"),
    )  # fmt: skip
    shown = indicators_for(world.user("finance"), world.district, AS_OF)
    facts = [DebtFacts(d.debt_type, d.principal, d.outstanding, d.rate, d.rate_type,
                       d.maturity_date, (), d.liability_class) for d in made]  # fmt: skip
    assert shown == compute(
        facts, as_of=AS_OF, fiscal=FiscalFacts(AS_OF.year, D("1000.00"), D("500.00"))
    )
    # Statutory: A, B, C; broad: with E and G; F (contingent) in neither.
    assert shown.government_debt == D("300.00") and shown.broad_debt == D("500.00")
    assert shown.debt_ratio == D("30.0000") and shown.broad_debt_ratio == D("50.0000")
    # Reclassing the loan as contingent takes it out of both.
    Debt.objects.filter(code="C").update(liability_class="contingent")
    again = indicators_for(world.user("finance"), world.district, AS_OF)
    assert again.government_debt == D("200.00") and again.broad_debt == D("400.00")
