"""Finance's roll-ups, kept by its services in the same transaction as each write (README,
"Roll-ups"): money per jurisdiction (received and allocated of its receipts, repaid net by the
allocations to its debts) and its active debts per type and maturity year."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from panhuo.core.rollups import total_field
from panhuo.organisation.models import Jurisdiction


class MoneyRollup(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    received = total_field(_("received"))
    allocated = total_field(_("allocated"))
    repaid = total_field(_("repaid through Panhuo"))

    class Meta:
        verbose_name = _("money roll-up")
        verbose_name_plural = _("money roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction"], name="money_rollup_jurisdiction")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}: {self.received}"


class DebtRollup(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="+")
    debt_type = models.CharField(_("type"), max_length=20)
    maturity_year = models.PositiveSmallIntegerField(_("maturity year"))
    n = models.PositiveBigIntegerField(_("debts"), default=0)
    principal = total_field(_("principal"))
    outstanding = total_field(_("outstanding"))

    class Meta:
        verbose_name = _("debt roll-up")
        verbose_name_plural = _("debt roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "debt_type", "maturity_year"], name="debt_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id} {self.debt_type} {self.maturity_year}: {self.outstanding}"
