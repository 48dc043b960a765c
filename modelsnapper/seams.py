"""Named points inside multi-step writes where a test may run code: a narrow seam for tests.

A race (a revocation committing between a check and the transaction that relies on it, two
clawbacks reading the same candidates, ...) can only be tested at the exact interleaving if
something runs *there*. Each such place calls ``reached("<name>")``; a test registers a hook
for that name (``modelsnapper.testing.seams.at``) that does the competing write for real,
usually on another thread. Nothing in the product registers hooks: in production
``reached`` is one dictionary lookup that finds nothing. The names, where they are reached:

- ``completion.consent_checked``: a human-model completion has read the marketplace rule,
  before its transaction stamps the consent and commits (``generation.running``).
- ``submission.checked``: a submission has passed the marketplace rule, before its
  transaction inserts and charges the job (``generation.services``).
- ``outputs.stored``: a completion has stored a job's outputs, not yet delivered
  (``generation.running``).
- ``withdrawal.closing``: a model's withdrawal is about to close one of their consent
  requests (``generation.marketplace.onboarding``).
- ``refund.clawback_candidates``: a refund's transaction has read the generations whose
  royalties it may claw back (the list, which a hook may extend with a stale read), before
  writing any clawback (``billing.services.royalties``).
- ``save.collection_chosen``: a save has found (or created) its collection, before its
  transaction inserts the save and counts it there (``social.services.saves``).
- ``payout.balance_read``: a royalty payout's transaction has read the payable balance,
  before writing the payout (``billing.services.royalties``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

hooks: dict[str, Callable[..., None]] = {}


def reached(name: str, **context: Any) -> None:
    """Run the test hook registered for ``name``, if any, with ``context``."""
    hook = hooks.get(name)
    if hook is not None:
        hook(**context)
