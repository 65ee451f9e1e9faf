"""Scope rules: propose which assets may go, each with its reasons, and record the decision.

An essential public-service asset is always out; so is one already disposed or in a live
package. The rest are tested against the jurisdiction's rules (idle long enough, clear title,
unencumbered, worth enough); candidates carry the reasons they passed, exclusions the reasons
they failed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
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
    """The assets a proposal covers: those of the jurisdiction (and below) the actor may see,
    not gone, with what ``evaluate`` reads of their encumbrances and packages (a subquery per
    row returned, so a page of them costs a page's worth)."""
    # Package items are disposal's (a layer above): reached through the asset's reverse
    # relation, not by importing disposal.
    package_item = Asset._meta.get_field("package_items").related_model
    encumbrance = Asset._meta.get_field("encumbrances").related_model
    return (
        Asset.objects.visible_to(actor)
        .filter(unit__jurisdiction__path__startswith=jurisdiction.path)
        .exclude(status__in=GONE_STATUSES)
        .select_related("unit")
        .annotate(
            encumbrance_count=Coalesce(
                Subquery(
                    encumbrance.objects.filter(asset=OuterRef("pk"))
                    .order_by()
                    .values("asset")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            in_live_package=Exists(package_item.objects.filter(asset=OuterRef("pk"), live=True)),
        )
        .order_by("unit__name", "code")
    )


def idle_threshold(months: int, today) -> dt.date:
    """The latest ``idle_since`` that is at least ``months`` whole months before ``today`` as
    ``Asset.months_idle`` counts them: the same day ``months`` months back (the month's last
    day when it has no such day)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def in_scope(rules: ScopeRuleSet, today) -> list:
    """The conditions, for ``filter``, under which ``evaluate`` proposes an asset in: the rules
    evaluated by the database, so that a proposal of a million assets is counted and paged
    there, and only the page shown is evaluated (for its reasons) in Python."""
    package_item = Asset._meta.get_field("package_items").related_model
    encumbrance = Asset._meta.get_field("encumbrances").related_model
    excluded = [Criticality.ESSENTIAL] + ([Criticality.SUPPORTING] if rules.exclude_supporting
                                          else [])  # fmt: skip
    idle = [AssetStatus.IDLE] + ([AssetStatus.UNDER_USED] if rules.include_under_used else [])
    conditions = [
        ~Q(criticality__in=excluded),
        ~Exists(package_item.objects.filter(asset=OuterRef("pk"), live=True)),
        Q(status__in=idle, idle_since__isnull=False, book_value__gte=rules.min_value),
    ]
    if rules.min_idle_months > 0:
        conditions.append(Q(idle_since__lte=idle_threshold(rules.min_idle_months, today)))
    if rules.require_clear_title:
        conditions.append(Q(title_complete=True))
    if rules.require_unencumbered:
        conditions.append(~Exists(encumbrance.objects.filter(asset=OuterRef("pk"))))
    return conditions


@dataclass
class ProposalQuery:
    """A proposal for paging: its assets, and which of them the rules propose in."""

    assets: QuerySet
    rules: ScopeRuleSet
    today: dt.date

    def included(self, value: bool | None = None) -> QuerySet:
        """The assets proposed in (True), out (False) or all (None), in the proposal's order."""
        if value is None:
            return self.assets
        if value:
            return self.assets.filter(*in_scope(self.rules, self.today))
        inside = self.assets.order_by().filter(*in_scope(self.rules, self.today)).values("pk")
        return self.assets.exclude(pk__in=inside)

    def pages(self, value: bool | None = None) -> Paged:
        """``included(value)`` as proposals to page (a Paginator's or the API's)."""
        return Paged(self, self.included(value))

    def counts(self) -> dict[str, int]:
        everything = self.assets.order_by().count()
        n_in = self.assets.order_by().filter(*in_scope(self.rules, self.today)).count()
        return {"all": everything, "in": n_in, "out": everything - n_in}

    def evaluated(self, assets: Iterable[Asset]) -> list[Proposal]:
        """Proposals of ``assets`` (a page of them), each with its reasons."""
        return [evaluate(asset, self.rules, self.today) for asset in assets]


class Paged:
    """Proposals to page: counted by the database, and only the slice asked for evaluated."""

    def __init__(self, query: ProposalQuery, assets: QuerySet):
        self.query, self.assets, self._count = query, assets, None

    def count(self) -> int:
        if self._count is None:
            self._count = self.assets.count()
        return self._count

    __len__ = count

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.query.evaluated(self.assets[key])
        return self.query.evaluated([self.assets[key]])[0]


def proposal_query(actor: User, jurisdiction: Jurisdiction) -> ProposalQuery:
    """The jurisdiction's proposal as queries (``propose`` evaluates every asset)."""
    policy.require(actor, "scope", "view", jurisdiction=jurisdiction)
    return ProposalQuery(_assets_in(actor, jurisdiction), rules_for(jurisdiction),
                         timezone.localdate())  # fmt: skip


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
