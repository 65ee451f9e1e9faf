"""Scope rules: propose which assets may go, each with its reasons, and record the decision.

An essential public-service asset is always out; so is one already disposed or in a live
package. The rest are tested against the jurisdiction's rules (idle long enough, clear title,
unencumbered, worth enough); candidates carry the reasons they passed, exclusions the reasons
they failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.integrity.services import audit_record
from panhuo.organisation import policy
from panhuo.organisation.models import Jurisdiction, User
from panhuo.register.models import GONE_STATUSES, Asset, AssetStatus, Criticality
from panhuo.register.scope_models import ScopeDecision, ScopeDecisionItem, ScopeRuleSet

RULE_FIELDS = ("min_idle_months", "include_under_used", "exclude_supporting",
               "require_clear_title", "require_unencumbered", "min_value")  # fmt: skip


@dataclass
class Proposal:
    asset: Asset
    included: bool
    reasons: list[str]


def rules_for(jurisdiction: Jurisdiction) -> ScopeRuleSet:
    """The jurisdiction's rules, or the nearest ancestor's, or the defaults (unsaved)."""
    node = jurisdiction
    while node is not None:
        found = ScopeRuleSet.objects.filter(jurisdiction=node).first()
        if found:
            return found
        node = node.parent
    return ScopeRuleSet(jurisdiction=jurisdiction)


def scope_rules_update(*, actor: User, jurisdiction: Jurisdiction, data: dict) -> ScopeRuleSet:
    """Set a jurisdiction's scope rules (task-force office prepares; audited)."""
    policy.require(actor, "scope", "rules", jurisdiction=jurisdiction)
    unknown = sorted(set(data) - set(RULE_FIELDS))
    if unknown:
        raise ValidationError({n: [_("This field cannot be set.")] for n in unknown})
    with transaction.atomic():
        rules = ScopeRuleSet.objects.get_or_create(jurisdiction=jurisdiction)[0]
        before = rules.as_json()
        for k, v in data.items():
            setattr(rules, k, v)
        rules.full_clean()
        rules.save()
        audit_record(actor=actor, action="scope.rules_update", obj=rules, before=before,
                     after=rules.as_json(), jurisdiction_path=jurisdiction.path)  # fmt: skip
    return rules


def _assets_in(actor: User, jurisdiction: Jurisdiction):
    # Package items are disposal's (a layer above): reached through the asset's reverse
    # relation, not by importing disposal.
    package_item = Asset._meta.get_field("package_items").related_model
    return (
        Asset.objects.visible_to(actor)
        .filter(unit__jurisdiction__path__startswith=jurisdiction.path)
        .exclude(status__in=GONE_STATUSES)
        .select_related("unit")
        .annotate(
            encumbrance_count=Count("encumbrances"),
            in_live_package=Exists(package_item.objects.filter(asset=OuterRef("pk"), live=True)),
        )
        .order_by("unit__name", "code")
    )


def evaluate(asset: Asset, rules: ScopeRuleSet, today=None) -> Proposal:
    today = today or timezone.localdate()
    out: list[str] = []
    ok: list[str] = []
    if asset.criticality == Criticality.ESSENTIAL:
        out.append("essential public service")
    elif asset.criticality == Criticality.SUPPORTING and rules.exclude_supporting:
        out.append("supporting public service")
    else:
        ok.append(f"{asset.get_criticality_display().lower()}")
    if getattr(asset, "in_live_package", False):
        out.append("already in a live package")
    idle_ok = asset.status == AssetStatus.IDLE or (
        rules.include_under_used and asset.status == AssetStatus.UNDER_USED
    )
    months = asset.months_idle(on=today)
    if not idle_ok:
        out.append(f"{asset.get_status_display().lower()}")
    elif months is None:
        out.append("idle since an unknown date")
    elif months < rules.min_idle_months:
        out.append(f"idle {months} months < {rules.min_idle_months}")
    else:
        ok.append(f"idle {months} months ≥ {rules.min_idle_months}")
    if rules.require_clear_title:
        (ok if asset.title_complete else out).append(
            "clear title" if asset.title_complete else "title incomplete"
        )
    if rules.require_unencumbered:
        n = getattr(asset, "encumbrance_count", None)
        if n is None:
            n = asset.encumbrances.count()
        (out if n else ok).append(f"{n} encumbrance(s)" if n else "unencumbered")
    if asset.book_value < rules.min_value:
        out.append(f"book value {asset.book_value} < {rules.min_value}")
    return Proposal(asset, not out, out or ok)


def propose(actor: User, jurisdiction: Jurisdiction) -> Iterator[Proposal]:
    """Every asset of the jurisdiction the actor may see, proposed in or out, with reasons."""
    policy.require(actor, "scope", "view", jurisdiction=jurisdiction)
    rules = rules_for(jurisdiction)
    today = timezone.localdate()
    for asset in _assets_in(actor, jurisdiction).iterator(chunk_size=2000):
        yield evaluate(asset, rules, today)


def scope_decide(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    include: Iterable[int] | None = None,
    note: str = "",
) -> ScopeDecision:
    """Record the task force's scope decision. ``include`` narrows the rules' candidates to
    those the task force confirms (default: all of them); nobody can include an exclusion.
    The head or a deputy decides: scope is theirs to approve (DESIGN.md §1)."""
    policy.require(actor, "scope", "decide", jurisdiction=jurisdiction)
    proposals = list(propose(actor, jurisdiction))
    candidates = {p.asset.pk for p in proposals if p.included}
    chosen = candidates if include is None else {int(i) for i in include}
    refused = sorted(chosen - candidates)
    if refused:
        raise ValidationError(
            {
                "include": [
                    _("Asset(s) %(refused)s are not scope candidates under the rules.")
                    % {"refused": refused}
                ]
            }
        )
    with transaction.atomic():
        decision = ScopeDecision.objects.create(
            jurisdiction=jurisdiction, decided_by=actor,
            rules=rules_for(jurisdiction).as_json(), note=note,
        )  # fmt: skip
        ScopeDecisionItem.objects.bulk_create(
            ScopeDecisionItem(
                decision=decision,
                asset=p.asset,
                included=p.asset.pk in chosen,
                reasons=p.reasons if p.asset.pk in chosen or not p.included
                else ["not confirmed by the task force"],
            )
            for p in proposals
        )  # fmt: skip
        audit_record(
            actor=actor, action="scope.decide", obj=decision,
            after={"rules": decision.rules, "included": sorted(chosen),
                   "excluded": len(proposals) - len(chosen), "note": note},
            jurisdiction_path=jurisdiction.path,
        )  # fmt: skip
    return decision
