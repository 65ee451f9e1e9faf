"""The counterparty's terms of the channels that name one: a negotiated transfer (Order 32
art. 31), a transfer to a state-owned recipient, a debt swap, a free transfer, and the
give-ups proved by evidence (scrap, loss, write-off).

``prepare`` checks the step's input and fills ``plan["terms"]`` (and ``terms_extra``);
``finish_terms`` writes them; ``finish_settle`` settles the swapped debt.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.core.inputs import ABOVE_ZERO, to_amount, to_date
from panhuo.disposal import money
from panhuo.disposal.channel_models import ChannelTerms
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.organisation.credit_code import normalise_credit_code
from panhuo.organisation.models import Unit


def _soe_unit(value: Any, field: str, project: DisposalProject) -> Unit:
    unit = value if isinstance(value, Unit) else None
    if unit is None:
        try:
            unit = Unit.objects.select_related("jurisdiction").get(pk=int(value))
        except (Unit.DoesNotExist, TypeError, ValueError):
            raise ValidationError(
                {field: [_("Unknown unit “%(value)s”.") % {"value": value}]}
            ) from None
    if unit.kind != Unit.Kind.SOE:
        raise ValidationError(
            {
                field: [
                    _(
                        "%(unit)s is a %(unit_kind)s; the counterparty must be a state-owned "
                        "company."
                    )
                    % {"unit": unit, "unit_kind": unit.get_kind_display()}
                ]
            }
        )
    return unit


def prepare(
    needs: frozenset[str], *, project: DisposalProject, actor, today: dt.date, deal_price,
    buyer: str, comment: str, data: dict[str, Any], plan: dict[str, Any],
) -> tuple[Any, str]:  # fmt: skip
    """Check the counterparty's input and set ``plan``; return the deal price and buyer."""
    if "counterparty" in needs:
        unit_ref, name = data.get("counterparty_unit"), (data.get("counterparty") or "").strip()
        if unit_ref not in (None, ""):
            unit = _soe_unit(unit_ref, "counterparty_unit", project)
            plan["terms"] = {"counterparty_unit": unit, "counterparty_name": unit.name,
                             "counterparty_soe": True}  # fmt: skip
        elif name and data.get("counterparty_soe"):
            plan["terms"] = {"counterparty_unit": None, "counterparty_name": name,
                             "counterparty_soe": True}  # fmt: skip
        elif name:
            raise ValidationError(
                {
                    "counterparty_soe": [
                        _(
                            "A negotiated transfer goes only to a state-owned party: confirm that "
                            "%(name)s is state-owned, or pick its unit."
                        )
                        % {"name": name}
                    ]
                }
            )
        else:
            raise ValidationError(
                {
                    "counterparty": [
                        _(
                            "A negotiated transfer names its state-owned counterparty (a "
                            "state-owned company unit, or a name flagged state-owned)."
                        )
                    ]
                }
            )
        plan["terms"]["reason"] = comment.strip()
    if "art31_case" in needs:
        plan["terms"]["art31_case"] = str(data.get("art31_case") or "")
    if "art31_approval" in needs:
        plan["terms_extra"] = {
            "approval_body": str(data.get("approval_body") or ""),
            "approval_ref": str(data.get("approval_ref") or "").strip()[:100],
            "approval_on": to_date(data.get("approval_on"), "approval_on", default=today),
        }
    if "free_recipient" in needs:
        unit, name = free_recipient(data)
        plan["terms"] = {"counterparty_unit": unit, "counterparty_name": name[:200],
                         "counterparty_soe": True, "reason": comment.strip(),
                         "counterparty_credit_code": recipient_code(data, unit)}  # fmt: skip
    if "evidence" in needs:
        plan["terms"] = {
            "counterparty_name": "",
            "reason": comment.strip(),
            "evidence_kind": str(data.get("evidence_kind") or ""),
            "evidence_ref": str(data.get("evidence_ref") or "").strip()[:100],
            "evidence_issuer": str(data.get("evidence_issuer") or "").strip()[:200],
            "evidence_on": to_date(data.get("evidence_on"), "evidence_on", default=today),
        }
    if "zero_deal" in needs:
        # Free transfer, scrap, loss, write-off: no price, so no money is expected.
        terms = getattr(project, "terms", None)
        deal_price, buyer = Decimal("0.00"), (terms.counterparty if terms else "") or ""
        if project.channel == Channel.FREE_TRANSFER and not buyer:
            raise ValidationError({"counterparty": [_("The free transfer names no recipient.")]})
        project.deal_price, project.buyer = deal_price, buyer[:200]
    if "recipient" in needs:
        unit = _soe_unit(data.get("counterparty_unit"), "counterparty_unit", project)
        plan["terms"] = {"counterparty_unit": unit, "counterparty_name": unit.name,
                         "counterparty_soe": True, "reason": comment.strip()}  # fmt: skip
        buyer = unit.name
    if "swap" in needs:
        debt = money.debt_for(actor, data.get("debt"))
        if debt.jurisdiction_id != project.package.jurisdiction_id:
            raise ValidationError(
                {
                    "debt": [
                        _(
                            "Debt %(debt)s belongs to %(debt_jurisdiction)s, the package to "
                            "%(project_package_jurisdiction)s."
                        )
                        % {
                            "debt": debt.code,
                            "debt_jurisdiction": debt.jurisdiction,
                            "project_package_jurisdiction": project.package.jurisdiction,
                        }
                    ]
                }
            )
        value = to_amount(deal_price, "deal_price", sign=ABOVE_ZERO)
        if value > debt.outstanding:
            raise ValidationError(
                {
                    "deal_price": [
                        _(
                            "The agreed value %(value)s exceeds the outstanding amount of debt "
                            "%(debt)s: %(debt_outstanding)s."
                        )
                        % {"value": value, "debt": debt.code, "debt_outstanding": debt.outstanding}
                    ]
                }
            )
        plan["terms"] = {"debt": debt, "counterparty_name": debt.creditor,
                         "reason": comment.strip()}  # fmt: skip
        buyer = debt.creditor
    return deal_price, buyer


def free_recipient(data: dict[str, Any]) -> tuple[Unit | None, str]:
    """The recipient of a free transfer: a unit (any kind: all are state entities), or a name
    confirmed to be a state entity (``counterparty_soe``)."""
    ref, name = data.get("counterparty_unit"), (data.get("counterparty") or "").strip()
    if ref not in (None, ""):
        unit = ref if isinstance(ref, Unit) else Unit.objects.filter(pk=_int(ref)).first()
        if unit is None:
            raise ValidationError(
                {"counterparty_unit": [_("Unknown unit “%(ref)s”.") % {"ref": ref}]}
            )
        return unit, unit.name
    if not name:
        raise ValidationError(
            {
                "counterparty": [
                    _("A free transfer names its recipient (a unit, or a state entity's name).")
                ]
            }
        )
    return None, name


def recipient_code(data: dict[str, Any], unit: Unit | None) -> str:
    """The recipient's unified social credit code: the one given, else its unit's."""
    given = normalise_credit_code(str(data.get("counterparty_credit_code") or ""))
    return (given or (unit.credit_code if unit else ""))[:18]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def finish_terms(project: DisposalProject, plan: dict, note: dict[str, Any]) -> None:
    """Write the counterparty's terms the step gave (into ``note`` for the audit entry)."""
    if "terms" in plan:
        ChannelTerms.objects.update_or_create(project=project, defaults=plan["terms"])
        note["counterparty"] = plan["terms"].get("counterparty_name", "")
        if plan["terms"].get("evidence_kind"):
            note["evidence"] = f"{plan['terms']['evidence_kind']} {plan['terms']['evidence_ref']}"
    if "terms_extra" in plan:
        ChannelTerms.objects.filter(project=project).update(**plan["terms_extra"])
        note["approval"] = (
            f"{plan['terms_extra']['approval_body']} " + (plan["terms_extra"]["approval_ref"])
        )


def finish_settle(project: DisposalProject, *, actor, today: dt.date, note: dict) -> None:
    """A debt swap closes: the debt is settled by the agreed value."""
    terms = project.terms
    s = money.settle_debt(actor=actor, debt=terms.debt, project=project,
                             amount=project.deal_price, on=today)  # fmt: skip
    note.update(debt=terms.debt.code, settled=str(s.amount))
