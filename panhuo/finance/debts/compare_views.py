"""The comparison page: a place and the places directly below it, side by side over years."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from panhuo.core.forms import ViewablePlaces
from panhuo.core.money import as_of_label, two_places
from panhuo.core.ui import csv_response, section_required
from panhuo.finance.debts.compare import MAX_YEARS, compare, year_end
from panhuo.finance.debts.views import TIER_CSS, TIER_LABELS


class CompareForm(ViewablePlaces, forms.Form):
    places_of = "debt"
    jurisdiction = forms.ModelChoiceField(
        label=gettext_lazy("Jurisdiction"), queryset=None, required=False
    )
    from_year = forms.IntegerField(
        label=gettext_lazy("From year"), min_value=1990, max_value=2100, required=False
    )
    to_year = forms.IntegerField(
        label=gettext_lazy("To year"), min_value=1990, max_value=2100, required=False
    )

    def chosen(self):
        """The place (the widest visible by default) and the years (the last five)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        places = self.fields["jurisdiction"].queryset.order_by("path")
        last = data.get("to_year") or timezone.localdate().year
        first = data.get("from_year") or last - 4
        return data.get("jurisdiction") or places.first(), first, last


@require_safe
@section_required("debt")
def risk_compare_view(request):
    form = CompareForm(request.GET or None, user=request.user)
    jurisdiction, first, last = form.chosen()
    if jurisdiction is None:
        raise Http404(_("No jurisdiction is visible to you."))
    try:
        places = compare(request.user, jurisdiction, first, last)
    except DjangoValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        places = []
    years = list(range(first, last + 1)) if places else []
    if request.GET.get("format") == "csv" and places:
        # Each column names the date its ratios are taken at; a ratio has two decimals.
        header = [_("Code"), _("Jurisdiction")] + [
            _("%(year)s debt ratio (%%), %(as_of)s")
            % {"year": y, "as_of": as_of_label(year_end(y))}
            for y in years
        ]
        rows = (
            [p.jurisdiction.code, p.jurisdiction.name]
            + ["" if c.debt_ratio is None else two_places(c.debt_ratio) for c in p.cells]
            for p in places
        )
        return csv_response(f"debt-ratios-{jurisdiction.code}-{first}-{last}.csv", header, rows)
    table = [
        {
            "jurisdiction": p.jurisdiction,
            "own": p.own,
            "cells": [
                {
                    "ratio": c.debt_ratio,
                    "broad": c.broad_debt_ratio,
                    "css": TIER_CSS.get(c.debt_ratio_tier),
                    "tier": TIER_LABELS.get(c.debt_ratio_tier),
                    "as_of": c.as_of,
                    "fiscal_year": c.fiscal_year,
                    "reported": c.debt_source == "reported",
                    "missing": " ".join(c.notes) if c.debt_ratio is None else "",
                }
                for c in p.cells
            ],
        }
        for p in places
    ]
    export = request.GET.copy()
    export["format"] = "csv"
    return render(
        request,
        "finance/risk_compare.html",
        {
            "export_query": export.urlencode(),
            "form": form,
            "jurisdiction": jurisdiction,
            "years": [(y, year_end(y)) for y in years],
            "table": table,
            "max_years": MAX_YEARS,
        },
    )
