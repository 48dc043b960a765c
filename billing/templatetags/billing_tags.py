from django import template

from billing.models import LedgerEntry

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
def signed_money(cents, currency="usd"):
    """A change of money with its sign: 100 → "+$1.00", -100 → "-$1.00"."""
    text = money(cents, currency)
    return f"+{text}" if text and int(cents or 0) > 0 else text


@register.filter
def signed(value):
    try:
        return f"{int(value):+d}"
    except (TypeError, ValueError):
        return value


def _is_money(entry) -> bool:
    # Royalties are kept in integer cents on the ledger; people read them in dollars.
    return entry.currency == LedgerEntry.Currency.ROYALTY_CENTS


@register.filter
def ledger_change(entry):
    """An entry's change in its own unit: "+10 credits", "-5 coins", "+$1.00" (a royalty)."""
    if _is_money(entry):
        return signed_money(entry.amount)
    return f"{entry.amount:+d} {entry.currency}"


@register.filter
def ledger_balance(entry):
    """The balance after an entry, in the same unit as its change."""
    return money(entry.balance_after) if _is_money(entry) else f"{entry.balance_after:,}"
