"""Gates on what a listing discloses (issue 12): conditions on buyers of enterprise assets.

SASAC/MoF Order 32 art. 51: "除国家法律法规或相关规定另有要求的外，资产转让不得对受让方设置
资格条件" — a transfer of an enterprise's assets sets no qualification conditions on buyers
unless a law, regulation or rule requires them. A listing records the conditions it discloses
(``ListingRound.buyer_conditions``) and the law or rule that requires them
(``conditions_basis``); ``buyer_conditions_ok`` refuses conditions on a package with enterprise
assets that name no such basis. Administrative and public-institution assets (Decree 738) and
land-use rights sold by a department are not under art. 51; their conditions are recorded and
disclosed all the same.

Each gate is a pure function (figures in, ``GateRefused`` out); ``listing_guard`` applies them
to the market channels' listing steps inside ``project_transition`` (registered in
``hooks.install``), so a refusal writes nothing.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from panhuo.core.gates import GateRefused, rule
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.channels import buyer_conditions
from panhuo.disposal.models import Channel
from panhuo.pricing.law import RuleClass
from panhuo.pricing.selectors import package_rule_classes

MARKET = frozenset({Channel.AUCTION, Channel.EXCHANGE})
LISTING_STEPS = frozenset({"list", "relist", "redisclose"})

BUYER_CONDITIONS = rule(
    "buyer_conditions_not_allowed",
    _("No qualification conditions on buyers of enterprise assets unless a rule requires them"),
    _("SASAC/MoF Order 32 art. 51"),
    owner="disposal.listing_gates",
)


def buyer_conditions_ok(*, classes: list[str], conditions: str, basis: str) -> None:
    """Conditions on buyers of a package holding enterprise assets need the law, regulation
    or rule that requires them; none (or blank text) always passes, and so does a package with
    no enterprise assets."""
    if not (conditions or "").strip() or RuleClass.ENTERPRISE not in classes:
        return
    if (basis or "").strip():
        return
    raise GateRefused(
        BUYER_CONDITIONS,
        field="buyer_conditions",
        message=_(
            "The listing sets conditions on buyers of enterprise assets (“%(conditions)s”) "
            "without naming the law, regulation or rule that requires them."
        ),
        unblock=_(
            "Remove the conditions on buyers, or name the law, regulation or rule that requires "
            "them in “Law or rule requiring the conditions” (conditions_basis)."
        ),
        params={"conditions": conditions.strip()[:200]},
    )


def _round_text(data: dict, current: ListingRound | None) -> tuple[str, str]:
    found = buyer_conditions(data, current)
    return found["buyer_conditions"], found["conditions_basis"]


def listing_guard(*, actor, project, transition: str, data: dict) -> None:
    """Apply the listing gates to a market channel's listing, relisting or new disclosure."""
    if project.channel not in MARKET or transition not in LISTING_STEPS:
        return
    current = project.rounds.filter(result=ListingRound.Result.OPEN).first()
    conditions, basis = _round_text(data, current)
    buyer_conditions_ok(
        classes=package_rule_classes(project.package), conditions=conditions, basis=basis
    )
