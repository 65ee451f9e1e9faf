"""Template helpers: money in the display unit."""

from django import template

from panhuo.core.money import format_money

register = template.Library()


@register.filter
def money(value):
    """An amount in the configured display unit, with thousands separators."""
    return format_money(value)


@register.filter
def yuan(value):
    """An amount in yuan exactly as stored (for forms and receipts)."""
    return "—" if value is None else f"{value:,}"
