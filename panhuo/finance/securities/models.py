"""What secures a debt: a third party's guarantee, or an asset of the register given as
collateral (mortgage) or pledge.

An asset that secures a live debt is encumbered: it cannot be listed for sale without the
creditor's consent, recorded here as the security's release (see ``finance.guard``).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.fields import actor_field, optional_ref, positive_money
from panhuo.core.links import page_url
from panhuo.organisation import policy


class SecurityKind(models.TextChoices):
    GUARANTEE = "guarantee", _("Guarantee by a party")
    COLLATERAL = "collateral", _("Collateral asset (mortgage)")
    PLEDGE = "pledge", _("Pledge of an asset")


#: Kinds that put one of the register's assets up as security.
ASSET_KINDS = frozenset({SecurityKind.COLLATERAL, SecurityKind.PLEDGE})


class DebtSecurityQuerySet(policy.ScopedQuerySet):
    def live(self, on: dt.date | None = None) -> DebtSecurityQuerySet:
        """Securities still binding on ``on``: not released, not expired, on a debt with
        something outstanding."""
        on = on or timezone.localdate()
        return self.filter(
            Q(released_on__isnull=True) | Q(released_on__gt=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
            debt__outstanding__gt=0,
        )


class DebtSecurity(models.Model):
    """One guarantee, collateral or pledge securing a debt, for an amount over a period."""

    debt = models.ForeignKey("finance.Debt", on_delete=models.CASCADE, related_name="securities")
    kind = models.CharField(_("kind"), max_length=12, choices=SecurityKind.choices)
    guarantor = models.CharField(_("guarantor"), max_length=200, blank=True)
    asset = optional_ref("register.Asset", related_name="debt_securities", verbose_name=_("asset"))
    amount = positive_money(_("amount secured"))
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = actor_field()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DebtSecurityQuerySet.as_manager()
    view_scope = policy.ViewScope("debt", "debt__jurisdiction__path")

    class Meta:
        ordering = ["debt", "kind", "valid_from", "pk"]
        verbose_name, verbose_name_plural = _("debt security"), _("debt securities")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="debt_security_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(kind__in=["guarantee", "collateral", "pledge"]),
                name="debt_security_kind_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="guarantee") & Q(asset__isnull=True) & ~Q(guarantor=""))
                | (Q(kind__in=["collateral", "pledge"]) & Q(asset__isnull=False)),
                name="debt_security_party_or_asset",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="debt_security_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("valid_from")),
                name="debt_security_released_after_from",
            ),
            models.UniqueConstraint(
                fields=["debt", "asset"],
                condition=Q(asset__isnull=False, released_on__isnull=True),
                name="debt_security_asset_once_per_debt",
            ),
        ]

    def __str__(self) -> str:
        party = self.guarantor if self.kind == SecurityKind.GUARANTEE else str(self.asset)
        return f"{self.get_kind_display()}: {party} ({self.amount})"

    get_absolute_url = page_url("debt-detail", "debt_id")

    def is_live(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (
            (self.released_on is None or self.released_on > on)
            and (self.valid_until is None or self.valid_until >= on)
            and self.debt.outstanding > 0
        )
