"""Pages of scorecards: the ranked list of a plan's period (search, filters, sort, export), a
unit's card with every figure's drill-down, the plan's weights, issuing a period, and the
rewards and punishments (proposed here, decided by the head in "My approvals"). Thin:
selectors read, services write. No menu entry: the work plan's page and the dashboard link
here."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST, require_safe

from panhuo.approvals.services import approval_status
from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import button_write, fetch_allowed, fetch_or_404, form_post, section_required
from panhuo.organisation import policy
from panhuo.scorecards import services
from panhuo.scorecards.approval import PURPOSE
from panhuo.scorecards.compute import DEFAULT_WEIGHTS, TIER_FLOORS, weights_of
from panhuo.scorecards.forms import (
    DecisionFilterForm,
    DecisionForm,
    IssueForm,
    ScorecardFilterForm,
    WeightsForm,
)
from panhuo.scorecards.models import PARTS, Period
from panhuo.scorecards.parts import PART_LABELS
from panhuo.scorecards.selectors import (
    CARD_ORDERINGS,
    DECISION_ORDERINGS,
    decision_list,
    decisions_on,
    default_plan,
    get_decision_for,
    get_issued_for,
    get_scored_plan_for,
    scorecard_for,
    scorecard_rows,
)


def _part_score(name: str):
    def value(card):
        part = next(p for p in card.parts if p.name == name)
        return part.score.quantize(part.score.__class__("0.01")) if part.score is not None else None

    return value


class ScorecardList(ObjectList):
    target, resource, filter_form = "scorecards", "scorecard", ScorecardFilterForm
    rows, orderings = scorecard_rows, CARD_ORDERINGS
    export_name = "scorecards"
    columns = [
        Column("rank", _l("Rank"), numeric=True),
        Column("unit", _l("Unit"), "unit.name"),
        Column("score", _l("Score"), numeric=True),
        Column("tier", _l("Tier"), "tier_label"),
        *(Column(p, PART_LABELS[p], _part_score(p), numeric=True, show=False) for p in PARTS),
        Column("on", _l("As of"), "on"),
    ]

    def extra_context(self, rows) -> dict:
        form = self.form()
        data = form.filters() if form is not None else {}
        plan = None
        if data.get("plan"):
            plan = get_scored_plan_for(self.user, data["plan"])
        else:
            plan = default_plan(self.user)
        period = data.get("period") or Period.YEAR
        may_issue = plan is not None and policy.allowed(
            self.user, "scorecard", "issue", jurisdiction=plan.jurisdiction
        )
        return {
            "plan": plan,
            "period": Period(period),
            "issued": bool(rows) and rows[0].issued is not None,
            "can_issue": may_issue and plan.status == "approved",
            "issue_form": IssueForm(initial={"period": period}),
            "tier_floors": TIER_FLOORS,
        }


scorecard_list_view = require_safe(ScorecardList.as_view())


def _period(request) -> str:
    period = request.GET.get("period") or Period.YEAR
    return period if period in Period.values else Period.YEAR


@require_safe
@section_required("scorecard")
def scorecard_card_view(request, pk, unit):
    """A unit's card: issued (frozen) when the period was issued, else live as of today; every
    figure links to the records behind it."""
    period = _period(request)
    card = fetch_or_404(lambda user, _pk: scorecard_for(user, pk, unit, period), request.user, pk)
    decisions = decisions_on(request.user, card.plan, card.unit, period)
    may_propose = card.issued is not None and policy.allowed(
        request.user, "scorecard", "propose", jurisdiction=card.unit.jurisdiction
    )
    return render(
        request,
        "scorecards/card.html",
        {
            "card": card,
            "periods": Period.choices,
            "decisions": decisions,
            "can_propose": may_propose,
            "decision_form": DecisionForm(),
            "tier_floors": TIER_FLOORS,
        },
    )


@section_required("scorecard", "weights")
def scorecard_weights_view(request, pk):
    refusal = _("Your roles do not allow setting the weights of this plan.")
    plan = fetch_allowed(get_scored_plan_for, request.user, pk, "scorecard", "weights", refusal)

    def page(form, status=200):
        return render(request, "scorecards/weights.html",
                      {"plan": plan, "form": form, "defaults": DEFAULT_WEIGHTS},
                      status=status)  # fmt: skip

    if request.method != "POST":
        return page(WeightsForm(initial=weights_of(plan)))
    return form_post(
        request, WeightsForm(request.POST),
        lambda data: services.weights_set(actor=request.user, plan=plan, data=data),
        _("The weights were saved."), to=reverse("scorecard-list") + f"?plan={plan.pk}",
        page=lambda form: page(form, 400),
    )  # fmt: skip


@require_POST
@section_required("scorecard", "issue")
def scorecard_issue_view(request, pk):
    refusal = _("Your roles do not allow issuing the scorecards of this plan.")
    plan = fetch_allowed(get_scored_plan_for, request.user, pk, "scorecard", "issue", refusal)
    period = request.POST.get("period") or ""
    button_write(
        request,
        lambda: services.scorecards_issue(actor=request.user, plan=plan, period=period),
        _("The scorecards were issued."),
    )
    ok = period if period in Period.values else Period.YEAR
    return redirect(reverse("scorecard-list") + f"?plan={plan.pk}&period={ok}")


@require_POST
@section_required("scorecard", "propose")
def scorecard_propose_view(request, pk):
    refusal = _("Your roles do not allow proposing a reward or punishment on this scorecard.")
    sc = fetch_allowed(get_issued_for, request.user, pk, "scorecard", "propose", refusal,
                       place=lambda s: s.unit.jurisdiction)  # fmt: skip
    form = DecisionForm(request.POST)

    def propose(data):
        return services.decision_propose(actor=request.user, scorecard=sc, **data)

    return form_post(
        request, form, propose, _("The proposal was sent to the head."),
        to=sc.get_absolute_url(), page=lambda form: redirect(sc.get_absolute_url()),
    )  # fmt: skip


class DecisionList(ObjectList):
    target, resource, filter_form = "score-decisions", "scorecard", DecisionFilterForm
    url_name, template = "scorecard-decision-list", "scorecards/decision_list.html"
    rows, orderings = decision_list, DECISION_ORDERINGS
    export_name = "rewards-and-punishments"
    columns = [
        Column("proposed_at", _l("Proposed at"), "proposed_at"),
        Column("unit", _l("Unit"), "scorecard.unit.name"),
        Column("period", _l("Period"), lambda d: str(d.scorecard)),
        Column("kind", _l("Kind"), "get_kind_display"),
        Column("amount", _l("Amount"), "amount", numeric=True, money=True),
        Column("status", _l("Status"), "get_status_display"),
        Column("reason", _l("Reason"), "reason", show=False),
    ]


scorecard_decision_list_view = require_safe(DecisionList.as_view())


@require_safe
@section_required("scorecard")
def scorecard_decision_detail(request, pk):
    decision = fetch_or_404(get_decision_for, request.user, pk)
    return render(
        request,
        "scorecards/decision_detail.html",
        {"decision": decision, "approval": approval_status(decision, PURPOSE)},
    )
