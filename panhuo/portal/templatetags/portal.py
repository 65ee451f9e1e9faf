"""Template helpers of the public pages: published values for reading."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from panhuo.disposal.models import Channel
from panhuo.register.models import AssetKind, Encumbrance

register = template.Library()


@register.simple_tag
def elided_pages(page):
    """The page numbers to link, with ellipses (two on each side of the current one)."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.filter
def amount(value) -> str:
    """A published amount (a decimal string, in yuan) with thousands separators, or "—"."""
    if value in (None, ""):
        return "—"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return "—"


@register.filter
def day(value) -> str:
    """A published date (ISO) as the language writes dates, or "—"."""
    if not value:
        return "—"
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return "—"


@register.filter
def asset_kind(value) -> str:
    return str(dict(AssetKind.choices).get(value, value))


@register.filter
def channel(value) -> str:
    return str(dict(Channel.choices).get(value, value))


@register.filter
def encumbrance(value) -> str:
    return str(dict(Encumbrance.Kind.choices).get(value, value))
