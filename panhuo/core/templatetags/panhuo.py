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


@register.filter
def ratio(value, places: int = 2):
    """A ratio, a percentage or a rate for reading: two decimals (the figures keep their
    precision; only the page rounds), "—" when there is none."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{number.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP):,}"


@register.filter
def as_of(day):
    """The date a figure is taken at: "as of 2024-12-31" / "截至 2024年12月31日"."""
    from panhuo.core.money import as_of_label

    return as_of_label(day)
