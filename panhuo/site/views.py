"""The dashboard: the programme at a glance, for whatever the caller may see."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from panhuo.bidders.selectors import bidder_for
from panhuo.core import calendars
from panhuo.core.money import format_money, in_display_unit
from panhuo.disposal.models import ProjectStatus
from panhuo.disposal.selectors import project_counts_by_status
from panhuo.finance.selectors import money_summary
from panhuo.organisation import policy
from panhuo.organisation.models import Role
from panhuo.register.models import AssetKind, AssetStatus
from panhuo.register.selectors import asset_summary

#: Projects in these states are "under way" for the headline figure.
UNDER_WAY = (ProjectStatus.SUBMITTED, ProjectStatus.APPROVED, ProjectStatus.LISTED)


def _link(name: str, **params) -> str:
    return reverse(name) + "?" + urlencode(params)


def _series(rows, choices, key: str, list_url: str) -> list[dict]:
    """Chart points, in the order of ``choices`` (so colours and order never move)."""
    by_key = {r[key]: r for r in rows}
    points = []
    for value, label in choices.choices:
        row = by_key.get(value)
        if row is None:
            continue
        book = row.get("value")
        points.append(
            {
                "key": value,
                "css": f"{key}-{value}",
                "label": str(label),
                "value": row["n"],
                "display": f"{row['n']:,}",
                "book": format_money(book) if book is not None else "",
                "href": _link(list_url, **{key: value}),
            }
        )
    return points


def _money_point(label: str, amount: Decimal, css: str) -> dict:
    return {
        "label": label,
        "value": str(in_display_unit(amount)),
        "display": format_money(amount),
        "css": css,
    }


@login_required
def dashboard(request):
    user = request.user
    context: dict = {}
    if policy.can_any(user, "calendar", "manage"):
        # From 1 November until next year's holidays are known, whoever keeps the calendar is
        # told so on every visit (core/calendars.py).
        context["calendar_missing"] = calendars.missing_next_year()
    if policy.can_any(user, "asset", "view"):
        summary = asset_summary(user)
        context["assets"] = {
            "total": summary["total"],
            "book": sum((r["value"] or Decimal(0) for r in summary["by_status"]), Decimal(0)),
            "by_status": _series(summary["by_status"], AssetStatus, "status", "asset-list"),
            "by_kind": _series(summary["by_kind"], AssetKind, "kind", "asset-list"),
            "idle": sum(r["n"] for r in summary["by_status"] if r["status"] == AssetStatus.IDLE),
        }
    if policy.can_any(user, "project", "view"):
        counts = {r["status"]: r["n"] for r in project_counts_by_status(user)}
        context["projects"] = {
            "total": sum(counts.values()),
            "under_way": sum(counts.get(s, 0) for s in UNDER_WAY),
            "by_status": [
                {
                    "key": s.value,
                    "css": f"status-{s.value}",
                    "label": str(s.label),
                    "value": counts.get(s.value, 0),
                    "display": f"{counts.get(s.value, 0):,}",
                    "href": _link("project-list", status=s.value),
                }
                for s in ProjectStatus
            ],
        }
    if policy.can_any(user, "receipt", "view") or policy.can_any(user, "debt", "view"):
        m = money_summary(user)
        context["money"] = {
            **m,
            # The figures are the ledger as it stands today: the date goes beside each of them.
            "as_of": timezone.localdate(),
            "unallocated": m["received"] - m["allocated"],
            "allocated_share": _share(m["allocated"], m["received"]),
            "repaid_share": _share(m["repaid"], m["repaid"] + m["debt_outstanding"]),
            "raised_chart": [
                _money_point(_("Received"), m["received"], "received"),
                _money_point(_("Allocated to debts"), m["allocated"], "allocated"),
                _money_point(_("Not yet allocated"), m["received"] - m["allocated"], "open"),
            ],
            "debt_chart": [
                _money_point(_("Outstanding"), m["debt_outstanding"], "outstanding"),
                _money_point(_("Repaid through Panhuo"), m["repaid"], "repaid"),
            ],
        }
    if policy.can_any(user, "scorecard", "view"):
        # No menu entry for scorecards (the bar is full): the dashboard links to them.
        context["scorecards"] = True
    if policy.has_role(user, Role.BIDDER):
        # A bidder's landing: their registration's status, their account, the public notices.
        context["bidder_card"] = {"bidder": bidder_for(user)}
    return render(request, "site/dashboard.html", context)


def _share(part: Decimal, whole: Decimal) -> int:
    """``part`` as a whole percentage of ``whole`` (0 when there is nothing)."""
    if not whole:
        return 0
    return int((part * 100 / whole).to_integral_value())
