"""A debt's details as the debt management system records them (``debts.system``): given when
the debt is registered (``finance.services.debt_create``) and changed here, one transaction and
one audit entry each. The terms (principal, rate, dates, schedule) are not details: they move
the ledger and the schedule, and change by import or the schedule form."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panhuo.core.errors import Conflict, ValidationError
from panhuo.finance.debts import risk_rollups
from panhuo.integrity.services import full_clean, save_versioned, snapshot
from panhuo.organisation import policy
from panhuo.organisation.credit_code import normalise_credit_code

#: What a debt's details are; each may be blank but the class (blank there: the type's).
DETAILS = (
    "creditor", "liability_class", "borrower", "borrower_credit_code", "bond_code",
    "bond_purpose", "project_name", "project_sector", "repayment_source",
)  # fmt: skip


def cleaned(data: dict[str, Any]) -> dict[str, Any]:
    """The details as stored: text stripped, a credit code without spaces or hyphens and in
    capitals, None as blank."""
    out = dict(data)
    for name in DETAILS:
        if name in out:
            out[name] = (out[name] or "").strip()
    if "borrower_credit_code" in out:
        out["borrower_credit_code"] = normalise_credit_code(out["borrower_credit_code"])
    return out


def debt_update(*, actor, debt, data: dict[str, Any], version: int | None = None):
    """Change the details sent. ``version`` (if given) must match the debt's, so no one's
    edit is silently lost; a voided debt is not changed."""
    from panhuo.finance.models import Debt

    unknown = sorted(set(data) - set(DETAILS))
    if unknown:
        raise ValidationError({n: [_("This field cannot be changed here.")] for n in unknown})
    policy.require(actor, "debt", "edit", jurisdiction=debt.jurisdiction)
    data = cleaned(data)
    with transaction.atomic():
        current = Debt.objects.select_for_update().select_related("jurisdiction").get(pk=debt.pk)
        if version is not None and current.version != version:
            raise Conflict(
                _("Debt %(code)s was changed by someone else (version %(now)s, you edited "
                  "%(yours)s). Reload and try again.")
                % {"code": current.code, "now": current.version, "yours": version}
            )  # fmt: skip
        if current.voided_at is not None:
            raise ValidationError(
                {"debt": [_("Debt %(code)s is voided.") % {"code": current.code}]}
            )
        before = snapshot(current)
        for name, value in data.items():
            setattr(current, name, value)
        full_clean(current)
        with risk_rollups.changing([current.pk]):
            save_versioned(
                current, before, actor=actor, action="debt.update", path=current.jurisdiction.path
            )
    return current
