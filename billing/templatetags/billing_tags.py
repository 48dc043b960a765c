from django import template

register = template.Library()

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


@register.filter
def money(cents, currency="usd"):
    """Integer cents as a price: 900 → "$9.00"."""
    try:
        cents = int(cents or 0)
    except (TypeError, ValueError):
        return ""
    currency = (currency or "usd").lower()
    sign = "-" if cents < 0 else ""
    amount = f"{abs(cents) // 100:,}.{abs(cents) % 100:02d}"
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency.upper()}"


@register.filter
def signed(value):
    try:
        return f"{int(value):+d}"
    except (TypeError, ValueError):
        return value
