"""``{% saved_filters "assets" %}``: the user's saved filters for a list, and a form to save
the filter in effect."""

from django import template

from panhuo.core.models import SavedFilter
from panhuo.core.saved_filters import SavedFilterForm, query_without_page

register = template.Library()


@register.inclusion_tag("core/_saved_filters.html", takes_context=True)
def saved_filters(context, target: str):
    request = context["request"]
    query = query_without_page(request)
    items = list(SavedFilter.objects.filter(owner=request.user, target=target))
    return {
        "request": request,
        "items": items,
        "current": next((i for i in items if i.query == query), None),
        "form": SavedFilterForm(initial={"target": target, "query": query}),
        "query": query,
        "csrf_token": context.get("csrf_token"),
    }
