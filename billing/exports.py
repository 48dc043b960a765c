"""The ledger as CSV rows for the person who asks, in their language.

People open these files in a spreadsheet: the column names, each line's kind (type, currency,
bucket) and its description are in the requester's language, like the ledger page. Amounts and
balances stay plain integers and the date an ISO timestamp, so a spreadsheet in any locale reads
them as numbers and dates (a Spanish "1.500" would be read as one and a half). The references at
the end (what a line is about, its key) are identifiers, kept as stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import pgettext

from billing.models import LedgerEntry
from modelsnapper.sentences import shown, translated


def _header() -> list[str]:
    # A context per column name: short words like "Bucket" need the ledger's sense to translate.
    return [
        pgettext("ledger export column", "Date"),
        pgettext("ledger export column", "Type"),
        pgettext("ledger export column", "Currency"),
        pgettext("ledger export column", "Bucket"),
        pgettext("ledger export column", "Amount"),
        pgettext("ledger export column", "Allowance after"),
        pgettext("ledger export column", "Purchased after"),
        pgettext("ledger export column", "Coins after"),
        pgettext("ledger export column", "Description"),
        pgettext("ledger export column", "Related to"),
        pgettext("ledger export column", "Related id"),
        pgettext("ledger export column", "Reference"),
    ]


def ledger_rows(entries: Iterable[LedgerEntry]) -> Iterator[list]:
    """The header, then one row per entry, in the active language."""
    yield _header()
    for entry in entries:
        yield [
            entry.created_at.isoformat(),
            entry.get_entry_type_display(),
            entry.get_currency_display(),
            entry.get_bucket_display(),
            entry.amount,
            entry.allowance_after,
            entry.purchased_after,
            entry.coins_after,
            shown(entry.description_sentence, translated(entry.description)),
            entry.related_type,
            entry.related_id,
            entry.idempotency_key,
        ]


def royalty_rows(entries: Iterable[LedgerEntry]) -> Iterator[list]:
    """A model's royalty statement: the header, then one row per royalty entry, in the active language."""
    yield [
        pgettext("ledger export column", "Date"),
        pgettext("ledger export column", "Type"),
        pgettext("ledger export column", "Generation"),
        pgettext("ledger export column", "Cents"),
        pgettext("ledger export column", "Balance in cents"),
        pgettext("ledger export column", "Description"),
    ]
    for entry in entries:
        yield [
            entry.created_at.isoformat(),
            entry.get_entry_type_display(),
            entry.related_id,
            entry.amount,
            entry.balance_after,
            shown(entry.description_sentence, translated(entry.description)),
        ]
