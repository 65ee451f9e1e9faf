"""The overdue deadlines and the project board."""

from __future__ import annotations

from django.shortcuts import render

from panhuo.core.ui import (
    section_required,
)
from panhuo.disposal.forms import (
    BoardFilterForm,
)
from panhuo.disposal.selectors import (
    board,
    overdue_for,
)

#: States off the main path: shown only when the project is in them.
# --- deadlines and the board ----------------------------------------------------------------


@section_required("project")
def overdue_view(request):
    form = BoardFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    mine = request.GET.get("all") != "1"
    rows = overdue_for(request.user, channel=filters.get("channel", ""), mine=mine)
    return render(
        request,
        "disposal/overdue.html",
        {"filter_form": form, "rows": rows, "mine": mine},
    )


@section_required("project")
def board_view(request):
    form = BoardFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    columns = board(request.user, **filters)
    return render(
        request,
        "disposal/board.html",
        {"filter_form": form, "columns": columns, "channel": filters.get("channel", "")},
    )
