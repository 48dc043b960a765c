"""What a generation costs: the one rule, used by submission, the generate form and its page.

Seed 004 counts images against the quota, so a job costs the model's price per image
times the number of images, and an HD image costs ``GENERATION_HD_MULTIPLIER`` times a
standard one. The amount is stored on the job and in its ledger charge at submission;
refunds give back that charge, never a recomputed price, so a price change never
alters what an existing job paid or gets back.
"""

from __future__ import annotations

from django.conf import settings

from generation.models import AIModel, Job


def hd_multiplier() -> int:
    return max(1, int(settings.GENERATION_HD_MULTIPLIER))


def job_cost(*, ai_model: AIModel, num_outputs: int = 1, quality: str = Job.Quality.STANDARD) -> int:
    """Credits for ``num_outputs`` images of ``ai_model`` at ``quality`` (an integer, at least 1)."""
    per_image = ai_model.credit_cost * (hd_multiplier() if quality == Job.Quality.HD else 1)
    return per_image * max(1, int(num_outputs))
