"""Marketplace benchmark: the consent check and a human-model generation, as consent requests grow.

Starts its own SecantusDB, creates a business approved by one model among N other consent
requests, then times (a) ``consent_refusal`` (run at submit and again inside every
completion) with the one-filter-document query shape on and off, and (b) submit →
completed for a human-model job against a plain one (local provider, tasks run eagerly),
which adds the consent checks, the consent-request write and the royalty accrual.
Run: .venv/bin/python benchmarks/marketplace_consent.py [--sizes 1000,20000] [--runs 20]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _setup import django_setup

from modelsnapper import embedded


def timed(fn, runs: int) -> tuple[float, float]:
    """(p50, p95) milliseconds of ``fn`` over ``runs`` calls, after one warm-up call."""
    fn()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        values.append((time.perf_counter() - started) * 1000)
    ordered = sorted(values)
    return statistics.median(values), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (180, 120, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,20000", help="consent requests in the collection")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with embedded.throwaway_server("bench-marketplace-") as server:
        django_setup(
            server.uri,
            "bench_marketplace",
            CELERY_TASK_ALWAYS_EAGER="true",
            GENERATION_PROVIDER="local",
            GENERATION_RATE_LIMIT="1000000",
            GENERATION_MAX_IN_FLIGHT="1000000",
        )
        from bson import ObjectId
        from django.conf import settings
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from django.core.management import call_command

        from accounts.models import ModelProfile, User
        from accounts.services import user_set_role
        from billing.models import Wallet
        from billing.services import credits_grant, wallet_for
        from generation.marketplace.consent import consent_approve, consent_refusal, consent_request_create
        from generation.marketplace.onboarding import RELEASE_VERSION
        from generation.models import AIModel, ConsentRequest, Job
        from generation.services import job_submit

        call_command("migrate", verbosity=0)
        business = User.objects.create_user(username="shop", email="shop@example.com", password="x")
        model = User.objects.create_user(username="face", email="face@example.com", password="x")
        user_set_role(user=business, role=User.Role.BUSINESS, business_name="Shop")
        user_set_role(user=model, role=User.Role.MODEL, display_name="Face")
        # Signed and listed with three stored references (the provider draws the likeness from them).
        references = [
            default_storage.save(f"references/bench-{n}.png", ContentFile(_png(), name=f"bench-{n}.png"))
            for n in range(3)
        ]
        ModelProfile.objects.filter(user_id=model.pk).update(
            consent_signed=True, release_version=RELEASE_VERSION, reference_images=references
        )
        request, _ = consent_request_create(business=business, model=model)
        consent_approve(model=model, request=request)
        wallet_for(business)
        Wallet.objects.filter(user_id=business.pk).update(human_model_access=True)
        credits_grant(
            user=business, amount=10**6, bucket="purchased", entry_type="bonus", idempotency_key="bench:fund"
        )
        ai_model = AIModel.objects.create(name="Local", slug="local", provider="local", credit_cost=1)

        def check() -> None:
            assert consent_refusal(business=business, model=model, category="casual") == ""

        print("consent requests   shape     consent check p50/p95 ms")
        existing = 1
        for size in sizes:
            ConsentRequest.objects.bulk_create(
                [
                    ConsentRequest(business_id=ObjectId(), model_id=ObjectId(), status="approved")
                    for _ in range(size - existing)
                ],
                batch_size=5000,
            )
            existing = size
            for shaped in (True, False):
                settings.QUERY_MERGE_AND = shaped
                p50, p95 = timed(check, args.runs)
                label = "merged" if shaped else "$and"
                print(f"{size:>16,}   {label:<8}  {p50:8.1f} / {p95:8.1f}")
        settings.QUERY_MERGE_AND = True

        def generate(**marketplace) -> None:
            job = job_submit(user=business, ai_model=ai_model, prompt="Linen shirt", **marketplace)
            ended = Job.objects.get(pk=job.pk)
            assert ended.status == Job.Status.COMPLETED, (ended.status, ended.error, ended.error_detail)

        plain = timed(generate, args.runs)
        human = timed(lambda: generate(human_model=model, category="casual"), args.runs)
        print(f"\nsubmit → completed at {existing:,} consent requests (eager, local provider), p50/p95 ms")
        print(f"  plain job           {plain[0]:8.1f} / {plain[1]:8.1f}")
        print(
            f"  human-model job     {human[0]:8.1f} / {human[1]:8.1f}   (+{human[0] - plain[0]:.1f} ms p50)"
        )


if __name__ == "__main__":
    main()
