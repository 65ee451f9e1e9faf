"""``{% audit_anchor %}``: the last signed audit checkpoint, for the audit page and the reports
for superiors, so that a printed report names the chain state it can be checked against
(integrity/checkpoints.py)."""

from django import template

from panhuo.integrity.checkpoints import last_checkpoint

register = template.Library()


@register.inclusion_tag("integrity/_audit_anchor.html")
def audit_anchor():
    return {"last_checkpoint": last_checkpoint()}
