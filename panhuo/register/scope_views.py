"""Scope pages: the rules' proposal (each asset in or out, with its reasons), the rules form,
recording the task force's decision, and the recorded decisions.

Which jurisdiction a page is about comes from ``?jurisdiction=``; only those the user's roles
cover for the page's action are offered, and any other is a 404.
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import form_write, paginate, section_required
from panhuo.organisation import policy
from panhuo.register.scope import (
    RULE_FIELDS,
    proposal_query,
    rules_for,
    scope_decide,
    scope_rules_update,
)
from panhuo.register.scope_forms import (
    JurisdictionChoiceForm,
    ScopeDecisionFilterForm,
    ScopeDecisionForm,
    ScopeRulesForm,
)
from panhuo.register.scope_models import ScopeDecision, ScopeRuleSet
from panhuo.register.selectors import SCOPE_DECISION_ORDERINGS, scope_decision_list

SHOW = ("all", "in", "out")


def _jurisdiction(request, action: str):
    """(the jurisdiction asked for or the user's topmost one, the choice form)."""
    choices = policy.jurisdictions_for(request.user, "scope", action).order_by("path")
    raw = request.GET.get("jurisdiction") or request.POST.get("jurisdiction")
    if raw:
        try:
            jurisdiction = choices.filter(pk=int(raw)).first()
        except (TypeError, ValueError):
            jurisdiction = None
        if jurisdiction is None:
            raise Http404(_("No such jurisdiction, or not one of yours."))
    else:
        jurisdiction = choices.first()
        if jurisdiction is None:
            raise Http404(_("Your roles cover no jurisdiction for this page."))
    form = JurisdictionChoiceForm(initial={"jurisdiction": jurisdiction.pk}, jurisdictions=choices)
    return jurisdiction, form


def rule_rows(rules: dict) -> list[tuple[str, str]]:
    """A rules snapshot (ScopeRuleSet.as_json) as (label, value) lines for a page."""
    rows = []
    for name in RULE_FIELDS:
        if name not in rules:
            continue
        value = rules[name]
        if isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif name == "min_value":
            shown = f"{Decimal(str(value)):,.2f}"
        else:
            shown = str(value)
        rows.append((capfirst(ScopeRuleSet._meta.get_field(name).verbose_name), shown))
    return rows


def _rules_source(rules: ScopeRuleSet, jurisdiction) -> str:
    if rules.pk is None:
        return _("These are the default rules: none have been set for %(j)s or above it.") % {
            "j": jurisdiction.name
        }
    if rules.jurisdiction_id != jurisdiction.pk:
        return _("These rules are inherited from %(j)s.") % {"j": rules.jurisdiction.name}
    return ""


def _can(user, action: str, jurisdiction) -> bool:
    return policy.allowed(user, "scope", action, jurisdiction=jurisdiction)


def _head(request, jurisdiction, choice_form) -> dict:
    """What the scope pages' common head needs: the jurisdiction and which tabs to offer."""
    return {
        "jurisdiction": jurisdiction,
        "choice_form": choice_form,
        "can_rules": _can(request.user, "rules", jurisdiction),
        "can_decide": _can(request.user, "decide", jurisdiction),
    }


def _url(name: str, jurisdiction, **params) -> str:
    from urllib.parse import urlencode

    return reverse(name) + "?" + urlencode({"jurisdiction": jurisdiction.pk, **params})


@section_required("scope")
def scope_proposal_view(request):
    jurisdiction, choice_form = _jurisdiction(request, "view")
    show = request.GET.get("show", "all")
    show = show if show in SHOW else "all"
    query = proposal_query(request.user, jurisdiction)
    rules = query.rules
    decisions = ScopeDecision.objects.filter(jurisdiction=jurisdiction).select_related(
        "decided_by"
    )[:5]
    return render(
        request,
        "register/scope_proposal.html",
        {
            **_head(request, jurisdiction, choice_form),
            "show": show,
            "page": paginate(request, query.pages(None if show == "all" else show == "in")),
            "counts": query.counts(),
            "rules": rule_rows(rules.as_json()),
            "rules_source": _rules_source(rules, jurisdiction),
            "decisions": decisions,
        },
    )


@section_required("scope", "rules")
def scope_rules_view(request):
    jurisdiction, choice_form = _jurisdiction(request, "rules")
    rules = rules_for(jurisdiction)
    if request.method == "POST":
        form = ScopeRulesForm(request.POST)
        if form.is_valid():
            saved = form_write(
                request, form,
                lambda: scope_rules_update(
                    actor=request.user, jurisdiction=jurisdiction, data=form.data_for_service()
                ),
                _("Scope rules of %(j)s saved.") % {"j": jurisdiction.name},
            )  # fmt: skip
            if saved is not None:
                return redirect(_url("scope-proposal", jurisdiction))
    else:
        form = ScopeRulesForm(initial=ScopeRulesForm.initial_for(rules))
    return render(
        request,
        "register/scope_rules.html",
        {
            **_head(request, jurisdiction, choice_form),
            "form": form,
            "rules_source": _rules_source(rules, jurisdiction),
        },
    )


@section_required("scope", "decide")
def scope_decide_view(request):
    jurisdiction, choice_form = _jurisdiction(request, "decide")
    if request.method == "POST":
        form = ScopeDecisionForm(request.POST)
        if form.is_valid():
            decision = form_write(
                request, form,
                lambda: scope_decide(
                    actor=request.user, jurisdiction=jurisdiction,
                    include=form.cleaned_data["include"], note=form.cleaned_data["note"],
                ),
                lambda d: _("Scope decision #%(id)s recorded.") % {"id": d.pk},
            )  # fmt: skip
            if decision is not None:
                return redirect(decision)
        ticked = set(form.cleaned_data.get("include") or [])
    else:
        form = ScopeDecisionForm()
        ticked = None  # every candidate ticked
    query = proposal_query(request.user, jurisdiction)
    candidates = query.evaluated(query.included(True))
    return render(
        request,
        "register/scope_decide.html",
        {
            **_head(request, jurisdiction, choice_form),
            "form": form,
            "candidates": candidates,
            "ticked": ticked,
            "rules": rule_rows(rules_for(jurisdiction).as_json()),
        },
    )


def _visible_decisions(user):
    return ScopeDecision.objects.filter(
        policy.scope_q(user, "scope", "view", path="jurisdiction__path")
    )


class ScopeDecisionList(ObjectList):
    target, resource, url_name = "scope-decisions", "scope", "scope-decision-list"
    template, filter_form = "register/scope_decision_list.html", ScopeDecisionFilterForm
    rows, orderings, default_sort = scope_decision_list, SCOPE_DECISION_ORDERINGS, "-decided_at"
    export_name = "scope-decisions"
    columns = [
        Column("id", "#", "pk"),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("decided_at", _l("Decided")),
        Column("decided_by", _l("By"), "decided_by.get_username"),
        Column("in_scope", _l("In scope"), "n_in", numeric=True),
        Column("assets", _l("Assets considered"), "n_items", numeric=True),
        Column("note", _l("Note")),
    ]


scope_decision_list_view = ScopeDecisionList.as_view()


@section_required("scope")
def scope_decision_detail(request, pk):
    decision = (
        _visible_decisions(request.user)
        .select_related("jurisdiction", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if decision is None:
        raise Http404(_("No such decision, or it is not visible to you."))
    show = request.GET.get("show", "all")
    show = show if show in SHOW else "all"
    items = decision.items.select_related("asset__unit").order_by(
        "-included", "asset__unit__name", "asset__code"
    )
    n_in = items.filter(included=True).count()
    n_all = items.count()
    if show != "all":
        items = items.filter(included=(show == "in"))
    return render(
        request,
        "register/scope_decision_detail.html",
        {
            "decision": decision,
            "show": show,
            "page": paginate(request, items),
            "counts": {"all": n_all, "in": n_in, "out": n_all - n_in},
            "rules": rule_rows(decision.rules),
        },
    )
