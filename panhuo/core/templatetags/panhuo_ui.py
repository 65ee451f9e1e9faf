"""Template helpers for the pages: sortable column headers, pagination, badges."""

from decimal import Decimal

from django import template

register = template.Library()


@register.inclusion_tag("core/_sort_th.html", takes_context=True)
def sort_th(context, key: str, label: str, numeric: bool = False):
    """A column header that sorts by ``key``; a second click reverses the order.

    The view puts the ordering in effect into the context as ``sort``.
    """
    state, next_sort = _sort_state(context.get("sort", ""), key)
    return {
        "request": context.get("request"),
        "label": label,
        "state": state,
        "next_sort": next_sort,
        "numeric": numeric,
    }


@register.inclusion_tag("core/_pagination.html", takes_context=True)
def pagination(context, page):
    """Page links that keep the filters and sort of the current list."""
    return {
        "request": context.get("request"),
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
    }


@register.filter
def amount(value) -> str:
    """An exact amount in yuan with two decimals and separators (sums may lose the cents)."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01')):,}"


@register.filter
def badge(value: str) -> str:
    """A CSS class for a status value (its colour)."""
    return f"badge badge-{value}".replace("_", "-")


def _sort_state(current: str, key: str) -> tuple[str, str]:
    if current == key:
        return "ascending", f"-{key}"
    if current == f"-{key}":
        return "descending", key
    return "none", key


@register.inclusion_tag("core/_list_head.html", takes_context=True)
def list_head(context, actions: bool = False):
    """The header row of a list declared with ``core.lists``: a sort link on every column
    whose key the list can sort by, the others plain; ``actions`` adds a last column for the
    rows' buttons."""
    current = context.get("sort", "")
    sortable = context.get("sortable", set())
    cells = []
    for column in context.get("head_columns", []):
        state, next_sort = _sort_state(current, column.key)
        cells.append(
            {
                "label": column.head_label,
                "numeric": column.numeric,
                "sortable": column.key in sortable,
                "state": state,
                "next_sort": next_sort,
            }
        )
    return {"request": context.get("request"), "cells": cells, "actions": actions}


#: The labels Django gives an empty choice by itself (a filter's blank means "any").
_DEFAULT_BLANKS = {"", "---------", "- Select an option -"}


@register.simple_tag
def blank_means_all(form) -> str:
    """In a filter form, a select's empty choice reads "All" (not Django's "- Select an option
    -"), unless the form named it itself ("Any status"). Renders nothing."""
    from django import forms
    from django.utils.translation import gettext as _
    from django.utils.translation import gettext_noop

    defaults = _DEFAULT_BLANKS | {_(gettext_noop("- Select an option -"))}
    for field in getattr(form, "fields", {}).values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            if field.empty_label is not None and str(field.empty_label) in defaults:
                field.empty_label = _("All")
        elif type(field) in (forms.ChoiceField, forms.TypedChoiceField):
            choices = list(field.choices)
            if choices and choices[0][0] == "" and str(choices[0][1]) in defaults:
                field.choices = [("", _("All")), *choices[1:]]
    return ""
