"""Pages of stored scenario runs: save the run the scenarios page shows, the list of stored
runs (search, filters, sort, pages, export) and one run with its fan chart and its figures.
Reading: debt.view in the run's place; saving: scenario_run.create (head, deputy, office)."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST, require_safe

from panhuo.core.lists import Column, ObjectList
from panhuo.core.ui import fetch_or_404, form_post, section_required
from panhuo.decisions.chart import fan_chart
from panhuo.decisions.exports import export_format, run_export
from panhuo.decisions.forms_runs import RunFilterForm, RunSaveForm
from panhuo.decisions.runs import RUN_ORDERINGS, get_run_for, run_list, scenario_run_save
from panhuo.organisation import policy


@require_POST
@section_required("package")
@section_required("scenario_run", "create")
def run_save_view(request):
    """Store the run of the scenarios page's question (the widest place whose debts the
    reader sees), then show it; bad input shows the scenarios page again, naming it."""
    form = RunSaveForm(request.POST)
    place = policy.jurisdictions_for(request.user, "debt", "view").order_by("path").first()

    def write(d):
        params = {k: v for k, v in d.items() if k not in ("on", "title")}
        return scenario_run_save(actor=request.user, place=place, params=params, title=d["title"],
                                 on=d.get("on") or timezone.localdate())  # fmt: skip

    def page(form):
        problems = [e for errors in form.errors.values() for e in errors]
        context = {"form": form, "result": None, "problems": problems, "chart": None}
        return render(request, "decisions/scenarios.html", context, status=400)

    return form_post(request, form, write, _l("The scenario run is saved."),
                     to=lambda r: r.get_absolute_url(), page=page)  # fmt: skip


class RunList(ObjectList):
    """The stored scenario runs the reader may see."""

    target, resource, filter_form = "scenario-runs", "debt", RunFilterForm
    url_name, template = "scenario-run-list", "decisions/run_list.html"
    rows, orderings = run_list, RUN_ORDERINGS
    export_name = "scenario-runs"
    columns = [
        Column("title", _l("Title"), lambda r: str(r)),
        Column("jurisdiction", _l("Jurisdiction"), "jurisdiction.name"),
        Column("on", _l("As of"), "on"),
        Column("seed", _l("Seed"), numeric=True),
        Column("scenarios", _l("Scenarios"), numeric=True),
        Column("worst_miss", _l("Highest probability of a missed quarter"), numeric=True),
        Column("ran_by", _l("Run by"), "ran_by.username"),
        Column("ran_at", _l("Run at"), "ran_at"),
    ]


@require_safe
@section_required("package")
@section_required("debt")
def run_list_view(request):
    return RunList(request).dispatch()


@require_safe
@section_required("package")
@section_required("debt")
def run_detail_view(request, pk):
    """One stored run: its parameters, the fan chart and the quarters as they were computed."""
    stored = fetch_or_404(get_run_for, request.user, pk)
    if fmt := export_format(request):
        return run_export(fmt, stored)
    result = stored.result
    return render(request, "decisions/run_detail.html", {
        "run": stored, "result": result, "chart": fan_chart(result["periods"]),
        "params": sorted(stored.params.items()),
    })  # fmt: skip
