from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

from billing.models import LedgerEntry
from modelsnapper.money import money as format_money

register = template.Library()


@register.filter
def money(cents, currency="usd"):
    """Integer cents as a price in the active language's format (``modelsnapper.money``)."""
    return format_money(cents, currency)


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
    amount = f"{'+' if entry.amount > 0 else ''}{number_format(entry.amount, force_grouping=True)}"
    if entry.currency == LedgerEntry.Currency.COINS:
        text = ngettext("%(amount)s coin", "%(amount)s coins", abs(entry.amount))
    else:
        text = ngettext("%(amount)s credit", "%(amount)s credits", abs(entry.amount))
    return text % {"amount": amount}


@register.filter
def ledger_balance(entry):
    """The balance after an entry, in the same unit as its change."""
    return (
        money(entry.balance_after)
        if _is_money(entry)
        else number_format(entry.balance_after, force_grouping=True)
    )
