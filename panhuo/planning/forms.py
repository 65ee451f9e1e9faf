"""The plan's forms: the list's filters, and drafting or editing a plan. Targets are pasted
as lines (from Excel or WPS: comma- or tab-separated), one target a line:
``money, quarter, amount`` / ``debt, quarter, amount, debt type`` /
``assets, quarter, count, unit code, channel``."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from panhuo.core.lists import ListFilterForm
from panhuo.organisation import policy
from panhuo.organisation.models import Unit
from panhuo.planning.models import FIRST_YEAR, LAST_YEAR, Measure, PlanStatus

TARGETS_HELP = _(
    "One target a line: money, quarter, amount / debt, quarter, amount, debt type / "
    "assets, quarter, count, unit code, channel."
)


class PlanFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR,
                              max_value=LAST_YEAR)  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *PlanStatus.choices]
    )


class PlanForm(forms.Form):
    jurisdiction = forms.ModelChoiceField(label=_("Jurisdiction"), queryset=None)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    money_total = forms.DecimalField(label=_("Money raised target (yuan)"), min_value=0,
                                     max_digits=20, decimal_places=2)  # fmt: skip
    debt_total = forms.DecimalField(label=_("Debt resolved target (yuan)"), min_value=0,
                                    max_digits=20, decimal_places=2)  # fmt: skip
    assets_total = forms.IntegerField(label=_("Assets activated target"), min_value=0)
    targets = forms.CharField(label=_("Targets"), widget=forms.Textarea(attrs={"rows": 12}),
                              help_text=TARGETS_HELP, max_length=100_000)  # fmt: skip
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].queryset = policy.jurisdictions_for(user, "work_plan", "edit")
        if plan is not None:
            # A plan's place and year are what it is a plan of: they are not edited.
            del self.fields["jurisdiction"], self.fields["year"]

    def clean_targets(self) -> list[dict]:
        """Each line as the service's target row; a line that cannot be read is named."""
        rows = []
        for n, line in enumerate(self.cleaned_data["targets"].splitlines(), start=1):
            cells = [c.strip() for c in re.split(r"[,\t]", line) if c.strip()]
            if not cells:
                continue
            if cells[0] not in Measure.values or len(cells) < 3:
                raise ValidationError(_("Line %(n)s cannot be read.") % {"n": n})
            row = {"measure": cells[0], "quarter": cells[1], "amount": cells[2], "line": n}
            if cells[0] == Measure.DEBT:
                row["debt_type"] = cells[3] if len(cells) > 3 else ""
            if cells[0] == Measure.ASSETS:
                code = cells[3] if len(cells) > 3 else ""
                unit = Unit.objects.filter(code=code).first()
                row["unit"] = unit.pk if unit else code
                row["channel"] = cells[4] if len(cells) > 4 else ""
            rows.append(row)
        return rows


def target_lines(plan) -> str:
    """A plan's targets as the form's lines (to edit or revise them)."""
    out = []
    for t in plan.targets.select_related("unit"):
        cells = [t.measure, str(t.quarter), f"{t.amount.normalize():f}"]
        if t.measure == Measure.DEBT:
            cells.append(t.debt_type)
        if t.measure == Measure.ASSETS:
            cells += [t.unit.code if t.unit else "", t.channel]
        out.append(", ".join(cells))
    return "\n".join(out)
