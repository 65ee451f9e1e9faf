"""The hooks finance fills in the layers below (installed by FinanceConfig.ready): its
collateral guard on disposal's transitions, the receivables provider that keeps the money a
disposal creates (``disposal.money``), the debts import target and the debts an asset secures
(``register.hooks``)."""

from __future__ import annotations

from panhuo.disposal import guards, money
from panhuo.finance import disposal_receivables
from panhuo.finance.debts import fiscal_import
from panhuo.finance.debts import importing as debt_import
from panhuo.finance.deposits.models import Deposit
from panhuo.finance.models import Allocation, Debt, Receipt, Repayment
from panhuo.finance.securities import services as securities
from panhuo.integrity.reconcile import Audited, audited
from panhuo.organisation import policy
from panhuo.register import hooks as register


def _asset_securities(*, user, asset) -> list[tuple]:
    return [
        (s, policy.allowed(user, "debt", "view", jurisdiction=s.debt.jurisdiction))
        for s in securities.securities_of_asset(asset).select_related("debt__jurisdiction")
    ]


def install() -> None:
    guards.register("collateral", securities.collateral_guard)
    # `panhuo audit reconcile` replays the money records from their audit entries.
    audited.register("finance.receipt", Audited(Receipt))
    audited.register("finance.allocation", Audited(Allocation))
    audited.register("finance.debt", Audited(Debt))
    audited.register("finance.deposit", Audited(Deposit))
    audited.register("finance.repayment", Audited(Repayment))
    money.receivables.register("finance", disposal_receivables)
    register.import_targets.register("debts", debt_import.DEBTS)
    register.import_targets.register("fiscal", fiscal_import.FISCAL)
    register.asset_securities.register("finance", _asset_securities)
