"""The in-flight cap: each user's ``GenerationSlots`` counter.

Submission claims a slot in the transaction that inserts and charges the job;
the transaction that ends the job gives it back (``generation.ending.slot_release``);
the sweeper corrects a counter that drifted (``slots_reconcile``).
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.db import IntegrityError
from django.db.models import F

from generation.errors import RateLimited
from generation.models import (
    GenerationSlots,
    Job,
)
from modelsnapper.db import run_in_transaction


def slots_ensure(user_id: Any) -> None:
    """Make the user's in-flight counter, starting from the jobs in flight now (once per user).

    Outside any transaction: a concurrent creator loses on the unique user index, harmlessly.
    """
    if GenerationSlots.objects.filter(user_id=user_id).exists():
        return
    in_flight = Job.objects.filter(user_id=user_id, status__in=Job.ACTIVE).count()
    with contextlib.suppress(IntegrityError):
        GenerationSlots.objects.create(user_id=user_id, in_flight=in_flight)


def slot_claim(user_id: Any) -> None:
    """Take one in-flight slot, or raise RateLimited. Runs inside the submission's transaction.

    The cap is checked by the write itself (a conditional increment), so concurrent
    submissions conflict on this one document and the loser re-reads the new count.
    """
    cap = settings.GENERATION_MAX_IN_FLIGHT
    if not GenerationSlots.objects.filter(user_id=user_id, in_flight__lt=cap).update(
        in_flight=F("in_flight") + 1
    ):
        raise RateLimited(
            f"You already have {cap} generation{'s' if cap != 1 else ''} running. "
            "Wait for one to finish, then try again."
        )


def slots_reconcile() -> int:
    """Set every non-zero in-flight counter to the user's jobs in flight; returns how many were wrong.

    The sweeper's safety net for a counter made while a job ended. Each correction is one
    transaction that writes the counter, so it conflicts with (and never overwrites) a
    concurrent claim or release.
    """
    fixed = 0
    for user_id in GenerationSlots.objects.filter(in_flight__gt=0).values_list("user_id", flat=True):

        def txn(user_id=user_id) -> int:
            actual = Job.objects.filter(user_id=user_id, status__in=Job.ACTIVE).count()
            return (
                GenerationSlots.objects.filter(user_id=user_id)
                .exclude(in_flight=actual)
                .update(in_flight=actual)
            )

        fixed += run_in_transaction(txn)
    return fixed
