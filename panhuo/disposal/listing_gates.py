"""Gates on what a listing discloses and how long it runs (issue 12): conditions on buyers of
enterprise assets, and the land-use-rights announcement and listing periods.

SASAC/MoF Order 32 art. 51: "除国家法律法规或相关规定另有要求的外，资产转让不得对受让方设置
资格条件" — a transfer of an enterprise's assets sets no qualification conditions on buyers
unless a law, regulation or rule requires them. A listing records the conditions it discloses
(``ListingRound.buyer_conditions``) and the law or rule that requires them
(``conditions_basis``); ``buyer_conditions_ok`` refuses conditions on a package with enterprise
assets that name no such basis. Administrative and public-institution assets (Decree 738) and
land-use rights sold by a department are not under art. 51; their conditions are recorded and
disclosed all the same.

MLR Order 39 (2007): a land-use right is announced at least 20 days before its listing starts
(art. 11) and listed at least 10 days (art. 19), in calendar days. A listing step of a package
holding land records the announcement's day (``ListingRound.announced_on``) and
``pricing.land_gates.require_land_announcement`` judges it; the deal is judged by
``require_land_listing`` against the round's listing date. For land these run before the
general periods (``disposal.periods``), so that the land rule names itself.

Each gate is a pure function (figures in, ``GateRefused`` out); ``listing_guard`` applies them
to the market channels' listing steps inside ``project_transition`` (registered in
``hooks.install``), so a refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panhuo.core.gates import GateRefused, rule
from panhuo.core.inputs import to_date
from panhuo.disposal.channel_models import ListingRound
from panhuo.disposal.channels.listing import announced_on_given, buyer_conditions
from panhuo.disposal.models import Channel
from panhuo.disposal.periods import STEP_DATE
from panhuo.pricing.land_gates import require_land_announcement, require_land_listing
from panhuo.pricing.law import RuleClass
from panhuo.pricing.selectors import package_rule_classes, thresholds_for_package

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


def announcement_published(*, announced_on: dt.date | None, today: dt.date) -> None:
    """An announcement's day is recorded once it was published: never after today."""
    if announced_on is None or announced_on <= today:
        return
    raise GateRefused(
        STEP_DATE,
        field="announced_on",
        message=_("The announcement is dated %(date)s, after today (%(today)s)."),
        unblock=_("Give the day the announcement was published, on or before %(today)s."),
        params={"date": announced_on.isoformat(), "today": today.isoformat()},
    )


def _land(project, transition: str, data: dict, current: ListingRound | None) -> None:
    today = timezone.localdate()
    t = thresholds_for_package(project.package)
    if transition in LISTING_STEPS:
        listed_on = to_date(data.get("listed_on"), "listed_on", default=today)
        announced_on = announced_on_given(data)
        announcement_published(announced_on=announced_on, today=today)
        require_land_announcement(announced_on=announced_on, listing_start=listed_on, t=t)
    elif transition == "conclude" and current is not None:
        deal_on = to_date(data.get("concluded_on"), "concluded_on", default=today)
        require_land_listing(listing_start=current.listed_on, listing_end=deal_on, t=t)


def listing_guard(*, actor, project, transition: str, data: dict) -> None:
    """Apply the listing gates to a market channel's listing steps and deal."""
    if project.channel not in MARKET or transition not in LISTING_STEPS | {"conclude"}:
        return
    classes = package_rule_classes(project.package)
    current = project.rounds.filter(result=ListingRound.Result.OPEN).first()
    if RuleClass.LAND in classes:
        _land(project, transition, data, current)
    if transition in LISTING_STEPS:
        conditions, basis = _round_text(data, current)
        buyer_conditions_ok(classes=classes, conditions=conditions, basis=basis)


def explain(*, actor, project, transition: str) -> str:
    """Why the deal of a land-use right must wait for its 10-day listing (today, with no date
    given), or ""."""
    if project.channel not in MARKET or transition != "conclude":
        return ""
    if RuleClass.LAND not in package_rule_classes(project.package):
        return ""
    try:
        _land(project, transition, {}, project.rounds.filter(result="open").first())
    except GateRefused as refused:
        return refused.text
    return ""


listing_guard.explain = explain  # type: ignore[attr-defined]
