"""The office's pages for a project listed on an outside exchange: download the listing
package (ZIP) and upload the exchange's result file (XLSX or CSV); a file with errors is
refused as a whole, every error named by row and column, nothing written."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from panhuo.auctions import exchange
from panhuo.core.errors import ValidationError
from panhuo.core.ui import fetch_or_404, section_required
from panhuo.disposal.selectors import get_project_for
from panhuo.organisation import policy

MAX_BYTES = 5 * 1024 * 1024


class ResultForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Result file (XLSX or CSV)"),
        help_text=gettext_lazy(
            "Columns: rank, name, ID number, price; the winner is rank 1. Optional, on the "
            "winner's row: bidding end, last bid time (date and time)."
        ),
    )
    history = forms.FileField(
        label=gettext_lazy("Bid history (XLSX or CSV, optional)"), required=False,
        help_text=gettext_lazy(
            "Columns: bidder (ID number or name), amount, time; the last bid is the winner's."
        ),
    )  # fmt: skip


def _project(request, pk):
    project = fetch_or_404(get_project_for, request.user, pk)
    policy.require(request.user, "lot", "award", jurisdiction=project.jurisdiction)
    return project


@require_safe
@section_required("lot", "award")
def exchange_package_view(request, pk):
    project = _project(request, pk)
    try:
        name, data = exchange.listing_package(actor=request.user, project=project)
    except ValidationError as exc:
        return render(request, "auctions/exchange_result.html",
                      {"project": project, "form": ResultForm(), "errors": exc.messages},
                      status=400)  # fmt: skip
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@section_required("lot", "award")
def exchange_result_view(request, pk):
    project = _project(request, pk)
    form = ResultForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload, history = form.cleaned_data["file"], form.cleaned_data.get("history")
        if upload.size > MAX_BYTES or (history is not None and history.size > MAX_BYTES):
            errors = [_("The file is larger than 5 MB.")]
        else:
            try:
                lot = exchange.result_import(
                    actor=request.user, project=project, stream=upload, filename=upload.name,
                    history=history, history_name=history.name if history else "",
                )  # fmt: skip
            except ValidationError as exc:
                errors = exc.messages
            else:
                from django.contrib import messages

                messages.success(request, _("The exchange's result is in: the lot is awarded."))
                return redirect(lot)
    bad = request.method == "POST"
    return render(request, "auctions/exchange_result.html",
                  {"project": project, "form": form, "errors": errors},
                  status=400 if bad else 200)  # fmt: skip
