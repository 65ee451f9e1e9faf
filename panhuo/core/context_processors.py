"""Values every page needs: the reader's unit of amounts and which sections the user may open."""

from django.conf import settings

from panhuo.core.money import unit_label
from panhuo.organisation import policy


def panhuo(request):
    user = getattr(request, "user", None)
    nav = {}
    if user is not None and user.is_authenticated:
        nav = {
            "assets": policy.can_any(user, "asset", "view"),
            "imports": policy.can_any(user, "asset", "create"),
            "scope": policy.can_any(user, "scope", "view"),
            "packages": policy.can_any(user, "package", "view"),
            "projects": policy.can_any(user, "project", "view"),
            "debts": policy.can_any(user, "debt", "view"),
            "receipts": policy.can_any(user, "receipt", "view"),
            "audit": policy.can_any(user, "audit", "view"),
            "findings": policy.can_any(user, "finding", "view"),
            "approvals": policy.can_any(user, "approval", "view"),
            "approval_chains": policy.can_any(user, "approval_chain", "view"),
            "valuations": policy.can_any(user, "valuation", "view"),
            "documents": policy.can_any(user, "document", "view"),
            "monitor": policy.can_any(user, "revenue", "view"),
            "plans": policy.can_any(user, "work_plan", "view"),
            "reports": policy.can_any(user, "report", "view"),
            "calendar": policy.can_any(user, "calendar", "view"),
            "taskforce": policy.can_any(user, "taskforce", "view"),
            "bidders": policy.can_any(user, "bidder", "view"),
            "lots": policy.can_any(user, "lot", "view"),
            "flags": policy.can_any(user, "flag", "view"),
            "site_admin": policy.can_any(user, "user", "view"),
        }
    return {
        "money_unit": unit_label(),
        "currency": settings.PANHUO["CURRENCY"],
        "nav": nav,
        "user_roles": sorted(r.label for r in policy.roles(user)) if nav else [],
    }
