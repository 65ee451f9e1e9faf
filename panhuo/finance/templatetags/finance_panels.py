"""The money panel of a project page: its bidders' deposits and a link to its payment plan,
shown only to those who read the money of the project's jurisdiction."""

from django import template

from panhuo.disposal.models import ProjectStatus
from panhuo.disposal.workflow import RECEIVING
from panhuo.organisation import policy

register = template.Library()


@register.inclusion_tag("finance/_project_money_panel.html", takes_context=True)
def project_money_panel(context, project):
    from panhuo.finance.deposits.services import OPEN_FOR_DEPOSITS
    from panhuo.finance.instalments import SALE_CHANNELS

    user = context["request"].user
    j = project.package.jurisdiction
    if not policy.allowed(user, "deposit", "view", jurisdiction=j):
        return {"hidden": True}
    return {
        "project": project,
        "deposits": list(project.deposits.all()),
        "can_receive": project.status in OPEN_FOR_DEPOSITS
        and policy.allowed(user, "deposit", "receive", jurisdiction=j),
        "is_sale": project.channel in SALE_CHANNELS
        and (project.status in RECEIVING or project.status == ProjectStatus.PAID),
    }
