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
from panhuo.organisation.models import Unit, User
from panhuo.planning.models import FIRST_YEAR, LAST_YEAR, Measure, PlanStatus

TARGETS_HELP = _(
    "One target a line: money, quarter, amount / debt, quarter, amount, debt type / "
    "assets, quarter, count, unit code, channel."
)


MILESTONES_HELP = _("One milestone a line: due date, title (2026-06-30, Half-year review).")
TASKS_HELP = _(
    "One task a line: due date, the owner's user name, title; end the line with “, done” "
    "once it is done."
)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"[,\t]", line)]


def _dated_lines(text: str, least: int) -> list[tuple[int, list[str]]]:
    """The non-empty lines of ``text`` as (line number, cells); a line with fewer than
    ``least`` cells is named."""
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        cells = _cells(line)
        if not any(cells):
            continue
        if len(cells) < least or not all(cells[:least]):
            raise ValidationError(_("Line %(n)s cannot be read.") % {"n": n})
        out.append((n, cells))
    return out


class PlanFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR,
                              max_value=LAST_YEAR)  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *PlanStatus.choices]
    )


class TaskFilterForm(ListFilterForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    plan = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1,
                              widget=forms.HiddenInput)  # fmt: skip
    state = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", "—"), ("open", _("Not done yet")), ("done", _("Done"))],
    )  # fmt: skip
    mine = forms.BooleanField(label=_("Mine only"), required=False)


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
    milestones = forms.CharField(
        label=_("Milestones"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MILESTONES_HELP, max_length=20_000,
    )  # fmt: skip
    tasks = forms.CharField(
        label=_("Tasks"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=TASKS_HELP, max_length=50_000,
    )  # fmt: skip
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

    def clean_milestones(self) -> list[dict]:
        """Each line as the service's milestone (its title may hold commas)."""
        rows = _dated_lines(self.cleaned_data["milestones"], 2)
        return [{"due_on": c[0], "title": ", ".join(c[1:]), "line": n} for n, c in rows]

    def clean_tasks(self) -> list[dict]:
        """Each line as the service's task: the owner by user name (one that is not a user is
        passed on as written, and the service names it)."""
        out = []
        for n, cells in _dated_lines(self.cleaned_data["tasks"], 3):
            done = len(cells) > 3 and cells[-1].casefold() in ("done", "已完成")
            title = ", ".join(cells[2:-1] if done else cells[2:])
            owner = User.objects.filter(username=cells[1]).values_list("pk", flat=True).first()
            out.append({"due_on": cells[0], "owner": owner or cells[1], "title": title,
                        "done": done, "line": n})  # fmt: skip
        return out


def milestone_lines(plan) -> str:
    return "\n".join(f"{m.due_on:%Y-%m-%d}, {m.title}" for m in plan.milestones.all())


def task_lines(plan) -> str:
    return "\n".join(
        f"{t.due_on:%Y-%m-%d}, {t.owner.username}, {t.title}" + (", done" if t.done else "")
        for t in plan.tasks.select_related("owner")
    )


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
