"""The content of a unit's scorecard report: the card the scorecards page shows for the unit
and period (``scorecards.selectors.scorecard_for``), computed as of the report's date as the
generating user reads it — its score, tier and rank, each part with its weight and score, and
each part's figures."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from panhuo.core.errors import ValidationError
from panhuo.organisation.models import Unit, User
from panhuo.planning.models import PlanStatus, WorkPlan
from panhuo.reports.content import TEXT, Content, Section, _cell, issuer_of
from panhuo.scorecards.models import Period, Scorecard
from panhuo.scorecards.selectors import scorecard_for


def unit_scorecard(unit: Unit, period: str, on: dt.date, user: User | None) -> Content:
    if period not in Period.values:
        raise ValidationError(
            {
                "period": [
                    _("“%(value)s” is not one of %(choices)s.")
                    % {"value": period, "choices": ", ".join(Period.values)}
                ]
            }
        )
    place = unit.jurisdiction
    # The plan scoring the unit: its place's, or the nearest place above it with one.
    plan = (
        WorkPlan.objects.filter(
            year=on.year, status=PlanStatus.APPROVED, jurisdiction__path__in=_above(place.path)
        )
        .order_by("-jurisdiction__path")
        .first()
    )
    if plan is None:
        raise ValidationError(
            {
                "unit": [
                    _("%(unit)s has no approved work plan for %(year)s to be scored against.")
                    % {"unit": unit.name, "year": on.year}
                ]
            }
        )
    try:
        card = scorecard_for(user, plan.pk, unit.pk, period, on=on)
    except (Scorecard.DoesNotExist, WorkPlan.DoesNotExist):
        raise ValidationError(
            {"unit": [_("You may not read the scorecard of %(unit)s.") % {"unit": unit.name}]}
        ) from None
    content = Content(
        kind="scorecard",
        title=_("Scorecard of %(unit)s, %(period)s %(year)s")
        % {"unit": unit.name, "period": Period(period).label, "year": on.year},
        period=f"{on.year}-{period}",
        as_of=on.isoformat(),
        issuer=issuer_of(plan.jurisdiction),
    )
    summary = Section(_("Result"), [_("Score"), _("Tier"), _("Rank")], [TEXT, TEXT, TEXT])
    summary.add(card.score, card.tier_label, f"{card.rank} / {card.ranked_of}")
    parts = Section(_("Parts"), [_("Part"), _("Weight"), _("Score")], [TEXT, TEXT, TEXT])
    figures = Section(_("Figures"), [_("Part"), _("Figure"), _("Value")], [TEXT, TEXT, TEXT])
    for part in card.parts:
        parts.add(part.label, card.weights.get(part.name, part.weight), _cell(part.score))
        for f in part.figures:
            figures.add(part.label, f.label, _cell(f.value))
    content.sections += [summary, parts, figures]
    content.empty = not any(f.value for p in card.parts for f in p.figures)
    return content


def _above(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
