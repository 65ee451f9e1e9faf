"""The fields of the local government debt management information system (地方政府债务管理信息
系统) that a debt carries: the borrowing unit and its unified social credit code, the bond code,
general / special (the debt type), new / refinancing / replacement bonds, the project and its
sector, the planned repayment source, and the liability class.

The liability class decides the risk indicators: the statutory debt ratio counts government
debt (政府债务) only, the broad ratio adds implicit debt (隐性债务); a contingent liability
(或有债务: guaranteed, or one the government may have to help repay) counts in neither.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.organisation.credit_code import credit_code_valid, normalise_credit_code


class LiabilityClass(models.TextChoices):
    GOVERNMENT = "government", _("Government debt")
    CONTINGENT = "contingent", _("Contingent liability")
    IMPLICIT = "implicit", _("Implicit debt")


class BondPurpose(models.TextChoices):
    """What a local government bond was issued for (债券性质)."""

    NEW = "new", _("New bond")
    REFINANCING = "refinancing", _("Refinancing bond")
    REPLACEMENT = "replacement", _("Replacement bond")


class RepaymentFunds(models.TextChoices):
    """Where the money to repay a debt is to come from (偿还资金来源)."""

    GENERAL_BUDGET = "general_budget", _("General budget revenue")
    FUND_BUDGET = "fund_budget", _("Government-fund revenue")
    PROJECT_INCOME = "project_income", _("Project income")
    STATE_CAPITAL = "state_capital", _("State capital operation revenue")
    OWN_FUNDS = "own_funds", _("The unit's own funds")
    OTHER = "other", _("Other sources")


class ProjectSector(models.TextChoices):
    """The sector of the project a debt financed (项目领域), as the special-bond rules name
    them, with the older land-reserve and shanty-town classes."""

    TRANSPORT = "transport", _("Transport infrastructure")
    ENERGY = "energy", _("Energy")
    AGRICULTURE_WATER = "agri_water", _("Agriculture, forestry and water")
    ENVIRONMENT = "environment", _("Ecology and environmental protection")
    SOCIAL = "social", _("Social services")
    LOGISTICS = "logistics", _("Cold-chain and logistics infrastructure")
    MUNICIPAL = "municipal", _("Municipal and industrial-park infrastructure")
    HOUSING = "housing", _("Affordable housing")
    NEW_INFRASTRUCTURE = "new_infra", _("New infrastructure")
    STRATEGIC = "strategic", _("Major national strategic projects")
    LAND_RESERVE = "land_reserve", _("Land reserve")
    SHANTY_TOWN = "shanty_town", _("Shanty-town renovation")
    OTHER = "other", _("Other sectors")


#: Debt types that are local government bonds: always government debt, and the only ones with
#: a bond purpose. ``government_bond`` is one whose general/special split is not known.
BOND_TYPES = ("general_bond", "special_bond", "government_bond")
#: The class a debt of each type has when none is given (and what the migration gave the debts
#: registered before the class existed: what the indicators counted them as until then).
DEFAULT_CLASS = {
    "general_bond": LiabilityClass.GOVERNMENT,
    "special_bond": LiabilityClass.GOVERNMENT,
    "government_bond": LiabilityClass.GOVERNMENT,
    "hidden": LiabilityClass.IMPLICIT,
}
#: The statutory debt ratio's numerator: government debt only.
STATUTORY_CLASSES = frozenset({LiabilityClass.GOVERNMENT.value})
#: The broad ratio's: government debt with implicit debt.
BROAD_CLASSES = STATUTORY_CLASSES | {LiabilityClass.IMPLICIT.value}


def default_class(debt_type: str) -> str:
    return DEFAULT_CLASS.get(debt_type, LiabilityClass.CONTINGENT).value


CREDIT_CODE_ERROR = _(
    "Not a unified social credit code (GB 32100: 18 characters, the last a check character)."
)


def validate_credit_code(value: str) -> None:
    """A blank code passes (not known); a given one must be well formed with its check
    character (GB 32100-2015)."""
    if value and not credit_code_valid(normalise_credit_code(value)):
        raise ValidationError(CREDIT_CODE_ERROR, code="credit_code")
