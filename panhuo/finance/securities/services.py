"""Writes and reads of what secures a debt (guarantees, collateral, pledges), and the disposal
guard that keeps an encumbered asset off the market until its creditor consents.

Whoever may edit a debt (policy ``debt``/``edit`` in its jurisdiction) records, releases or
deletes its securities; an asset put up as security must be one the actor can see and must
belong to the debt's jurisdiction or one below it (a county does not pledge a city's asset).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.disposal.pricing_guard import is_deal
from panhuo.finance.models import Debt
from panhuo.finance.securities.models import ASSET_KINDS, DebtSecurity, SecurityKind
from panhuo.finance.services import to_money
from panhuo.integrity.services import audit_insert, audit_record, audit_set, snapshot
from panhuo.organisation import policy
from panhuo.organisation.models import User
from panhuo.pricing import rules
from panhuo.register.models import Asset


def securities_of_debt(user: User, debt: Debt) -> QuerySet[DebtSecurity]:
    return DebtSecurity.objects.visible_to(user).filter(debt=debt).select_related("asset__unit")


def securities_of_asset(asset: Asset) -> QuerySet[DebtSecurity]:
    """Every security on an asset (the asset page is already scoped to who may see it)."""
    return (
        DebtSecurity.objects.filter(asset=asset)
        .select_related("debt")
        .order_by("-valid_from", "-pk")
    )


def security_create(
    *,
    actor: User,
    debt: Debt,
    kind: str,
    amount: Any,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    guarantor: str = "",
    asset: Asset | None = None,
    note: str = "",
) -> DebtSecurity:
    """Record a guarantee (naming the guarantor) or an asset given as collateral or pledge."""
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    if kind not in SecurityKind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Unknown kind “%(kind)s”; one of %(securitykind_values)s.")
                    % {"kind": kind, "securitykind_values": SecurityKind.values}
                ]
            }
        )
    amount = to_money(amount, "amount")
    errors: dict[str, list[str]] = {}
    guarantor = (guarantor or "").strip()
    if kind in ASSET_KINDS:
        if asset is None:
            errors["asset"] = [_("Collateral and pledges name an asset of the register.")]
        elif not Asset.objects.visible_to(actor).filter(pk=asset.pk).exists():
            errors["asset"] = [_("No such asset, or not one you may see.")]
        elif not asset.unit.jurisdiction.path.startswith(debt.jurisdiction.path):
            errors["asset"] = [
                _(
                    "Asset %(asset)s belongs to %(asset_unit_jurisdiction)s, outside the "
                    "debt's jurisdiction %(debt_jurisdiction)s."
                )
                % {
                    "asset": asset.code,
                    "asset_unit_jurisdiction": asset.unit.jurisdiction,
                    "debt_jurisdiction": debt.jurisdiction,
                }
            ]
        elif debt.securities.filter(asset=asset, released_on__isnull=True).exists():
            errors["asset"] = [
                _("Asset %(asset)s already secures debt %(debt)s.")
                % {"asset": asset.code, "debt": debt.code}
            ]
        if guarantor:
            errors["guarantor"] = [_("A guarantor is named only for a guarantee.")]
    else:
        if asset is not None:
            errors["asset"] = [_("A guarantee names a guarantor, not an asset.")]
        if not guarantor:
            errors["guarantor"] = [_("A guarantee names its guarantor.")]
    if amount <= 0:
        errors["amount"] = [_("The amount secured must be positive.")]
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = [_("The security cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        security = DebtSecurity(
            debt=debt, kind=kind, amount=amount, valid_from=valid_from, valid_until=valid_until,
            guarantor=guarantor, asset=asset, note=(note or "").strip(), created_by=actor,
        )  # fmt: skip
        audit_insert(
            security,
            actor=actor,
            action="debt.security_create",
            jurisdiction_path=debt.jurisdiction.path,
        )
    return security


def security_release(
    *, actor: User, security: DebtSecurity, released_on: dt.date | None = None, note: str = ""
) -> DebtSecurity:
    """Record the creditor's release of a security (e.g. its consent to sell the asset)."""
    debt = security.debt
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    released_on = released_on or timezone.localdate()
    with transaction.atomic():
        security = DebtSecurity.objects.select_for_update().get(pk=security.pk)
        if security.released_on is not None:
            raise ValidationError(
                {
                    "released_on": [
                        _("Already released on %(security_released_on)s.")
                        % {"security_released_on": security.released_on.isoformat()}
                    ]
                }
            )
        if released_on < security.valid_from:
            raise ValidationError(
                {
                    "released_on": [
                        _(
                            "A release cannot precede the security's start "
                            "(%(security_valid_from)s)."
                        )
                        % {"security_valid_from": security.valid_from.isoformat()}
                    ]
                }
            )
        audit_set(
            security,
            {"released_on": released_on, "release_note": (note or "").strip()[:300]},
            actor=actor,
            action="debt.security_release",
            jurisdiction_path=debt.jurisdiction.path,
        )
    return security


def security_delete(*, actor: User, security: DebtSecurity) -> None:
    """Remove a security recorded in error (a release is how a real one ends)."""
    debt = security.debt
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    with transaction.atomic():
        audit_record(
            actor=actor, action="debt.security_delete", obj=security,
            before=snapshot(security), jurisdiction_path=debt.jurisdiction.path,
        )  # fmt: skip
        security.delete()


# --- The disposal guard ---------------------------------------------------------------------

#: Transitions that put a package on the market.
LISTING = frozenset({"list", "relist"})


def _blocking(project, on: dt.date | None = None) -> list[DebtSecurity]:
    asset_ids = project.package.items.values_list("asset_id", flat=True)
    return list(
        DebtSecurity.objects.live(on)
        .filter(asset_id__in=asset_ids)
        .select_related("asset", "debt")
        .order_by("asset__code", "debt__code")
    )


def _is_sale(project, transition: str) -> bool:
    if transition in LISTING:
        return True

    return project.channel in rules.SELLING_CHANNELS and is_deal(project, transition)


def _reason(blocking: list[DebtSecurity]) -> str:
    parts = [
        f"asset {s.asset.code} secures debt {s.debt.code} ({s.debt.creditor}, "
        f"{s.get_kind_display()})"
        for s in blocking
    ]
    return (
        "Encumbered assets need the creditor's consent before sale: "
        + "; ".join(parts)
        + ". Record the release of the security on the debt first."
    )


def collateral_guard(*, actor, project, transition: str, data: dict) -> None:
    """Refuse listing (or concluding a sale of) a package holding an asset that is collateral
    or pledged for a live debt, naming the debt, until the security is released."""
    if not _is_sale(project, transition):
        return
    blocking = _blocking(project)
    if blocking:
        raise ValidationError({"transition": [_reason(blocking)]})


def _explain(*, actor, project, transition: str) -> str:
    if not _is_sale(project, transition):
        return ""
    blocking = _blocking(project)
    return _reason(blocking) if blocking else ""


collateral_guard.explain = _explain  # type: ignore[attr-defined]
