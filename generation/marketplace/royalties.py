"""A generation's royalty as the job records it, kept equal to the ledger's.

Billing calls :func:`job_royalty_clawed_back` directly, inside the transaction that
writes a clawback (a staff refund of the generation, or a Stripe refund of the
credits that paid for it). It is the one place billing reaches into generation, so
it stays this narrow: one conditional update of one job document, no other import.
"""

from __future__ import annotations

from bson import ObjectId

from generation.models import Job


def job_royalty_clawed_back(*, job_id: str) -> None:
    """Billing took a generation's royalty back (its refund, or its purchase's): it earns none now.

    Runs inside billing's clawback transaction, so the job and the ledger agree at every commit.
    """
    if ObjectId.is_valid(job_id):
        Job.objects.filter(pk=ObjectId(job_id)).update(royalty_cents=0)
