"""Money as people read it: integer cents shown in the active language's format.

One place for every app (pages through billing's ``money`` filter, stored sentences through
``modelsnapper.sentences``): 900 → "$9.00", "9,00 $" in Spanish.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£"}


def money(cents, currency="usd") -> str:
    """Integer cents as a price in the active language's format: 900 → "$9.00", "9,00 $" in Spanish."""
    try:
        cents = int(cents or 0)
    except (TypeError, ValueError):
        return ""
    currency = (currency or "usd").lower()
    sign = "-" if cents < 0 else ""
    amount = number_format(Decimal(abs(cents)) / 100, decimal_pos=2, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{sign}{amount} {currency.upper()}"
    # Translators: where the currency symbol goes ("$9.00"; "9,00 $" in Spanish, no line break).
    return sign + _("%(symbol)s%(amount)s") % {"symbol": symbol, "amount": amount}
