"""``{% record_actions record %}``: the actions other apps offer on a record's page (see
core/record_actions.py); nothing is shown when none applies to the reader."""

from django import template

from panhuo.core.record_actions import actions_for

register = template.Library()


@register.inclusion_tag("core/_record_actions.html", takes_context=True)
def record_actions(context, record):
    user = getattr(context.get("request"), "user", None)
    return {"record_actions": actions_for(user, record) if user is not None else []}
