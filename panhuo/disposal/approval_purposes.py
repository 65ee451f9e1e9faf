"""What disposal tells the approval engine about its two purposes (installed by hooks.install).

The engine (approvals, a layer below) knows no law: the least authority each exception needs,
the documents its last step rests on and the figures the head sees in the inbox are data on
the purpose, set here by the app that owns the rule.

- ``price_exception`` — a relisting reserve or a deal below 90 % of the appraisal: the head's
  written approval (Order 32; SASAC Order 12 art. 13). Only the head decides the last step, the
  default chain is the head alone, and the approval document with its number (文号) must be on
  the project before it is approved.
- ``disposal`` — a negotiated (non-public) transfer is approved by the body Order 32 art. 31
  names (the state-owned assets supervisor, or the state-funded enterprise's decision for a
  transfer inside its group): in a task force, the head. A disposal of administrative or
  public-institution assets (State Council Decree 738 art. 19) rests on a collective decision
  and an approval document: the minutes and the approval document with its number must be on
  the project before its approval's last step (``decision_documents``). Enterprise assets are
  decided by the enterprise's own procedure (Order 32 art. 48), so they need neither here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.approvals.registry import configure_purpose
from panhuo.core.gates import rule
from panhuo.disposal.models import Channel, DisposalProject
from panhuo.organisation.models import Role
from panhuo.pricing.law import RuleClass
from panhuo.pricing.selectors import package_appraisal, package_rule_classes, thresholds_for

PRICE_EXCEPTION_AUTHORITY = rule(
    "price_exception_authority",
    _(
        "A price below the approval floor (90 per cent of the appraisal) needs the head's "
        "written approval"
    ),
    _("SASAC/MoF Order 32; SASAC Order 12 art. 13"),
    owner="disposal.approval_purposes",
)
NEGOTIATED_AUTHORITY = rule(
    "negotiated_transfer_authority",
    _("A negotiated transfer is approved by the body Order 32 art. 31 names"),
    _("SASAC/MoF Order 32 art. 31"),
    owner="disposal.approval_purposes",
)

HEAD = frozenset({Role.HEAD.value})


def summary(request) -> dict:
    """The figures the head weighs in the inbox: the project's appraisal, the amount asked for
    (the reserve or price the request covers), and the ratio between them."""
    project = (
        DisposalProject.objects.filter(pk=request.object_id)
        .select_related("package__jurisdiction")
        .first()
    )
    if project is None:
        return {}
    found = package_appraisal(project.package, on=timezone.localdate())
    amount = request.amount if request.amount is not None else project.reserve_price
    appraisal = found.total
    ratio = None
    if appraisal and amount is not None:
        ratio = (Decimal(amount) * 100 / appraisal).quantize(Decimal("0.1"))
    floor = thresholds_for(project.jurisdiction).approval_floor_pct
    return {
        "appraisal": appraisal,
        "amount": amount,
        "ratio_pct": ratio,
        "floor_pct": floor,
        "below_floor": ratio is not None and ratio < floor,
    }


#: What a disposal of administrative or public-institution assets rests on (Decree 738 art. 19).
DECISION_DOCUMENTS = ("collective_decision", "approval")


def decision_documents(project) -> tuple[str, ...]:
    """The documents the approval of ``project`` needs: the collective decision's minutes and
    the approval document when its package holds administrative or public-institution assets
    (a mixed package included), none otherwise."""
    package = getattr(project, "package", None)  # a request on another record: none
    if package is not None and RuleClass.ADMINISTRATIVE in package_rule_classes(package):
        return DECISION_DOCUMENTS
    return ()


def install() -> None:
    configure_purpose(
        "price_exception",
        least_roles=HEAD,
        authority=PRICE_EXCEPTION_AUTHORITY,
        default_steps=((Role.HEAD.value,),),
        documents=("approval",),
        fresh_approval=True,  # the written approval of this price, not the disposal's own
        summary=summary,
    )
    configure_purpose(
        "disposal",
        channel_least_roles={Channel.NEGOTIATED.value: HEAD},
        authority=NEGOTIATED_AUTHORITY,
        documents_for=decision_documents,
        summary=summary,
    )
