"""Audit template tags.

``{% audit_anchor %}``: the last signed audit checkpoint, for the audit page and the reports
for superiors, so that a printed report names the chain state it can be checked against
(integrity/checkpoints.py).

``{% object_history obj %}``: the object's history from the audit log, as sentences, for its
detail page; the page's own access check already covers the object, and the link to the whole
history in the log shows only to readers of the log.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from panhuo.integrity.checkpoints import last_checkpoint
from panhuo.integrity.readable import readable
from panhuo.integrity.selectors import history_of
from panhuo.organisation import policy

register = template.Library()

#: Entries shown on a detail page; the rest are a link away.
SHOWN = 50


@register.inclusion_tag("integrity/_audit_anchor.html")
def audit_anchor():
    return {"last_checkpoint": last_checkpoint()}


@register.inclusion_tag("core/_history.html", takes_context=True)
def object_history(context, obj):
    entries = history_of(obj, SHOWN + 1)
    user = getattr(context.get("request"), "user", None)
    more = None
    if len(entries) > SHOWN and user is not None and policy.can_any(user, "audit", "view"):
        query = urlencode({"object_type": obj._meta.label_lower, "object_id": obj.pk})
        more = f"{reverse('audit-list')}?{query}"
    return {"history": readable(entries[:SHOWN]), "history_more": more}
